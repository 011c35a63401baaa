import { CONFIG_VARIABLES, ConfigProblem } from './config.schema';

type Variables = typeof CONFIG_VARIABLES;
type ParsedValue<K extends keyof Variables> = Exclude<
  ReturnType<Variables[K]['parse']>,
  ConfigProblem
>;

/** The whole configuration, validated once at start. Nothing else reads the environment. */
export type Config = { readonly [K in keyof Variables]: ParsedValue<K> };

/** Thrown by loadConfig with one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses every variable of CONFIG_VARIABLES from `env`, lists every bad one as
 * `NAME=value: expected …` (secrets shown as `***`), and returns a frozen object.
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
  const values: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(CONFIG_VARIABLES)) {
    let raw = env[variable.name];
    const fileVariable = `${variable.name}_FILE`;
    const filePath = env[fileVariable];
    if (raw === undefined && filePath !== undefined && filePath !== '') {
      try {
        raw = readFile(filePath).trim();
      } catch (error) {
        problems.push(`${fileVariable}=${filePath}: cannot read the file (${describe(error)})`);
        continue;
      }
    }
    raw ??= variable.default ?? '';
    const parsed: unknown = (variable.parse as (raw: string) => unknown)(raw.trim());
    if (parsed instanceof ConfigProblem) {
      const shown = 'secret' in variable && variable.secret ? '***' : JSON.stringify(raw);
      problems.push(`${variable.name}=${shown}: expected ${parsed.expected}`);
    } else {
      values[key] = parsed;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(values) as Config;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
