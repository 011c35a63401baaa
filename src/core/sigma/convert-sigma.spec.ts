import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { exampleEvent, loadRuleSet } from '../rules';
import { convertSigmaFile, convertSigmaFiles } from './convert-sigma';
import type { ConvertedSigmaRule } from './convert-sigma';

/**
 * The hand-written Sigma rules of test/fixtures/sigma/rules (one or more per field,
 * modifier and condition form, and rules that must be skipped), converted and run
 * through the compiled evaluator against the command lines of cases.jsonl.
 */
const FIXTURES = resolve(__dirname, '../../../test/fixtures/sigma');

type CaseInput = string | { command: string; user?: string; cwd?: string; args?: string[] };
interface Case {
  rule: string;
  skip?: string;
  match?: CaseInput[];
  noMatch?: CaseInput[];
}

const cases: Case[] = readFileSync(join(FIXTURES, 'cases.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Case);

const files = readdirSync(join(FIXTURES, 'rules'))
  .filter((name) => name.endsWith('.yml'))
  .sort()
  .map((name) => ({
    path: name,
    text: readFileSync(join(FIXTURES, 'rules', name), 'utf8'),
  }));

const { rules, report } = convertSigmaFiles(files);
const byPath = new Map<string, ConvertedSigmaRule>(rules.map((r) => [r.path, r]));
const loaded = loadRuleSet(rules.map((r) => ({ path: r.file, text: r.text })));

function eventOf(input: CaseInput): CommandEvent {
  if (typeof input === 'string') return exampleEvent(input);
  const event = exampleEvent(input.command);
  return {
    ...event,
    ...(input.user === undefined ? {} : { user: { name: input.user } }),
    process: {
      ...event.process,
      ...(input.cwd === undefined ? {} : { working_directory: input.cwd }),
      ...(input.args === undefined ? {} : { args: input.args }),
    },
  };
}

describe('sigma convert: the fixture folder', () => {
  it('has at least 30 rules, each with its case line', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(cases.map((c) => c.rule).sort()).toEqual(files.map((f) => f.path));
  });

  it('converts exactly the rules without a skip, and skips the others with their reason', () => {
    const expectedSkips = Object.fromEntries(
      cases.filter((c) => c.skip !== undefined).map((c) => [c.rule, c.skip]),
    );
    expect(Object.fromEntries(report.skipped.map((s) => [s.path, s.code]))).toEqual(expectedSkips);
    expect(report.counts).toMatchObject({
      files: files.length,
      converted: files.length - Object.keys(expectedSkips).length,
      skipped: Object.keys(expectedSkips).length,
    });
  });

  it('loads every converted rule together with the normal loader', () => {
    expect(loaded.ok ? [] : loaded.errors).toEqual([]);
  });

  const runnable = cases.filter((c) => c.skip === undefined);
  describe.each(runnable)('$rule', (c) => {
    const fires = (input: CaseInput): boolean => {
      const rule = byPath.get(c.rule);
      if (rule === undefined || !loaded.ok) throw new Error(`${c.rule} was not converted`);
      return loaded.evaluator.evaluateRule(rule.id, eventOf(input)) !== undefined;
    };
    it.each(c.match ?? [])('matches %j', (input) => {
      expect(fires(input)).toBe(true);
    });
    it.each(c.noMatch ?? [])('does not match %j', (input) => {
      expect(fires(input)).toBe(false);
    });
  });
});

describe('sigma convert: metadata', () => {
  const rule = (path: string): Record<string, unknown> =>
    JSON.parse(byPath.get(path)?.text ?? 'null') as Record<string, unknown>;

  it('keeps title, Sigma id, level, ATT&CK tags, other tags and the source', () => {
    const sigmaId = byPath.get('or-parens.yml')?.sigmaId;
    expect(rule('or-parens.yml')).toMatchObject({
      id: sigmaId,
      name: 'Firewall or audit stopped, not by the test runner',
      severity: 'high',
      mitre: ['T1562.004'],
      tags: ['attack.defense-evasion'],
      author: 'Shellwatch tests',
      source: {
        format: 'sigma',
        id: sigmaId,
        path: 'or-parens.yml',
        status: 'experimental',
        date: '2026-12-07',
      },
    });
  });

  it('puts false positives, license and references where the schema has room; disables deprecated rules', () => {
    expect(rule('deprecated.yml')['description']).toMatch(
      /Known false positives: Legacy network gear\.$/,
    );
    expect(rule('deprecated.yml')).toMatchObject({
      enabled: false,
      references: ['https://example.org/notes/telnet'],
      source: {
        status: 'deprecated',
        license: 'Apache-2.0',
        falsepositives: ['Legacy network gear'],
      },
    });
  });

  it('never takes an SW- id, and names a rule without an id after its file', () => {
    expect(byPath.get('metadata-sw-id.yml')?.id).toBe('sigma-SW-LNX-9999');
    expect(byPath.get('metadata-no-id.yml')?.id).toBe('sigma-metadata-no-id');
  });
});

describe('sigma convert: single files', () => {
  const sigma = (detection: string, extra = ''): string =>
    `title: T\nid: 0f4c6c2e-1b7d-4c55-9a0a-7d3f1e2b9c11\n${extra}logsource:\n  product: linux\n  category: process_creation\ndetection:\n${detection}`;

  it('skips a file that is not YAML, with the parser message', () => {
    const result = convertSigmaFile({ path: 'x.yml', text: 'title: [unclosed\n' });
    expect(result).toMatchObject({ code: 'invalid-yaml' });
    expect('reason' in result ? result.reason : '').toMatch(/^invalid YAML: /);
  });

  it('refuses to expand a YAML alias bomb', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...Array.from({ length: 8 }, (_, i) => {
        const prev = String.fromCharCode(97 + i);
        const next = String.fromCharCode(98 + i);
        return `${next}: &${next} [${Array(10).fill(`*${prev}`).join(',')}]`;
      }),
    ].join('\n');
    expect(convertSigmaFile({ path: 'bomb.yml', text: `${bomb}\n` })).toMatchObject({
      code: 'invalid-yaml',
    });
  });

  it('skips a rule collection (several YAML documents)', () => {
    expect(
      convertSigmaFile({
        path: 'x.yml',
        text: `${sigma('  s:\n    CommandLine: a\n  condition: s\n')}---\ntitle: U\n`,
      }),
    ).toMatchObject({ code: 'invalid-sigma' });
  });

  it.each([
    ['selection or', /expected a selection name at the end/],
    ['selection )', /unexpected token at "\)"/],
    ['(selection', /expected "\)" at the end/],
    ['not', /expected a selection name at the end/],
    ['1 of', /expected a selection pattern or "them"/],
    ['selection and $x', /expected a selection name at "\$"/],
    ['3 of selection*', /"3 of" is not supported/],
  ])('explains the condition error in %j', (condition, message) => {
    const result = convertSigmaFile({
      path: 'x.yml',
      text: sigma(`  selection:\n    CommandLine|contains: a\n  condition: '${condition}'\n`),
    });
    expect(result).toMatchObject({ code: 'condition' });
    expect('reason' in result ? result.reason : '').toMatch(message);
  });

  it('gives not precedence over and, and and over or', () => {
    const result = convertSigmaFile({
      path: 'x.yml',
      text: sigma(
        `  a:\n    CommandLine|contains: aaa\n  b:\n    CommandLine|contains: bbb\n  c:\n    CommandLine|contains: ccc\n  condition: a or not b and c\n`,
      ),
    });
    expect('text' in result).toBe(true);
    if (!('text' in result)) return;
    const loadedOne = loadRuleSet([{ path: result.file, text: result.text }]);
    if (!loadedOne.ok) throw new Error('does not load');
    const fires = (line: string): boolean =>
      loadedOne.evaluator.evaluateRule(result.id, exampleEvent(line)) !== undefined;
    expect(fires('aaa')).toBe(true);
    expect(fires('ccc')).toBe(true);
    expect(fires('bbb ccc')).toBe(false);
    expect(fires('bbb')).toBe(false);
  });
});
