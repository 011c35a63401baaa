import Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import { SEVERITIES } from '../core/event';
import { errorMessage } from '../core/errors';

/**
 * The notifier's configuration file (NOTIFY_CONFIG_FILE): outputs, routes,
 * rate limits. Validated once at start against NOTIFY_CONFIG_SCHEMA and then
 * for what a schema cannot say (a route naming an unknown output, a secret
 * file that cannot be read or holds no URL), every problem at once as
 * `file#pointer: message`. Secrets (webhook URLs, tokens) are read from files
 * named in the config and never appear in a message.
 */

export const OUTPUT_TYPES = ['webhook', 'slack', 'mattermost', 'teams'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

/** At most `max` messages per rule per `windowSeconds`, then one digest (rate-limiter.ts). */
export interface RateLimitFile {
  max: number;
  windowSeconds: number;
}

export interface OutputFile {
  type: OutputType;
  /** File holding the URL to POST to (incoming-webhook URLs are secrets). */
  urlFile: string;
  /** File holding a bearer token sent as `Authorization: Bearer …`. */
  tokenFile?: string;
  /** Extra request headers (not secrets: they are not read from files). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  rateLimit?: RateLimitFile;
  /** Mattermost: post to this channel instead of the hook's own. */
  channel?: string;
  /** Mattermost and Slack: the name the message is posted under. */
  username?: string;
}

export interface RouteMatchFile {
  severity?: string[];
  /** Rule ids or globs (`SW-NET-*`). */
  ruleId?: string[];
  /** Matches when the alert carries any of these tags. */
  tag?: string[];
  /** Host names or globs (`web-*.example.internal`). */
  host?: string[];
}

export interface RouteFile {
  name?: string;
  match?: RouteMatchFile;
  outputs: string[];
}

export interface NotifyConfigFile {
  outputs: Record<string, OutputFile>;
  routes: RouteFile[];
  rateLimit?: RateLimitFile;
  retry?: { maxDelayMs?: number };
}

/** One output, its secrets read. */
export interface OutputSettings {
  name: string;
  type: OutputType;
  url: string;
  token: string | undefined;
  headers: Record<string, string>;
  timeoutMs: number;
  rateLimit: { max: number; windowMs: number };
  channel: string | undefined;
  username: string | undefined;
}

export interface NotifyConfig {
  outputs: ReadonlyMap<string, OutputSettings>;
  routes: readonly RouteFile[];
  retryMaxDelayMs: number;
  /** The secrets read from files, for log scrubbing. */
  secrets: readonly string[];
}

export const DEFAULT_RATE_LIMIT: RateLimitFile = { max: 10, windowSeconds: 60 };
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Longest back-off wait between delivery attempts (the consumer heartbeats meanwhile). */
export const DEFAULT_RETRY_MAX_DELAY_MS = 20_000;

const OUTPUT_NAME = '^[a-z0-9][a-z0-9_-]{0,62}$';

const rateLimitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['max', 'windowSeconds'],
  properties: {
    max: { type: 'integer', minimum: 1, maximum: 100000 },
    windowSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
  },
} as const;

const stringList = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } as const;

/** JSON Schema of the file; the documentation in docs/operations.md follows it. */
export const NOTIFY_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['outputs', 'routes'],
  properties: {
    $schema: { type: 'string' },
    outputs: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: OUTPUT_NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'urlFile'],
        properties: {
          type: { enum: OUTPUT_TYPES },
          urlFile: { type: 'string', minLength: 1 },
          tokenFile: { type: 'string', minLength: 1 },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          timeoutMs: { type: 'integer', minimum: 100, maximum: 300000 },
          rateLimit: rateLimitSchema,
          channel: { type: 'string', minLength: 1 },
          username: { type: 'string', minLength: 1 },
        },
      },
    },
    routes: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['outputs'],
        properties: {
          name: { type: 'string' },
          match: {
            type: 'object',
            additionalProperties: false,
            properties: {
              severity: { type: 'array', minItems: 1, items: { enum: SEVERITIES } },
              ruleId: stringList,
              tag: stringList,
              host: stringList,
            },
          },
          outputs: { type: 'array', minItems: 1, items: { type: 'string' } },
        },
      },
    },
    rateLimit: rateLimitSchema,
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: { maxDelayMs: { type: 'integer', minimum: 100, maximum: 20000 } },
    },
  },
} as const;

/** The file is unusable; `problems` lists every `file#pointer: message`. */
export class NotifyConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid notifier configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'NotifyConfigError';
  }
}

const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
  NOTIFY_CONFIG_SCHEMA,
);

/**
 * Parses and checks the configuration file `path` (its text given), reading
 * secret files with `readFile`. Throws NotifyConfigError listing every problem.
 */
export function parseNotifyConfig(
  path: string,
  text: string,
  readFile: (path: string) => string,
): NotifyConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new NotifyConfigError([`${path}: not JSON (${errorMessage(error)})`]);
  }
  if (!validate(raw)) {
    throw new NotifyConfigError(schemaProblems(validate.errors).map((p) => `${path}#${p}`));
  }
  const file = raw as unknown as NotifyConfigFile;
  const problems: string[] = [];
  const secrets: string[] = [];
  const defaults = file.rateLimit ?? DEFAULT_RATE_LIMIT;
  const outputs = new Map<string, OutputSettings>();
  for (const [name, output] of Object.entries(file.outputs)) {
    const at = `${path}#/outputs/${name}`;
    const url = readSecret(output.urlFile, readFile, `${at}/urlFile`, problems);
    if (url !== undefined && !isHttpUrl(url)) {
      problems.push(`${at}/urlFile: ${output.urlFile} does not hold an http:// or https:// URL`);
    }
    const token =
      output.tokenFile === undefined
        ? undefined
        : readSecret(output.tokenFile, readFile, `${at}/tokenFile`, problems);
    for (const secret of [url, token]) if (secret) secrets.push(secret);
    const limit = output.rateLimit ?? defaults;
    outputs.set(name, {
      name,
      type: output.type,
      url: url ?? '',
      token,
      headers: output.headers ?? {},
      timeoutMs: output.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      rateLimit: { max: limit.max, windowMs: limit.windowSeconds * 1000 },
      channel: output.channel,
      username: output.username,
    });
  }
  file.routes.forEach((route, i) => {
    route.outputs.forEach((output, j) => {
      if (!outputs.has(output)) {
        problems.push(
          `${path}#/routes/${i}/outputs/${j}: no output named ${JSON.stringify(output)} (outputs: ${[...outputs.keys()].join(', ')})`,
        );
      }
    });
  });
  if (problems.length > 0) throw new NotifyConfigError(problems);
  return {
    outputs,
    routes: file.routes,
    retryMaxDelayMs: file.retry?.maxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS,
    secrets,
  };
}

/** The trimmed content of a secret file, or undefined with a problem that names the file, never its content. */
function readSecret(
  file: string,
  readFile: (path: string) => string,
  at: string,
  problems: string[],
): string | undefined {
  let content: string;
  try {
    content = readFile(file).trim();
  } catch (error) {
    problems.push(`${at}: cannot read ${file} (${codeOf(error)})`);
    return undefined;
  }
  if (content === '') {
    problems.push(`${at}: ${file} is empty`);
    return undefined;
  }
  return content;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function schemaProblems(errors: readonly ErrorObject[] | null | undefined): string[] {
  const problems = new Set<string>();
  for (const error of errors ?? []) {
    const params = error.params as Record<string, unknown>;
    const pointer = error.instancePath === '' ? '/' : error.instancePath;
    switch (error.keyword) {
      case 'additionalProperties':
        problems.add(`${pointer}: unknown property "${String(params['additionalProperty'])}"`);
        break;
      case 'required':
        problems.add(
          `${pointer}: missing required property "${String(params['missingProperty'])}"`,
        );
        break;
      case 'enum':
        problems.add(
          `${pointer}: must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        );
        break;
      case 'propertyNames':
        break; // the 'pattern' error inside says which name
      case 'pattern':
        problems.add(
          `${pointer}${typeof error.propertyName === 'string' ? `/${error.propertyName}` : ''}: an output name is lowercase letters, digits, "_" and "-" (at most 63)`,
        );
        break;
      default:
        problems.add(`${pointer}: ${error.message ?? error.keyword}`);
    }
  }
  return [...problems];
}

/** An fs error's code (ENOENT, EACCES) rather than its message, which repeats the path. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : errorMessage(error);
}
