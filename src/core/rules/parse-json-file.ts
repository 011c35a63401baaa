import type { RuleProblem, SourceFile } from './types';
import { errorMessage } from '../errors';

/** Parses a JSON file, turning a syntax error into a problem that names the file. */
export function parseJsonFile(file: SourceFile): { value: unknown } | { problem: RuleProblem } {
  try {
    return { value: JSON.parse(file.text) as unknown };
  } catch (error) {
    const detail = errorMessage(error);
    return { problem: { file: file.path, pointer: '', message: `invalid JSON: ${detail}` } };
  }
}
