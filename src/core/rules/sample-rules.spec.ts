import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCorrelationExamples } from '../correlation/run-correlation-examples';
import { isSingleEventRule, loadRuleSet, formatRuleProblems } from './load-rule-set';
import { runRuleExamples } from './run-rule-examples';
import type { SourceFile } from './types';

const ROOT = join(__dirname, '../../../rules');

function jsonFiles(dir: string): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
}

describe('the rules/ directory', () => {
  const all = jsonFiles(ROOT);
  const lists = all.filter((f) => f.path.startsWith('lists/'));
  const rules = all.filter((f) => !f.path.startsWith('lists/') && !f.path.startsWith('schema/'));

  it('loads without problems', () => {
    const result = loadRuleSet(rules, lists);
    if (!result.ok) throw new Error(formatRuleProblems(result.errors));
    const ids = result.rules.map((r) => r.definition.id);
    expect(ids).toEqual(expect.arrayContaining(['SW-DST-0001', 'SW-EXE-0001', 'SW-EXE-0002']));
    expect(ids.length).toBeGreaterThanOrEqual(80);
    expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000); // the pack's regexes are all proved safe by recheck on first load

  it('every high or critical rule says in its description why it is rare in benign use', () => {
    const result = loadRuleSet(rules, lists);
    if (!result.ok) throw new Error(formatRuleProblems(result.errors));
    const silent = result.rules
      .map((rule) => rule.definition)
      .filter((rule) => rule.severity === 'high' || rule.severity === 'critical')
      .filter((rule) => !/\b(High|Critical) because\b/.test(rule.description ?? ''))
      .map((rule) => rule.id);
    expect(silent).toEqual([]);
  });

  it('every rule passes its embedded examples, with at least 3 of each kind', () => {
    const result = loadRuleSet(rules, lists);
    if (!result.ok) throw new Error(formatRuleProblems(result.errors));
    for (const rule of result.rules) {
      if (!isSingleEventRule(rule)) {
        // Thresholds and sequences are tested on ordered inputs, positive and negative.
        expect(rule.definition.examples?.sequences?.length ?? 0).toBeGreaterThanOrEqual(3);
        expect(runCorrelationExamples(rule)).toEqual([]);
        continue;
      }
      expect(rule.definition.examples?.match?.length ?? 0).toBeGreaterThanOrEqual(3);
      expect(rule.definition.examples?.noMatch?.length ?? 0).toBeGreaterThanOrEqual(3);
      expect(runRuleExamples(rule, result.evaluator)).toEqual([]);
    }
  });
});
