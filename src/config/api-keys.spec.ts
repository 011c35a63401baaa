import { describe, expect, it } from 'vitest';
import { secretValues } from '../logging/logger-options';
import { parseApiKeys, rolesAllow } from './api-keys';
import { ConfigError, loadConfig } from './config';

const WRITE_KEY = 'w'.repeat(20);
const READ_KEY = 'r'.repeat(20);
const KEYS = JSON.stringify({
  'ci-deploy': { key: WRITE_KEY, roles: ['write'] },
  grafana: { key: READ_KEY, roles: ['read'] },
});

function problemsOf(env: Record<string, string>, files: Record<string, string> = {}): string[] {
  try {
    loadConfig(env, (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseApiKeys', () => {
  it('reads named keys with their roles', () => {
    expect(parseApiKeys(KEYS, 16)).toEqual({
      entries: [
        { name: 'ci-deploy', key: WRITE_KEY, roles: ['write'] },
        { name: 'grafana', key: READ_KEY, roles: ['read'] },
      ],
    });
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['a list', '[]', /expected a JSON object/],
    ['no key at all', '{}', /no key/],
    [
      'a short key',
      '{"a": {"key": "short", "roles": ["read"]}}',
      /\/a\/key: expected a string of at least 16/,
    ],
    [
      'an unknown role',
      `{"a": {"key": "${READ_KEY}", "roles": ["admin"]}}`,
      /\/a\/roles: expected a non-empty list of read, write/,
    ],
    ['no roles', `{"a": {"key": "${READ_KEY}", "roles": []}}`, /\/a\/roles/],
    ['a typo', `{"a": {"key": "${READ_KEY}", "role": ["read"]}}`, /\/a\/role: unknown property/],
    ['a bad name', `{"a b": {"key": "${READ_KEY}", "roles": ["read"]}}`, /\/a b: a key name is/],
    ['an entry that is not an object', '{"a": "secret"}', /\/a: expected an object/],
    [
      'one key under two names',
      `{"a": {"key": "${READ_KEY}", "roles": ["read"]}, "b": {"key": "${READ_KEY}", "roles": ["write"]}}`,
      /\/b\/key: the same key as \/a/,
    ],
  ])('refuses %s with the place of the problem', (_what, text, message) => {
    const result = parseApiKeys(text, 16);
    expect('problems' in result && result.problems.join('\n')).toMatch(message);
  });

  it('never shows a key in a problem', () => {
    const result = parseApiKeys(
      `{"a": {"key": "${READ_KEY}", "roles": ["x"]}, "b": {"key": "${READ_KEY}", "roles": ["read"]}}`,
      16,
    );
    expect(JSON.stringify(result)).toMatch(/problems/);
    expect(JSON.stringify(result)).not.toContain(READ_KEY);
  });
});

describe('rolesAllow', () => {
  it('lets write include read, not the other way round', () => {
    expect(rolesAllow(['write'], 'read')).toBe(true);
    expect(rolesAllow(['write'], 'write')).toBe(true);
    expect(rolesAllow(['read'], 'read')).toBe(true);
    expect(rolesAllow(['read'], 'write')).toBe(false);
  });
});

describe('API_KEYS_FILE in the configuration', () => {
  it('loads the keys file and treats every key as a secret of the logs', () => {
    const config = loadConfig({ API_KEYS_FILE: '/run/keys.json' }, () => KEYS);
    expect(config.http.apiKeys.map((entry) => entry.name)).toEqual(['ci-deploy', 'grafana']);
    expect(secretValues(config)).toEqual(expect.arrayContaining([WRITE_KEY, READ_KEY]));
  });

  it('has no named keys by default, and reads closed', () => {
    const config = loadConfig({});
    expect(config.http.apiKeys).toEqual([]);
    expect(config.http.apiReadsOpen).toBe(false);
  });

  it('names the file, the place and the problem of a bad keys file, never a key', () => {
    const problems = problemsOf(
      { API_KEYS_FILE: '/run/keys.json' },
      { '/run/keys.json': `{"grafana": {"key": "${READ_KEY}", "roles": ["reader"]}}` },
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^API_KEYS_FILE="\/run\/keys.json": expected a JSON object of named keys/,
    );
    expect(problems[0]).toContain('/grafana/roles: expected a non-empty list of read, write');
    expect(problems[0]).not.toContain(READ_KEY);
  });

  it('says when the keys file cannot be read', () => {
    expect(problemsOf({ API_KEYS_FILE: '/nowhere.json' })).toEqual([
      'API_KEYS_FILE=/nowhere.json: cannot read the file (ENOENT: /nowhere.json)',
    ]);
  });

  it('refuses API_KEY when it is also a key of the file, or the file has a key named default', () => {
    const twin = problemsOf({ API_KEY: READ_KEY, API_KEYS: KEYS });
    expect(twin).toEqual([
      'API_KEY=***: expected a key different from the key named "grafana" in API_KEYS(_FILE)',
    ]);
    const named = problemsOf({
      API_KEY: 'k'.repeat(16),
      API_KEYS: JSON.stringify({ default: { key: READ_KEY, roles: ['read'] } }),
    });
    expect(named[0]).toMatch(/no key named "default"/);
  });
});
