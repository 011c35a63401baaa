/*
 * What a configuration variable is (name, default, documentation, parser) and the
 * parsers the groups share. The variables themselves are in groups/*.config.ts, one
 * file per concern; config.schema.ts puts them together.
 */

/**
 * Every environment variable Shellwatch reads, with its default, its parser and
 * its documentation. Each group of them (groups/*.config.ts) is one table: the parser, the validator
 * and the source of the configuration reference in README.md and docs/operations.md.
 */
export interface ConfigVariable<T> {
  readonly name: string;
  readonly default: string | undefined;
  readonly doc: string;
  /** Secrets are never echoed back in error messages or logs. */
  readonly secret?: boolean;
  /** Returns the parsed value, or a string explaining what was expected. */
  parse(raw: string): T | ConfigProblem;
}

/** What a variable's parser returns when the value is unusable. */
export class ConfigProblem {
  constructor(readonly expected: string) {}
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;
const INDEX_NAME = /^[a-z0-9][a-z0-9._-]{0,254}$/;
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export function text(raw: string): string {
  return raw;
}

export function brokers(raw: string): string[] | ConfigProblem {
  const list = raw
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (list.length === 0 || !list.every((b) => HOST_PORT.test(b) && portOf(b) <= 65535)) {
    return new ConfigProblem('a comma-separated list of host:port, e.g. 127.0.0.1:9092');
  }
  return list;
}

function portOf(hostPort: string): number {
  return Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));
}

export function topic(raw: string): string | ConfigProblem {
  return TOPIC_NAME.test(raw)
    ? raw
    : new ConfigProblem('a Kafka topic name: 1-249 characters of letters, digits, ".", "_", "-"');
}

export function optionalTopic(raw: string): string | null | ConfigProblem {
  return raw === '' ? null : topic(raw);
}

export function indexName(raw: string): string | ConfigProblem {
  return INDEX_NAME.test(raw)
    ? raw
    : new ConfigProblem('an Elasticsearch index name: lowercase, starting with a letter or digit');
}

export function optionalIndexName(raw: string): string | null | ConfigProblem {
  return raw === '' ? null : indexName(raw);
}

/** An Elasticsearch time value in whole days or hours (`30d`, `12h`), or empty for none. */
export function optionalRetention(raw: string): string | null | ConfigProblem {
  if (raw === '') return null;
  return /^[1-9]\d{0,5}[dh]$/.test(raw)
    ? raw
    : new ConfigProblem('a retention such as 30d or 12h (whole days or hours), or empty to keep');
}

export function httpUrl(raw: string): string | ConfigProblem {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // fall through to the problem below
  }
  return new ConfigProblem('an http:// or https:// URL, e.g. http://127.0.0.1:9200');
}

export function integer(min: number, max: number) {
  return (raw: string): number | ConfigProblem => {
    const n = Number(raw);
    return /^\d+$/.test(raw.trim()) && n >= min && n <= max
      ? n
      : new ConfigProblem(`a whole number from ${min} to ${max}`);
  };
}

export function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T | ConfigProblem =>
    (values as readonly string[]).includes(raw)
      ? (raw as T)
      : new ConfigProblem(`one of ${values.join(', ')}`);
}

export function optionalSecret(raw: string): string | null {
  return raw === '' ? null : raw;
}

export function optionalText(raw: string): string | null {
  return raw === '' ? null : raw;
}

export function bool(raw: string): boolean | ConfigProblem {
  const value = raw.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  return new ConfigProblem('true or false');
}

export function optionalOneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T | null | ConfigProblem =>
    raw === '' ? null : oneOf(values)(raw.toLowerCase());
}
