import { readFileSync } from 'node:fs';
import { createRecordDecoder } from '../core/decode';
import type { DecoderOptions, FormatsDefinition, RecordDecoder } from '../core/decode';
import type { ConfigGroup } from '../config/config';
import { StartupError } from '../startup-error';
import { errorMessage } from '../core/errors';

/**
 * Makes the per-partition decoders, all with the same options. The options are
 * read and checked once, at construction: an unknown INPUT_FORMAT or a bad
 * formats file stops the start with one clear line, not the first batch.
 */
export class DecoderFactory {
  /** The checked decoder options (INPUT_FORMAT, INPUT_FORMAT_HEADER, INPUT_FORMATS_FILE). */
  readonly options: DecoderOptions;

  constructor(input: ConfigGroup<'input'>) {
    this.options = {
      format: input.format,
      ...(input.formatHeader ? { formatHeader: input.formatHeader } : {}),
      ...(input.formatsFile ? { customFormats: readFormatsFile(input.formatsFile) } : {}),
    };
    try {
      createRecordDecoder(this.options);
    } catch (error) {
      const where = input.formatsFile ? ` (INPUT_FORMATS_FILE=${input.formatsFile})` : '';
      throw new StartupError(`invalid input format configuration${where}: ${errorMessage(error)}`);
    }
  }

  create(): RecordDecoder {
    return createRecordDecoder(this.options);
  }
}

function readFormatsFile(path: string): FormatsDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StartupError(
      `INPUT_FORMATS_FILE=${path}: cannot read the file (${errorMessage(error)})`,
    );
  }
  try {
    return JSON.parse(text) as FormatsDefinition;
  } catch (error) {
    throw new StartupError(`INPUT_FORMATS_FILE=${path}: not valid JSON (${errorMessage(error)})`);
  }
}
