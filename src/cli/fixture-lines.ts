import { errorMessage } from '../core/errors';
/**
 * A `rules test --fixture` file: JSON lines `{"command": "…", "expect": ["ID", …], "exact"?: true}`
 * or `{"records": ["raw record", …], "expect": […], "exact"?: true}` (other keys, such as
 * `note`, are ignored). Empty lines are skipped. A line that is not such an object is
 * reported with the file and its 1-based line number.
 *
 * What a line checks (docs/rules.md, "Fixture files"):
 * - every id in `expect` fires (an attack line often trips several rules; the others may fire);
 * - `"expect": []`: no rule fires at all;
 * - `"exact": true`: exactly the ids in `expect` fire, no other rule.
 */

/** One fixture case. */
export interface FixtureCase {
  /** 1-based line number in the file. */
  line: number;
  /** The command line of a `command` case (user alice on example-host). */
  command?: string;
  /** Records as the service reads them, run in order through one event run (`records` case). */
  records?: string[];
  /** The rules that must fire; `[]` means no alert at all. */
  expect: string[];
  /** No rule outside `expect` may fire (always so when `expect` is empty). */
  exact: boolean;
}

/** A line that is not a fixture case, and why. */
export interface FixtureProblem {
  line: number;
  message: string;
}

/** Parses a fixture file's text; every malformed line is a problem, the rest are cases. */
export function parseFixture(text: string): { cases: FixtureCase[]; problems: FixtureProblem[] } {
  const cases: FixtureCase[] = [];
  const problems: FixtureProblem[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = index + 1;
    if (raw.trim() === '') continue;
    const parsed = parseLine(raw);
    if (typeof parsed === 'string') problems.push({ line, message: parsed });
    else cases.push({ line, ...parsed });
  }
  return { cases, problems };
}

function parseLine(raw: string): Omit<FixtureCase, 'line'> | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return `invalid JSON: ${errorMessage(error)}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'expected an object {"command": "...", "expect": [rule ids]}';
  const { command, records, expect, exact } = value as Record<string, unknown>;
  if (command !== undefined && records !== undefined)
    return 'give "command" or "records", not both';
  if (records === undefined && typeof command !== 'string')
    return '"command" is missing or not a string';
  const recordList = Array.isArray(records) ? (records as unknown[]) : undefined;
  if (
    records !== undefined &&
    (recordList === undefined ||
      recordList.length === 0 ||
      !recordList.every((record): record is string => typeof record === 'string'))
  )
    return '"records" is not a non-empty array of raw records (strings)';
  if (!Array.isArray(expect) || !expect.every((id): id is string => typeof id === 'string'))
    return '"expect" is missing or not an array of rule ids (strings); [] expects no alert';
  if (exact !== undefined && typeof exact !== 'boolean') return '"exact" must be true or false';
  return {
    ...(typeof command === 'string' ? { command } : { records: recordList as string[] }),
    expect,
    exact: exact === true || expect.length === 0,
  };
}
