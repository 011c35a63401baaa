import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import type { LogFn, Logger, LoggerOptions } from 'pino';
import type { Config } from '../config/config';

/**
 * Structured JSON logs (pino through nestjs-pino), one line per event of note.
 *
 * Quiet by design: no request lines at info (at debug and trace, one per
 * request except the probes and the scrape), Nest's start-up chatter (modules
 * loaded, routes mapped) moved to debug. Nothing sensitive: request headers
 * are not logged at all (the request serializer keeps method and url), the
 * usual secret-bearing keys are redacted, and, as a last line of defence, the
 * configured secrets (API_KEY, ES_API_KEY, ES_PASSWORD, KAFKA_SASL_PASSWORD,
 * a password in ES_NODE) are replaced by *** wherever they appear in a line.
 * Command lines and alert contents are the caller's duty: debug only.
 */
export function loggerParams(config: Config): Params {
  const verbose = config.logging.level === 'debug' || config.logging.level === 'trace';
  return {
    pinoHttp: {
      ...pinoOptions(config),
      autoLogging: verbose ? { ignore: (req: IncomingMessage) => isProbe(req.url) } : false,
      customLogLevel: () => 'debug',
      quietReqLogger: true,
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
        // The wrapped serializer's statusCode is null until headers are sent; the raw one is not.
        res: (res: { statusCode?: number | null; raw?: { statusCode?: number } }) => ({
          statusCode: res.raw?.statusCode ?? res.statusCode,
        }),
      },
    },
  };
}

/** Keys whose values never reach a log line, wherever they appear (one level deep). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'authorization',
  'password',
  'apiKey',
  'api_key',
  '*.authorization',
  '*.password',
  '*.apiKey',
  '*.api_key',
];

/** Nest's own start-up lines: one per module and route, not events an operator needs at info. */
const NEST_CHATTER = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
]);

const INFO = 30;

/** The pino options (without the HTTP part): level, format, redaction, secret scrubbing. */
export function pinoOptions(config: Config): LoggerOptions {
  const secrets = secretValues(config);
  return {
    level: config.logging.level,
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '***' },
    hooks: {
      logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number): void {
        const cleaned = args.map((arg: unknown) => scrub(arg, secrets, 2));
        if (level === INFO && isNestChatter(cleaned[0])) {
          Reflect.apply(this.debug, this, cleaned);
          return;
        }
        Reflect.apply(method, this, cleaned);
      },
    },
  };
}

/** The configured secret values, longest first (so a secret containing another is replaced whole). */
export function secretValues(config: Config): string[] {
  const values = [
    config.http.apiKey,
    ...config.http.apiKeys.map((entry) => entry.key),
    config.elasticsearch.apiKey,
    // id:api_key: the id is not a secret, the key is.
    ...(config.elasticsearch.apiKey?.split(':').slice(1) ?? []),
    config.elasticsearch.password,
    config.kafka.saslPassword,
    urlPassword(config.elasticsearch.node),
  ];
  const secrets = new Set<string>();
  for (const value of values) {
    if (value) {
      secrets.add(value);
      secrets.add(encodeURIComponent(value));
    }
  }
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** `text` with every secret replaced by ***. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join('***');
  return result;
}

/** Scrubs strings, errors and (to `depth`) plain objects; other values pass unchanged. */
export function scrub(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return scrubText(value, secrets);
  if (value instanceof Error) {
    return {
      type: value.name,
      message: scrubText(value.message, secrets),
      ...(value.stack ? { stack: scrubText(value.stack, secrets) } : {}),
    };
  }
  if (depth > 0 && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, scrub(inner, secrets, depth - 1)]),
    );
  }
  return value;
}

function isNestChatter(first: unknown): boolean {
  if (first === null || typeof first !== 'object') return false;
  const context = (first as { context?: unknown }).context;
  return typeof context === 'string' && NEST_CHATTER.has(context);
}

function isProbe(url: string | undefined): boolean {
  return url !== undefined && /^\/(health|metrics)(\/|\?|$)/.test(url);
}

function urlPassword(url: string): string | null {
  try {
    const password = new URL(url).password;
    return password === '' ? null : decodeURIComponent(password);
  } catch {
    return null;
  }
}
