/**
 * The named API keys of `API_KEYS_FILE` (or `API_KEYS`): a JSON object mapping
 * each key's name to its secret and roles, e.g.
 *
 *   { "ci-deploy": { "key": "<64 hex>", "roles": ["write"] },
 *     "grafana":   { "key": "<64 hex>", "roles": ["read"] } }
 *
 * The name is what the audit trail records as `user.name`; the key itself is
 * never written anywhere. `write` includes `read`.
 */

/** What a key may do: `read` rules, or `write` (change them, and read). */
export const API_ROLES = ['read', 'write'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** One named key. */
export interface ApiKeyEntry {
  readonly name: string;
  readonly key: string;
  readonly roles: readonly ApiRole[];
}

/** The name the single `API_KEY` gets in the audit trail (a write key). */
export const DEFAULT_API_KEY_NAME = 'default';

/** Key names: short, printable, safe in logs and as an ECS `user.name`. */
export const API_KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * The entries of a keys file, or the list of its problems (each with the JSON
 * place it concerns, never a key's value). `minKeyLength` is API_KEY's minimum.
 */
export function parseApiKeys(
  text: string,
  minKeyLength: number,
): { entries: ApiKeyEntry[] } | { problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problems: [`not valid JSON (${error instanceof Error ? error.message : 'unknown'})`] };
  }
  if (!isObject(parsed)) {
    return { problems: ['expected a JSON object {"<name>": {"key": "…", "roles": ["read"]}}'] };
  }
  const problems: string[] = [];
  const entries: ApiKeyEntry[] = [];
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) {
    const at = `/${name}`;
    if (!API_KEY_NAME_PATTERN.test(name)) {
      problems.push(`${at}: a key name is 1-64 letters, digits, ".", "_", "@", "-"`);
    }
    if (!isObject(value)) {
      problems.push(`${at}: expected an object {"key": "…", "roles": [...]}`);
      continue;
    }
    const unknown = Object.keys(value).filter((property) => !['key', 'roles'].includes(property));
    for (const property of unknown) problems.push(`${at}/${property}: unknown property`);
    const key = value['key'];
    if (typeof key !== 'string' || key.trim().length < minKeyLength) {
      problems.push(
        `${at}/key: expected a string of at least ${minKeyLength} characters; a random token, e.g. openssl rand -hex 32`,
      );
    } else if (key !== key.trim()) {
      problems.push(`${at}/key: has leading or trailing white space`);
    } else if (seen.has(key)) {
      problems.push(`${at}/key: the same key as /${seen.get(key) ?? ''}; each name needs its own`);
    } else {
      seen.set(key, name);
    }
    const roles = value['roles'];
    if (
      !Array.isArray(roles) ||
      roles.length === 0 ||
      !roles.every((role) => (API_ROLES as readonly unknown[]).includes(role))
    ) {
      problems.push(`${at}/roles: expected a non-empty list of ${API_ROLES.join(', ')}`);
    } else if (typeof key === 'string') {
      entries.push({ name, key, roles: [...new Set(roles as ApiRole[])] });
    }
  }
  if (problems.length === 0 && entries.length === 0) {
    problems.push('no key: expected at least one {"<name>": {"key": "…", "roles": [...]}}');
  }
  return problems.length > 0 ? { problems } : { entries };
}

/** Whether a key with these roles may do what needs `role` (`write` includes `read`). */
export function rolesAllow(roles: readonly ApiRole[], role: ApiRole): boolean {
  return roles.includes(role) || (role === 'read' && roles.includes('write'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
