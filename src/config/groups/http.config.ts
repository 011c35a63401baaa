import { DEFAULT_API_KEY_NAME, parseApiKeys } from '../api-keys';
import type { ApiKeyEntry } from '../api-keys';
import { bool, ConfigProblem, integer, text } from '../config-variable';
import type { ConfigVariable } from '../config-variable';

/**
 * Shortest API_KEY accepted. A short key is guessable, and the log redaction masks
 * every occurrence of a secret: a one-letter key turned `KafkaConsumer` into
 * `Kaf***aConsumer` in every line (issue 20).
 */
export const API_KEY_MIN_LENGTH = 16;

function apiKey(raw: string): string | null | ConfigProblem {
  if (raw === '') return null;
  return raw.length >= API_KEY_MIN_LENGTH
    ? raw
    : new ConfigProblem(
        `at least ${API_KEY_MIN_LENGTH} characters (got ${raw.length}); a random token, e.g. openssl rand -hex 32`,
      );
}

function apiKeys(raw: string): ApiKeyEntry[] | ConfigProblem {
  if (raw === '') return [];
  const result = parseApiKeys(raw, API_KEY_MIN_LENGTH);
  if ('entries' in result) return result.entries;
  return new ConfigProblem(
    `a JSON object of named keys {"<name>": {"key": "…", "roles": ["read"|"write"]}} (docs/operations.md): ${result.problems.join('; ')}`,
  );
}

/** HTTP: where the API listens and the keys that open it. */
export const HTTP_CONFIG = {
  port: {
    name: 'HTTP_PORT',
    default: '3000',
    doc: 'Port of the HTTP API (rules, health, metrics).',
    parse: integer(0, 65535),
  },
  host: {
    name: 'HTTP_HOST',
    default: '0.0.0.0',
    doc: 'Address the HTTP API binds to.',
    parse: text,
  },
  apiKey: {
    name: 'API_KEY',
    default: '',
    doc: `Bearer token of a write key named \`${DEFAULT_API_KEY_NAME}\`: rule changes, reads, validate and test through the API; at least ${API_KEY_MIN_LENGTH} characters. Without it and API_KEYS_FILE, they are refused.`,
    secret: true,
    parse: apiKey,
  },
  apiKeys: {
    name: 'API_KEYS',
    default: '',
    doc: `Named keys with roles, as JSON \`{"<name>": {"key": "…", "roles": ["read"]}}\` (roles \`read\`, \`write\`); set it with API_KEYS_FILE=/path/keys.json. Keys of at least ${API_KEY_MIN_LENGTH} characters; \`write\` includes \`read\`; the name is the audit trail's \`user.name\`. Used with or instead of API_KEY.`,
    secret: true,
    parse: apiKeys,
  },
  apiReadsOpen: {
    name: 'API_READS_OPEN',
    default: 'false',
    doc: 'true lets anyone read the rules (GET /rules, /rules/{id}, /rules/status) without a key; by default reading needs a read or write key. Health and metrics are always open.',
    parse: bool,
  },
} as const satisfies Record<string, ConfigVariable<unknown>>;
