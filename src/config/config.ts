import { DEFAULT_API_KEY_NAME } from './api-keys';
import { CONFIG_GROUPS, ConfigProblem } from './config.schema';
import type { ConfigVariable } from './config.schema';
import { errorMessage } from '../core/errors';

type Groups = typeof CONFIG_GROUPS;
type Parsed<V> = V extends { parse(raw: string): infer T } ? Exclude<T, ConfigProblem> : never;

/** The settings of one concern (`Config['kafka']`), typed from its variables' parsers. */
export type ConfigGroup<G extends keyof Groups> = {
  readonly [K in keyof Groups[G]]: Parsed<Groups[G][K]>;
};

/**
 * The whole configuration, validated once at start and grouped by concern
 * (`config.kafka.brokers`, `config.elasticsearch.alertsIndex`): a caller takes the
 * group it needs. Nothing else reads the environment.
 */
export type Config = { readonly [G in keyof Groups]: ConfigGroup<G> };

/** Each group, as far as its variables parsed (what the checks across variables see). */
type PartialConfig = { readonly [G in keyof Groups]: Partial<ConfigGroup<G>> };

/** Thrown by loadConfig with one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses every variable of CONFIG_GROUPS from `env`, lists every bad one as
 * `NAME=value: expected …` (secrets shown as `***`), and returns a frozen object,
 * one frozen group per concern.
 * A `NAME_FILE` variable, when set, is read by the caller-supplied `readFile`
 * so secrets can come from mounted files (Kubernetes/Docker secrets).
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = () => {
    throw new Error('reading *_FILE variables is not supported here');
  },
): Config {
  const problems: string[] = [];
  const groups: Record<string, Record<string, unknown>> = {};
  for (const [group, variables] of Object.entries(CONFIG_GROUPS)) {
    const values: Record<string, unknown> = {};
    groups[group] = values;
    for (const [key, variable] of Object.entries(
      variables as Record<string, ConfigVariable<unknown>>,
    )) {
      const parsed = parseVariable(variable, env, readFile);
      if (parsed instanceof VariableProblem) problems.push(parsed.line);
      else values[key] = parsed;
    }
  }
  const partial = groups as unknown as PartialConfig;
  problems.push(...relationProblems(partial, readFile));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(
    Object.fromEntries(
      Object.entries(groups).map(([group, values]) => [group, Object.freeze(values)]),
    ),
  ) as unknown as Config;
}

/** The `NAME=value: expected …` line of a variable that did not parse. */
class VariableProblem {
  constructor(readonly line: string) {}
}

/** One variable from `env` (or its `NAME_FILE`), parsed, or the line saying why not. */
function parseVariable(
  variable: ConfigVariable<unknown>,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string,
): unknown {
  let raw = env[variable.name];
  const fileVariable = `${variable.name}_FILE`;
  const filePath = env[fileVariable];
  const fromFile = raw === undefined && filePath !== undefined && filePath !== '';
  if (fromFile) {
    try {
      raw = readFile(filePath).trim();
    } catch (error) {
      return new VariableProblem(
        `${fileVariable}=${filePath}: cannot read the file (${errorMessage(error)})`,
      );
    }
  }
  raw ??= variable.default ?? '';
  const parsed = variable.parse(raw.trim());
  if (!(parsed instanceof ConfigProblem)) return parsed;
  // A value read from a file is named by its file, which the operator can open.
  const shown = variable.secret === true ? '***' : JSON.stringify(raw);
  return new VariableProblem(
    fromFile
      ? `${fileVariable}=${JSON.stringify(filePath)}: expected ${parsed.expected}`
      : `${variable.name}=${shown}: expected ${parsed.expected}`,
  );
}

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/**
 * Checks that span several variables (credentials come in pairs, a CA file
 * needs TLS and must be a readable PEM file), on the variables that parsed.
 * One `NAME=value: expected …` line per problem, secrets shown as `***`.
 */
export function relationProblems(
  config: PartialConfig,
  readFile: (path: string) => string,
): string[] {
  const problems: string[] = [];
  const { node, apiKey, username, password, caFile: esCaFile } = config.elasticsearch;
  if (username && !password) {
    problems.push(
      `ES_USERNAME=${JSON.stringify(username)}: expected ES_PASSWORD (or ES_PASSWORD_FILE) as well`,
    );
  }
  if (password && !username) problems.push('ES_PASSWORD=***: expected ES_USERNAME as well');
  if (apiKey && username) {
    problems.push(
      'ES_API_KEY=***: expected either ES_API_KEY or ES_USERNAME/ES_PASSWORD, not both',
    );
  }
  if (node && urlHasCredentials(node) && (apiKey || username)) {
    problems.push(
      'ES_NODE=***: expected no user:password in the URL when ES_API_KEY or ES_USERNAME is set',
    );
  }
  if (esCaFile) {
    if (node?.startsWith('http:')) {
      problems.push(
        `ES_CA_FILE=${JSON.stringify(esCaFile)}: expected an https:// ES_NODE (a CA file only applies to TLS)`,
      );
    }
    problems.push(...pemFileProblems('ES_CA_FILE', esCaFile, readFile));
  }
  const {
    ssl: kafkaSsl,
    sslCaFile: kafkaSslCaFile,
    saslMechanism: kafkaSaslMechanism,
    saslUsername: kafkaSaslUsername,
    saslPassword: kafkaSaslPassword,
  } = config.kafka;
  if (kafkaSslCaFile) {
    if (kafkaSsl === false) {
      problems.push(
        `KAFKA_SSL_CA_FILE=${JSON.stringify(kafkaSslCaFile)}: expected KAFKA_SSL=true as well`,
      );
    }
    problems.push(...pemFileProblems('KAFKA_SSL_CA_FILE', kafkaSslCaFile, readFile));
  }
  if (kafkaSaslMechanism) {
    if (!kafkaSaslUsername) {
      problems.push(
        `KAFKA_SASL_MECHANISM=${JSON.stringify(kafkaSaslMechanism)}: expected KAFKA_SASL_USERNAME as well`,
      );
    }
    if (!kafkaSaslPassword) {
      problems.push(
        `KAFKA_SASL_MECHANISM=${JSON.stringify(kafkaSaslMechanism)}: expected KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) as well`,
      );
    }
  } else if (kafkaSaslMechanism === null) {
    if (kafkaSaslUsername) {
      problems.push(
        `KAFKA_SASL_USERNAME=${JSON.stringify(kafkaSaslUsername)}: expected KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512) as well`,
      );
    }
    if (kafkaSaslPassword) {
      problems.push(
        'KAFKA_SASL_PASSWORD=***: expected KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512) as well',
      );
    }
  }
  problems.push(...apiKeyProblems(config.http));
  return problems;
}

/** API_KEY must not also be a key of the keys file, nor its name taken there. */
function apiKeyProblems({ apiKey, apiKeys }: Partial<ConfigGroup<'http'>>): string[] {
  if (!apiKey || !apiKeys) return [];
  const problems: string[] = [];
  if (apiKeys.some((entry) => entry.name === DEFAULT_API_KEY_NAME)) {
    problems.push(
      `API_KEY=***: expected no key named "${DEFAULT_API_KEY_NAME}" in API_KEYS(_FILE) as well (API_KEY is that key); rename one`,
    );
  }
  const twin = apiKeys.find((entry) => entry.key === apiKey);
  if (twin !== undefined) {
    problems.push(
      `API_KEY=***: expected a key different from the key named "${twin.name}" in API_KEYS(_FILE)`,
    );
  }
  return problems;
}

function pemFileProblems(name: string, path: string, readFile: (path: string) => string): string[] {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return [`${name}=${JSON.stringify(path)}: cannot read the file (${errorMessage(error)})`];
  }
  return text.includes(PEM_CERTIFICATE)
    ? []
    : [`${name}=${JSON.stringify(path)}: expected a PEM file with ${PEM_CERTIFICATE}`];
}

function urlHasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

/** The Elasticsearch URL with any user:password replaced, safe for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '***';
  }
}

/** Injection token for the Config object. */
export const CONFIG = Symbol('SHELLWATCH_CONFIG');
