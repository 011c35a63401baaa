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
});
