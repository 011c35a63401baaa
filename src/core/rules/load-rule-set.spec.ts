import { describe, expect, it, vi } from 'vitest';
import { formatRuleProblems, loadRuleSet, ruleSetRegexes, verdictLookup } from './load-rule-set';
import { regexKey } from './operators/check-regex';
import { Prefilter } from './prefilter';
import { commandEvent, listFile, ruleFile } from '../../../bench/support/rule-factory';

describe('loadRuleSet', () => {
  it('loads valid rules with defaults applied, sorted by id, with a content hash', () => {
    const result = loadRuleSet([ruleFile({ id: 'SW-TST-0002' }), ruleFile()]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(
      result.rules.map((r) => [r.definition.id, r.definition.enabled, r.definition.version]),
    ).toEqual([
      ['SW-TST-0001', true, 1],
      ['SW-TST-0002', true, 1],
    ]);
    expect(result.evaluator.ruleCount).toBe(2);
    const again = loadRuleSet([ruleFile(), ruleFile({ id: 'SW-TST-0002' })]);
    expect(again.ok && again.hash).toBe(result.hash);
    const changed = loadRuleSet([ruleFile({ name: 'other' }), ruleFile({ id: 'SW-TST-0002' })]);
    expect(changed.ok && changed.hash).not.toBe(result.hash);
  });

  it('accepts area codes with digits after the first letter (SW-C2-0001), not ids starting with one', () => {
    expect(loadRuleSet([ruleFile({ id: 'SW-C2-0001' }, 'rules/c2/SW-C2-0001.json')]).ok).toBe(true);
    expect(loadRuleSet([ruleFile({ id: 'SW-2C-0001' }, 'rules/c2/SW-2C-0001.json')]).ok).toBe(
      false,
    );
  });

  it('reports every problem of every file at once, with file and JSON pointer', () => {
    const result = loadRuleSet([
      ruleFile({
        id: 'SW-TST-0001',
        severity: 'urgent',
        mitre: ['T1059.4'],
        extra: true,
        conditions: {
          all: [
            { fact: 'commandLine', operator: 'regex', value: 5 },
            { fact: 'nope', operator: 'equal', value: 1 },
            { fact: 'commandLine', operator: 'frob', value: 1 },
            { fact: 'commandLine', operator: 'equal' },
          ],
        },
      }),
      { path: 'rules/b/SW-TST-0002.json', text: '{"id": ' },
      ruleFile({ id: 'bad id' }, 'rules/c/x.json'),
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = formatRuleProblems(result.errors).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'rules/test/SW-TST-0001.json#/severity: must be one of "informational", "low", "medium", "high", "critical"',
        'rules/test/SW-TST-0001.json#/mitre/0: must match pattern "^T\\d{4}(\\.\\d{3})?$"',
        'rules/test/SW-TST-0001.json#/extra: unknown property',
        'rules/test/SW-TST-0001.json#/conditions/all/0/value: must be string',
        expect.stringMatching(
          /^rules\/test\/SW-TST-0001.json#\/conditions\/all\/1\/fact: must be one of "process"/,
        ),
        expect.stringMatching(
          /^rules\/test\/SW-TST-0001.json#\/conditions\/all\/2\/operator: must be one of/,
        ),
        'rules/test/SW-TST-0001.json#/conditions/all/3: missing required property "value"',
        expect.stringMatching(/^rules\/b\/SW-TST-0002.json#: invalid JSON: /),
        'rules/c/x.json#/id: a rule id is letters, digits, ".", "_" and "-", starting with a letter or digit (e.g. ACME-0001, a UUID)',
      ]),
    );
  });

  it('rejects a regex with catastrophic backtracking, naming the rule file and pointer', () => {
    const result = loadRuleSet([
      ruleFile({
        conditions: { any: [{ fact: 'commandLine', operator: 'regex', value: '(a+)+$' }] },
      }),
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      file: 'rules/test/SW-TST-0001.json',
      pointer: '/conditions/any/0/value',
    });
    expect(result.errors[0]?.message).toMatch(
      /^regex: regex may backtrack catastrophically \(exponential;/,
    );
  });

  it('checks regexes nested in anyCommand and in exceptions', () => {
    const result = loadRuleSet([
      ruleFile({
        conditions: {
          all: [
            { fact: 'commands', operator: 'anyCommand', value: { anyArg: { regex: '(x*)*y' } } },
          ],
        },
        exceptions: [{ field: 'commandLine', operator: 'regex', values: ['ok', '(b|b)*c'] }],
      }),
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.pointer)).toEqual([
      '/conditions/all/0/value/anyArg/regex',
      '/exceptions/0/values/1',
    ]);
  });

  it('finds every regex a load would check, without constructing a bad one (ruleSetRegexes)', () => {
    const files = [
      ruleFile({
        conditions: {
          all: [
            { fact: 'commandLine', operator: 'regex', value: { pattern: '^a', flags: 'i' } },
            { fact: 'commands', operator: 'anyCommand', value: { anyArg: { regex: '(x*)*y' } } },
            { fact: 'commandLine', operator: 'regex', value: '([a-z' },
            { fact: 'commandLine', operator: 'glob', value: ['/etc/*'] },
          ],
        },
        exceptions: [{ field: 'commandLine', operator: 'regex', values: ['ok', '^a'] }],
      }),
    ];
    const found = ruleSetRegexes(files).map(({ source, flags }) => `${flags}/${source}`);
    expect(found.slice(0, 3)).toEqual(['i/^a', '/(x*)*y', '/([a-z']);
    expect(found).toHaveLength(6);
    expect(found).toEqual(expect.arrayContaining(['/ok', '/^a']));
  });

  it('compiles with verdicts reached beforehand, and refuses a regex that has none (verdictLookup)', () => {
    const file = ruleFile({
      conditions: {
        all: [
          { fact: 'commandLine', operator: 'regex', value: '^a' },
          { fact: 'commandLine', operator: 'regex', value: '^b' },
        ],
      },
    });
    const lookup = verdictLookup(new Map([[regexKey('^a', ''), undefined]]));
    const result = loadRuleSet([file], [], { checkRegex: lookup });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => `${e.pointer}: ${e.message}`)).toEqual([
      '/conditions/all/1/value: regex: regex was not checked for catastrophic backtracking',
    ]);
    const both = verdictLookup(
      new Map([
        [regexKey('^a', ''), undefined],
        [regexKey('^b', ''), undefined],
      ]),
    );
    expect(loadRuleSet([file], [], { checkRegex: both }).ok).toBe(true);
  });

  it('rejects duplicate ids across files', () => {
    const result = loadRuleSet([
      ruleFile({}, 'a/SW-TST-0001.json'),
      ruleFile({}, 'b/SW-TST-0001.json'),
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        file: 'b/SW-TST-0001.json',
        pointer: '/id',
        message: 'duplicate rule id SW-TST-0001, also in a/SW-TST-0001.json',
      },
    ]);
  });

  it('requires the file to be named after the id', () => {
    const result = loadRuleSet([ruleFile({}, 'rules/x/SW-TST-0009.json')]);
    expect(!result.ok && result.errors[0]?.message).toBe(
      'file must be named SW-TST-0001.json (one file per rule, named after its id)',
    );
  });

  it('resolves named lists and reports unknown, invalid and duplicate lists', () => {
    const rule = ruleFile({
      conditions: { all: [{ fact: 'programs', operator: 'inList', value: 'shells' }] },
    });
    const ok = loadRuleSet([rule], [listFile('shells', ['sh', 'bash'])]);
    expect(
      ok.ok && ok.evaluator.evaluate(commandEvent('curl x | bash')).map((m) => m.rule.id),
    ).toEqual(['SW-TST-0001']);

    const bad = loadRuleSet(
      [rule],
      [
        listFile('shells', ['sh'], 'l/a.json'),
        listFile('shells', ['sh'], 'l/b.json'),
        { path: 'l/c.json', text: '{"name": "X"}' },
      ],
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(formatRuleProblems(bad.errors).split('\n')).toEqual([
      'l/b.json#/name: list "shells" is already defined in l/a.json',
      'l/c.json#: missing required property "items"',
      'l/c.json#/name: must match pattern "^[a-z][a-z0-9-]*$"',
    ]);
    const unknown = loadRuleSet([rule]);
    expect(!unknown.ok && unknown.errors[0]?.message).toBe('inList: unknown list "shells"');
  });

  it('rejects fact-to-fact comparison and a root that is not all/any/not', () => {
    const result = loadRuleSet([
      ruleFile({
        conditions: { all: [{ fact: 'commandLine', operator: 'equal', value: { fact: 'user' } }] },
      }),
      ruleFile({
        id: 'SW-TST-0002',
        conditions: { fact: 'commandLine', operator: 'equal', value: 'x' },
      }),
    ]);
    expect(!result.ok && result.errors.map((e) => `${e.pointer}: ${e.message}`)).toEqual(
      expect.arrayContaining([
        '/conditions/all/0/value: comparing to another fact ({"fact": ...}) is not supported',
        '/conditions: a condition block needs "all", "any" or "not"',
      ]),
    );
  });
});

describe('exceptions', () => {
  const rm = { all: [{ fact: 'programs', operator: 'contains', value: 'rm' }] };

  it('suppress a match when any exception holds', () => {
    const result = loadRuleSet([
      ruleFile({
        conditions: rm,
        exceptions: [
          {
            field: 'user.name',
            operator: 'in',
            values: ['backup', 'deploy'],
            reason: 'service accounts',
          },
          {
            field: 'process.working_directory',
            operator: 'glob',
            values: ['/srv/build/**', '/tmp/**'],
          },
          {
            all: [
              { field: 'host.name', operator: 'equal', value: 'db1' },
              { field: 'isRoot', operator: 'equal', value: true },
            ],
          },
          { field: 'source.ip', operator: 'cidr', value: '10.0.0.0/8' },
        ],
      }),
    ]);
    if (!result.ok) throw new Error(formatRuleProblems(result.errors));
    const ids = (overrides: Parameters<typeof commandEvent>[1]) =>
      result.evaluator.evaluate(commandEvent('rm -rf x', overrides)).map((m) => m.rule.id);
    expect(ids({})).toEqual(['SW-TST-0001']);
    expect(ids({ user: { name: 'backup' } })).toEqual([]);
    expect(
      ids({ process: { command_line: 'rm -rf x', working_directory: '/srv/build/a/b' } }),
    ).toEqual([]);
    expect(ids({ host: { name: 'db1' } })).toEqual(['SW-TST-0001']);
    expect(ids({ host: { name: 'db1' }, user: { name: 'root' } })).toEqual([]);
    expect(ids({ source: { ip: '10.2.3.4' } })).toEqual([]);
    expect(ids({ source: { ip: '11.2.3.4' } })).toEqual(['SW-TST-0001']);
  });

  it('rejects an exception with both value and values, or an unknown field', () => {
    const result = loadRuleSet([
      ruleFile({
        conditions: rm,
        exceptions: [
          { field: 'user.name', operator: 'equal', value: 'a', values: ['b'] },
          { field: 'nope.name', operator: 'equal', value: 'a' },
        ],
      }),
    ]);
    expect(!result.ok && result.errors.map((e) => `${e.pointer}: ${e.message}`)).toEqual([
      '/exceptions/0: give either "value" or "values", not both',
      expect.stringMatching(/^\/exceptions\/1\/field: must match pattern/),
    ]);
  });
});

describe('matches', () => {
  it('carry the rule version and the leaf conditions that held with the values seen', () => {
    const result = loadRuleSet([
      ruleFile({
        version: 3,
        tags: ['t'],
        mitre: ['T1485'],
        conditions: {
          all: [
            { fact: 'commands', operator: 'anyCommand', value: { program: 'rm' } },
            {
              any: [
                { fact: 'user', path: '$.name', operator: 'equal', value: 'nobody' },
                { fact: 'isRoot', operator: 'equal', value: false },
              ],
            },
            { not: { fact: 'commandLine', operator: 'containsI', value: 'tmp' } },
          ],
        },
      }),
    ]);
    if (!result.ok) throw new Error(formatRuleProblems(result.errors));
    expect(result.evaluator.evaluate(commandEvent('ls; rm -rf /srv'))).toEqual([
      {
        rule: {
          id: 'SW-TST-0001',
          name: 'test rule',
          severity: 'high',
          tags: ['t'],
          mitre: ['T1485'],
          version: 3,
        },
        matched: [
          {
            fact: 'commands',
            operator: 'anyCommand',
            value: { program: 'rm' },
            factValue: ['rm -rf /srv'],
          },
          { fact: 'isRoot', operator: 'equal', value: false, factValue: false },
        ],
      },
    ]);
  });

  it('skip disabled rules in evaluate() but not in evaluateRule()', () => {
    const result = loadRuleSet([ruleFile({ enabled: false })]);
    if (!result.ok) throw new Error(formatRuleProblems(result.errors));
    expect(result.evaluator.ruleCount).toBe(0);
    expect(result.evaluator.evaluate(commandEvent('rm x'))).toEqual([]);
    expect(result.evaluator.evaluateRule('SW-TST-0001', commandEvent('rm x'))?.rule.id).toBe(
      'SW-TST-0001',
    );
  });
});

describe('evaluator robustness', () => {
  it('runs every rule, guarded, when choosing candidates throws (a parser bug), instead of failing the batch', () => {
    const loaded = loadRuleSet([
      ruleFile(),
      ruleFile({
        id: 'SW-TST-0002',
        conditions: { all: [{ fact: 'programs', operator: 'contains', value: 'ls' }] },
      }),
    ]);
    if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
    const spy = vi.spyOn(Prefilter.prototype, 'candidates').mockImplementationOnce(() => {
      throw new Error('parser bug');
    });
    try {
      expect(
        loaded.evaluator.evaluate(commandEvent('rm -rf /tmp/x')).map((m) => m.rule.id),
      ).toEqual(['SW-TST-0001']);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
