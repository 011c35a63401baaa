import { text } from '../config-variable';
import type { ConfigVariable } from '../config-variable';

/** Input: how records are decoded (a fixed format, auto-detection, operator-defined formats, a header naming the format). */
export const INPUT_CONFIG = {
  format: {
    name: 'INPUT_FORMAT',
    default: 'auto',
    doc: 'Format of the records: auto (detected per record) or a fixed format name (see docs/inputs.md).',
    parse: text,
  },
  formatsFile: {
    name: 'INPUT_FORMATS_FILE',
    default: '',
    doc: 'JSON file of operator-defined formats (named-capture regex or delimiter split; docs/inputs.md). Empty: none.',
    parse: text,
  },
  formatHeader: {
    name: 'INPUT_FORMAT_HEADER',
    default: '',
    doc: "Kafka header whose value names a record's format, overriding INPUT_FORMAT per record. Empty: not used.",
    parse: text,
  },
} as const satisfies Record<string, ConfigVariable<unknown>>;
