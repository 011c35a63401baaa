import type { CommandEvent } from '../../src/core/event';
import type { SourceFile } from '../../src/core/rules/types';

/**
 * Test factories, as json-rules-engine's test/support/rule-factory.js: a valid rule
 * file with overridable parts, and an event for a command line. Kept under bench/
 * (not src/, so never in dist/src or the service's code) because the benchmarks'
 * generated rules are built from them; the unit tests import them from here.
 */
export function ruleFile(overrides: Record<string, unknown> = {}, path?: string): SourceFile {
  const rule = {
    id: 'SW-TST-0001',
    name: 'test rule',
    severity: 'high',
    conditions: { all: [{ fact: 'programs', operator: 'contains', value: 'rm' }] },
    ...overrides,
  };
  return { path: path ?? `rules/test/${String(rule.id)}.json`, text: JSON.stringify(rule) };
}

/** A list file for `inList`. */
export function listFile(
  name: string,
  items: string[],
  path = `rules/lists/${name}.json`,
): SourceFile {
  return { path, text: JSON.stringify({ name, description: 'test list', items }) };
}

/** A minimal event for a command line, with optional field overrides. */
export function commandEvent(line: string, overrides: Partial<CommandEvent> = {}): CommandEvent {
  return {
    '@timestamp': '2026-01-15T12:00:00.000Z',
    user: { name: 'alice', id: '1000' },
    host: { name: 'web-1' },
    process: { command_line: line },
    event: { original: line },
    log: { source: 'lines' },
    ...overrides,
  };
}
