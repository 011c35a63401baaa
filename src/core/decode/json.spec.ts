import { describe, expect, it } from 'vitest';
import { prng } from '../../../bench/support/generate-rules';
import { JsonFields, labelKey } from './json';

describe('labelKey', () => {
  it('is the replacement of every character other than A-Z a-z 0-9 _ -', () => {
    const random = prng(20261207);
    const chars = ['a', 'Z', '0', '_', '-', '.', ' ', 'é', '$', '\u{1F600}', '/', ''];
    for (let i = 0; i < 5000; i++) {
      let key = '';
      const length = Math.floor(random() * 6);
      for (let k = 0; k < length; k++) key += chars[Math.floor(random() * chars.length)];
      expect(labelKey(key), key).toBe(key.replace(/[^A-Za-z0-9_-]/g, '_'));
    }
  });
});

describe('JsonFields.rest', () => {
  it('keeps the unused scalar keys in the record order, as labels', () => {
    const fields = new JsonFields(
      JSON.parse(
        '{"command":"ls","2":true,"seq":7,"a.b":"x","nested":{"k":1},"list":[1],"none":null,"__proto__":"p"}',
      ) as Record<string, unknown>,
      'test',
    );
    fields.string(['command']);
    const rest = fields.rest();
    expect(Object.entries(rest)).toEqual([
      ['2', 'true'],
      ['seq', '7'],
      ['a_b', 'x'],
      // `__proto__` is lost, as it always was (assigning it sets no own key).
    ]);
  });

  it('leaves out exactly the keys found (a dotted alias: its first part) or ignored', () => {
    // Against the straightforward definition: a Set of the used keys (json.ts keeps an
    // array instead, issue 25). Random records and readers, repeated reads included.
    const names = ['user', 'host', 'cmd', 'cwd', 'seq', 'ip', 'tty', 'pid', 'a', 'b'];
    let seed = 11;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 500; round++) {
      const record: Record<string, unknown> = {};
      for (const name of names) {
        const kind = next(4);
        if (kind === 0) continue;
        record[name] = kind === 1 ? `v${round}` : kind === 2 ? round : { [names[next(10)]!]: 'x' };
      }
      const fields = new JsonFields(record, 'test');
      const used = new Set<string>();
      for (let read = next(6); read > 0; read--) {
        const aliases = [names[next(10)]!, `${names[next(10)]!}.${names[next(10)]!}`];
        const hit = fields.find(aliases);
        if (hit !== undefined) used.add(hit.key.split('.')[0]!);
      }
      const ignored = [names[next(10)]!];
      fields.ignore(ignored);
      for (const key of ignored) used.add(key);
      const expected: Record<string, string> = {};
      for (const [key, value] of Object.entries(record))
        if (!used.has(key) && (typeof value === 'string' || typeof value === 'number'))
          expected[key] = String(value);
      expect([record, fields.rest()]).toEqual([record, expected]);
    }
  });
});
