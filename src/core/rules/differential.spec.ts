import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { formatRuleProblems, loadRuleSet } from './load-rule-set';
import { createReferenceEvaluator } from './reference-evaluator';
import { listFile, ruleFile } from '../../../bench/support/rule-factory';

/**
 * The compiled evaluator must give exactly the rule ids json-rules-engine gives, on
 * every event. Rules below exercise every operator, paths, all/any/not, the `not:`
 * decorator and exceptions; events are generated from shell fragments.
 */
const CONDITIONS: unknown[] = [
  { all: [{ fact: 'user', path: '$.name', operator: 'equal', value: 'root' }] },
  {
    all: [
      { fact: 'user', path: '$.name', operator: 'notEqual', value: 'root' },
      { fact: 'programs', operator: 'contains', value: 'rm' },
    ],
  },
  {
    any: [
      { fact: 'process', path: '$.pid', operator: 'greaterThan', value: 500 },
      { fact: 'process', path: '$.pid', operator: 'lessThanInclusive', value: 10 },
    ],
  },
  { all: [{ fact: 'process', path: '$.args[0]', operator: 'in', value: ['rm', 'curl'] }] },
  { all: [{ fact: 'user', path: '$.id', operator: 'notIn', value: ['0', '1000'] }] },
  {
    all: [
      { fact: 'programs', operator: 'doesNotContain', value: 'ls' },
      { fact: 'process', path: '$.pid', operator: 'lessThan', value: 100 },
    ],
  },
  {
    all: [{ fact: 'commandLine', operator: 'regex', value: { pattern: '\\bRM\\s+-', flags: 'i' } }],
  },
  {
    all: [
      {
        fact: 'commands',
        operator: 'anyCommand',
        value: { anyArg: { glob: ['/etc/*', '/tmp/**'] } },
      },
    ],
  },
  { all: [{ fact: 'commandLine', operator: 'startsWithI', value: ['SUDO', 'env'] }] },
  {
    any: [
      { fact: 'commandLine', operator: 'endsWithI', value: '/TMP/X' },
      { fact: 'commandLine', operator: 'containsI', value: 'DEV/TCP' },
    ],
  },
  { all: [{ fact: 'commandLine', operator: 'containsWord', value: ['nc', 'wget'] }] },
  { all: [{ fact: 'programs', operator: 'inList', value: 'shells' }] },
  { all: [{ fact: 'source', path: '$.ip', operator: 'cidr', value: ['10.0.0.0/8', 'fd00::/8'] }] },
  { all: [{ fact: 'commands', operator: 'hasFlag', value: ['r|R|recursive', 'f|force'] }] },
  { all: [{ fact: 'process', path: '$.args', operator: 'hasFlag', value: 'e' }] },
  {
    all: [
      {
        fact: 'timestamp',
        operator: 'timeOfDay',
        value: { from: '22:00', to: '06:00', timeZone: 'Europe/Berlin' },
      },
    ],
  },
  {
    all: [
      {
        fact: 'timestamp',
        operator: 'dayOfWeek',
        value: { days: ['sat', 'sun'], timeZone: 'America/New_York' },
      },
    ],
  },
  {
    all: [
      { fact: 'process', path: '$.working_directory', operator: 'exists', value: true },
      { fact: 'isRoot', operator: 'equal', value: true },
    ],
  },
  {
    all: [
      {
        fact: 'commands',
        operator: 'anyCommand',
        value: { program: { inList: 'shells' }, pipedFrom: { program: ['curl', 'wget'] } },
      },
    ],
  },
  {
    all: [
      { fact: 'commands', operator: 'not:anyCommand', value: { program: 'rm' } },
      { fact: 'commandLine', operator: 'not:regex', value: '^ls' },
    ],
  },
  {
    not: {
      any: [
        { fact: 'isRoot', operator: 'equal', value: true },
        { fact: 'programs', operator: 'contains', value: 'echo' },
      ],
    },
  },
  {
    all: [
      {
        any: [
          { fact: 'decoded', operator: 'containsI', value: 'rm' },
          { not: { fact: 'user', operator: 'exists', value: true } },
        ],
      },
    ],
  },
  {
    all: [
      {
        fact: 'commands',
        operator: 'anyCommand',
        value: { program: 'rm', elevated: true, not: { anyArg: '/tmp/x' } },
      },
    ],
  },
  {
    all: [
      { fact: 'commands', operator: 'anyCommand', value: { redirect: { regex: '^/dev/tcp/' } } },
    ],
  },
  {
    all: [
      { fact: 'host', path: '$.name', operator: 'equal', value: 'db1' },
      { fact: 'labels', path: '$.missing', operator: 'exists', value: false },
    ],
  },
  { all: [{ fact: 'commandLine', path: '$.x', operator: 'startsWithI', value: 'rm' }] },
  { all: [{ fact: 'programs', path: '$[0]', operator: 'equal', value: 'curl' }] },
];

const EXCEPTIONS: Record<number, unknown[]> = {
  1: [{ field: 'user.name', operator: 'in', values: ['backup'] }],
  7: [{ field: 'process.working_directory', operator: 'glob', values: ['/srv/**'] }],
  13: [
    {
      all: [
        { field: 'host.name', operator: 'equal', value: 'db1' },
        { field: 'isRoot', operator: 'equal', value: true },
      ],
    },
  ],
  18: [{ field: 'source.ip', operator: 'cidr', value: '10.0.0.0/8' }],
};

const rules = CONDITIONS.map((conditions, i) => {
  const id = `SW-DIF-${String(i).padStart(4, '0')}`;
  return ruleFile({
    id,
    conditions,
    ...(EXCEPTIONS[i] !== undefined ? { exceptions: EXCEPTIONS[i] } : {}),
  });
});

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const simpleCommand = fc
  .tuple(
    pick(
      'rm',
      'ls',
      'curl http://x',
      'wget -qO- http://x',
      'bash',
      'sh',
      'nc',
      'cat',
      'sudo rm',
      'env A=1 rm',
      '/bin/rm',
      'echo',
      'sudo -u bob rm',
      "r''m",
    ),
    pick('', ' -rf', ' -r', ' -f', ' -fr', ' --force --recursive', ' -e', ' -c'),
    pick(
      '',
      ' /',
      ' /etc/passwd',
      ' /tmp/x',
      ' /dev/tcp/1.2.3.4/80',
      " 'a b'",
      ' $(id)',
      ' `id`',
      ' cm0gLXJmIC8gLS1mb3JjZQ==',
    ),
    pick('', ' >& /dev/tcp/1.2.3.4/4444', ' > /tmp/o', ' 2>/dev/null'),
  )
  .map((parts) => parts.join(''));
const line = fc
  .array(fc.tuple(simpleCommand, pick('; ', ' | ', ' && ', ' || ', '\n')), {
    minLength: 1,
    maxLength: 4,
  })
  .map((items) =>
    items.map(([cmd, sep], i) => (i === items.length - 1 ? cmd : cmd + sep)).join(''),
  );

const eventArb: fc.Arbitrary<CommandEvent> = fc
  .record({
    line,
    user: fc.option(
      fc.record({ name: pick('root', 'alice', 'backup'), id: pick('0', '1000', '33') }),
      { nil: undefined },
    ),
    ip: fc.option(pick('10.1.2.3', '192.168.1.1', '::ffff:10.0.0.1', 'fd00::1', 'garbage'), {
      nil: undefined,
    }),
    host: fc.option(pick('db1', 'web1'), { nil: undefined }),
    ms: fc.integer({
      min: Date.parse('2026-01-01T00:00:00Z'),
      max: Date.parse('2026-12-31T00:00:00Z'),
    }),
    pid: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
    cwd: fc.option(pick('/srv/app/x', '/home/alice'), { nil: undefined }),
  })
  .map(({ line, user, ip, host, ms, pid, cwd }) => ({
    '@timestamp': new Date(ms).toISOString(),
    ...(user !== undefined ? { user } : {}),
    ...(ip !== undefined ? { source: { ip } } : {}),
    ...(host !== undefined ? { host: { name: host } } : {}),
    process: {
      command_line: line,
      args: line.split(' '),
      ...(pid !== undefined ? { pid } : {}),
      ...(cwd !== undefined ? { working_directory: cwd } : {}),
    },
    event: { original: line },
    log: { source: 'lines' },
  }));

describe('compiled evaluator vs json-rules-engine reference', () => {
  const loaded = loadRuleSet(rules, [listFile('shells', ['sh', 'bash'])]);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const reference = createReferenceEvaluator(loaded.ruleSet);

  it('gives identical rule ids on 3000 generated events', async () => {
    const hits = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(eventArb, async (event) => {
        const compiled = loaded.evaluator.evaluate(event).map((m) => m.rule.id);
        const referenced = (await reference.evaluateReference(event)).map((m) => m.rule.id);
        expect(compiled).toEqual(referenced);
        for (const id of compiled) hits.set(id, (hits.get(id) ?? 0) + 1);
      }),
      { numRuns: 3000, seed: 20260115 },
    );
    // Not vacuous: every rule matched some events and missed others.
    for (const rule of loaded.rules) {
      const count = hits.get(rule.definition.id) ?? 0;
      expect([rule.definition.id, count > 0 && count < 3000]).toEqual([rule.definition.id, true]);
    }
  }, 120_000);

  it('reports the same matched leaves for a simple match', async () => {
    const event = {
      '@timestamp': '2026-01-15T12:00:00.000Z',
      user: { name: 'root', id: '0' },
      process: { command_line: 'sudo rm -rf /etc/passwd' },
      event: { original: '' },
      log: { source: 'lines' },
    };
    const compiled = loaded.evaluator.evaluate(event).find((m) => m.rule.id === 'SW-DIF-0000');
    const referenced = (await reference.evaluateReference(event)).find(
      (m) => m.rule.id === 'SW-DIF-0000',
    );
    expect(referenced?.matched).toEqual(compiled?.matched);
  });
});
