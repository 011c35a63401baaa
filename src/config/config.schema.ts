import { DEFAULT_API_KEY_NAME, parseApiKeys } from './api-keys';
import type { ApiKeyEntry } from './api-keys';
import { DEFAULT_CORRELATION_SETTINGS } from '../core/event-run/correlation-settings';

/**
 * Every environment variable Shellwatch reads, with its default, its parser and
 * its documentation. This one table is the parser, the validator and the source
 * of the configuration reference in README.md and docs/operations.md.
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

function text(raw: string): string {
  return raw;
}

function brokers(raw: string): string[] | ConfigProblem {
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

function topic(raw: string): string | ConfigProblem {
  return TOPIC_NAME.test(raw)
    ? raw
    : new ConfigProblem('a Kafka topic name: 1-249 characters of letters, digits, ".", "_", "-"');
}

function optionalTopic(raw: string): string | null | ConfigProblem {
  return raw === '' ? null : topic(raw);
}

function indexName(raw: string): string | ConfigProblem {
  return INDEX_NAME.test(raw)
    ? raw
    : new ConfigProblem('an Elasticsearch index name: lowercase, starting with a letter or digit');
}

function optionalIndexName(raw: string): string | null | ConfigProblem {
  return raw === '' ? null : indexName(raw);
}

/** An Elasticsearch time value in whole days or hours (`30d`, `12h`), or empty for none. */
function optionalRetention(raw: string): string | null | ConfigProblem {
  if (raw === '') return null;
  return /^[1-9]\d{0,5}[dh]$/.test(raw)
    ? raw
    : new ConfigProblem('a retention such as 30d or 12h (whole days or hours), or empty to keep');
}

function httpUrl(raw: string): string | ConfigProblem {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // fall through to the problem below
  }
  return new ConfigProblem('an http:// or https:// URL, e.g. http://127.0.0.1:9200');
}

function integer(min: number, max: number) {
  return (raw: string): number | ConfigProblem => {
    const n = Number(raw);
    return /^\d+$/.test(raw.trim()) && n >= min && n <= max
      ? n
      : new ConfigProblem(`a whole number from ${min} to ${max}`);
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T | ConfigProblem =>
    (values as readonly string[]).includes(raw)
      ? (raw as T)
      : new ConfigProblem(`one of ${values.join(', ')}`);
}

function optionalSecret(raw: string): string | null {
  return raw === '' ? null : raw;
}

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

function elasticsearchApiKey(raw: string): string | null | ConfigProblem {
  if (raw === '') return null;
  return /^[A-Za-z0-9+/=_-]+$/.test(raw) || /^[^:\s]+:[^:\s]+$/.test(raw)
    ? raw
    : new ConfigProblem('the base64 "encoded" API key, or id:api_key');
}

function optionalText(raw: string): string | null {
  return raw === '' ? null : raw;
}

function bool(raw: string): boolean | ConfigProblem {
  const value = raw.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  return new ConfigProblem('true or false');
}

function optionalOneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T | null | ConfigProblem =>
    raw === '' ? null : oneOf(values)(raw.toLowerCase());
}

export const DATA_STREAMS_SETTINGS = ['auto', 'off'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export const RULE_ENGINES = ['compiled', 'reference'] as const;
export const RULE_STORES = ['files', 'kafka'] as const;
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** The variables, in the order the docs list them. */
export const CONFIG_VARIABLES = {
  kafkaBrokers: {
    name: 'KAFKA_BROKERS',
    default: '127.0.0.1:9092',
    doc: 'Kafka bootstrap brokers, comma-separated host:port.',
    parse: brokers,
  },
  kafkaTopic: {
    name: 'KAFKA_TOPIC',
    default: 'shell.commands',
    doc: 'Topic the shell command records are consumed from.',
    parse: topic,
  },
  kafkaGroupId: {
    name: 'KAFKA_GROUP_ID',
    default: 'shellwatch',
    doc: 'Consumer group id, used exactly as given (no suffix).',
    parse: topic,
  },
  kafkaDlqTopic: {
    name: 'KAFKA_DLQ_TOPIC',
    default: 'shell.commands.dlq',
    doc: 'Dead-letter topic: records that cannot be decoded or indexed, with the reason in headers.',
    parse: topic,
  },
  kafkaDlqMaxBytes: {
    name: 'KAFKA_DLQ_MAX_BYTES',
    // Under the broker's default max.message.bytes (1,048,588), with room to spare.
    default: '1000000',
    doc: "Most bytes in one produce request to the dead-letter topic, overhead included: dead letters are split to fit, a larger one is cut (docs/errors.md). Keep below the topic's max.message.bytes.",
    parse: integer(16384, 104857600),
  },
  kafkaAlertsTopic: {
    name: 'KAFKA_ALERTS_TOPIC',
    default: 'shell.alerts',
    doc: "Topic every alert is also produced to, keyed by the alert's id, after Elasticsearch acknowledged it and before the source offsets are committed (at-least-once; the notifier consumes it). Empty turns it off.",
    parse: optionalTopic,
  },
  kafkaClientId: {
    name: 'KAFKA_CLIENT_ID',
    default: 'shellwatch',
    doc: 'Kafka client id (appears in broker logs and quotas).',
    parse: topic,
  },
  kafkaPartitionsConcurrently: {
    name: 'KAFKA_PARTITIONS_CONCURRENTLY',
    // 2, not 1: while one partition's batch waits for its bulk request, checkpoint and
    // commit, another's is decoded and evaluated (bench/results/HISTORY.md, 2026-12-06 A/B).
    default: '2',
    doc: "How many partitions one instance processes at the same time (kafkajs partitionsConsumedConcurrently): while one batch waits for Elasticsearch or Kafka, another's records are decoded and evaluated.",
    parse: integer(1, 64),
  },
  kafkaMaxBytesPerPartition: {
    name: 'KAFKA_MAX_BYTES_PER_PARTITION',
    default: '1048576',
    doc: 'Upper bound of one fetch per partition, in bytes: bounds the size of a batch and the memory it holds.',
    parse: integer(1024, 104857600),
  },
  kafkaSsl: {
    name: 'KAFKA_SSL',
    default: 'false',
    doc: 'true connects to the brokers over TLS.',
    parse: bool,
  },
  kafkaSslCaFile: {
    name: 'KAFKA_SSL_CA_FILE',
    default: '',
    doc: 'PEM file of the certificate authority of the brokers (with KAFKA_SSL=true); default: the system CAs.',
    parse: optionalText,
  },
  kafkaSaslMechanism: {
    name: 'KAFKA_SASL_MECHANISM',
    default: '',
    doc: 'plain, scram-sha-256 or scram-sha-512; empty: no SASL. Use with KAFKA_SSL=true outside a trusted network.',
    parse: optionalOneOf(KAFKA_SASL_MECHANISMS),
  },
  kafkaSaslUsername: {
    name: 'KAFKA_SASL_USERNAME',
    default: '',
    doc: 'SASL user (with KAFKA_SASL_MECHANISM and KAFKA_SASL_PASSWORD).',
    parse: optionalText,
  },
  kafkaSaslPassword: {
    name: 'KAFKA_SASL_PASSWORD',
    default: '',
    doc: 'SASL password; prefer KAFKA_SASL_PASSWORD_FILE.',
    secret: true,
    parse: optionalSecret,
  },
  elasticsearchNode: {
    name: 'ES_NODE',
    default: 'http://127.0.0.1:9200',
    doc: 'Elasticsearch URL. Credentials in it are never logged.',
    secret: true,
    parse: httpUrl,
  },
  elasticsearchApiKey: {
    name: 'ES_API_KEY',
    default: '',
    doc: 'Elasticsearch API key: the base64 `encoded` value, or `id:api_key`. Excludes ES_USERNAME/ES_PASSWORD.',
    secret: true,
    parse: elasticsearchApiKey,
  },
  elasticsearchUsername: {
    name: 'ES_USERNAME',
    default: '',
    doc: 'Elasticsearch user for basic authentication (with ES_PASSWORD).',
    parse: optionalText,
  },
  elasticsearchPassword: {
    name: 'ES_PASSWORD',
    default: '',
    doc: 'Password of ES_USERNAME; prefer ES_PASSWORD_FILE.',
    secret: true,
    parse: optionalSecret,
  },
  elasticsearchCaFile: {
    name: 'ES_CA_FILE',
    default: '',
    doc: 'PEM file of the certificate authority that signed the Elasticsearch certificate (https:// ES_NODE only).',
    parse: optionalText,
  },
  elasticsearchTlsVerify: {
    name: 'ES_TLS_VERIFY',
    default: 'true',
    doc: 'false accepts any Elasticsearch certificate (test clusters only; logged as a warning).',
    parse: bool,
  },
  elasticsearchAlertsIndex: {
    name: 'ES_ALERTS_INDEX',
    default: 'shellwatch-alerts',
    doc: 'Index (or data stream name) for alert documents.',
    parse: indexName,
  },
  elasticsearchCommandsIndex: {
    name: 'ES_COMMANDS_INDEX',
    default: 'shellwatch-commands',
    doc: 'Index for every command event, enriched with its matches. Empty turns it off.',
    parse: optionalIndexName,
  },
  elasticsearchAuditIndex: {
    name: 'ES_AUDIT_INDEX',
    default: 'shellwatch-audit',
    doc: 'Index of the audit trail: one document per rule change through the API, with the name of the key used (docs/operations.md). Empty turns it off.',
    parse: optionalIndexName,
  },
  elasticsearchDataStreams: {
    name: 'ES_DATA_STREAMS',
    default: 'auto',
    doc: 'auto writes alerts and commands to data streams with a lifecycle where the cluster offers them (plain indices otherwise, said at start); off keeps plain indices.',
    parse: oneOf(DATA_STREAMS_SETTINGS),
  },
  elasticsearchAlertsRetention: {
    name: 'ES_ALERTS_RETENTION',
    default: '365d',
    doc: 'How long alerts are kept in their data stream (`<n>d` or `<n>h`); empty keeps them. No effect on plain indices.',
    parse: optionalRetention,
  },
  elasticsearchCommandsRetention: {
    name: 'ES_COMMANDS_RETENTION',
    default: '30d',
    doc: 'How long command documents are kept in their data stream (`<n>d` or `<n>h`); empty keeps them. No effect on plain indices.',
    parse: optionalRetention,
  },
  elasticsearchBulkMaxDocuments: {
    name: 'ES_BULK_MAX_DOCUMENTS',
    default: '5000',
    doc: 'Largest number of documents in one bulk request; a bigger batch is sent in several.',
    parse: integer(1, 100000),
  },
  elasticsearchStartupTimeoutMs: {
    name: 'ES_STARTUP_TIMEOUT_MS',
    default: '30000',
    doc: 'How long the service waits for Elasticsearch at start before it exits with an error.',
    parse: integer(0, 3600000),
  },
  retryMaxDelayMs: {
    name: 'RETRY_MAX_DELAY_MS',
    default: '30000',
    doc: 'Ceiling of the exponential back-off between attempts to write a batch (Elasticsearch down or overloaded).',
    parse: integer(100, 600000),
  },
  rulesDir: {
    name: 'RULES_DIR',
    default: './rules',
    doc: 'Folder of rule files (one JSON file per rule, sub-folders allowed; named lists under lists/).',
    parse: text,
  },
  rulesStore: {
    name: 'RULES_STORE',
    default: 'files',
    doc: 'files: the rules are the files of RULES_DIR (one instance, GitOps). kafka: the rules are the compacted topic RULES_TOPIC, shared by every replica; API changes go to the topic (docs/operations.md, "The rule store").',
    parse: oneOf(RULE_STORES),
  },
  rulesTopic: {
    name: 'RULES_TOPIC',
    default: 'shellwatch.rules',
    doc: 'With RULES_STORE=kafka: the compacted topic of the rules (one partition; created when missing).',
    parse: topic,
  },
  rulesTopicTimeoutMs: {
    name: 'RULES_TOPIC_TIMEOUT_MS',
    default: '10000',
    doc: 'With RULES_STORE=kafka: how long an API change waits for Kafka to take its record and for this replica to apply it before answering 503/504.',
    parse: integer(500, 600000),
  },
  rulesEngine: {
    name: 'RULES_ENGINE',
    default: 'compiled',
    doc: 'compiled (fast, the default) or reference (json-rules-engine itself, for comparison).',
    parse: oneOf(RULE_ENGINES),
  },
  inputFormat: {
    name: 'INPUT_FORMAT',
    default: 'auto',
    doc: 'Format of the records: auto (detected per record) or a fixed format name (see docs/inputs.md).',
    parse: text,
  },
  inputFormatsFile: {
    name: 'INPUT_FORMATS_FILE',
    default: '',
    doc: 'JSON file of operator-defined formats (named-capture regex or delimiter split; docs/inputs.md). Empty: none.',
    parse: text,
  },
  inputFormatHeader: {
    name: 'INPUT_FORMAT_HEADER',
    default: '',
    doc: "Kafka header whose value names a record's format, overriding INPUT_FORMAT per record. Empty: not used.",
    parse: text,
  },
  httpPort: {
    name: 'HTTP_PORT',
    default: '3000',
    doc: 'Port of the HTTP API (rules, health, metrics).',
    parse: integer(0, 65535),
  },
  httpHost: {
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
  logLevel: {
    name: 'LOG_LEVEL',
    default: 'info',
    doc: 'fatal, error, warn, info, debug or trace. Command lines appear only at debug.',
    parse: oneOf(LOG_LEVELS),
  },
  stuckPartitionAfterMs: {
    name: 'STUCK_PARTITION_AFTER_MS',
    default: '60000',
    doc: 'How long a batch may keep failing to be written before /health/ready reports its partition stuck, with the cause (at once when retrying cannot cure it).',
    parse: integer(0, 86400000),
  },
  shutdownTimeoutMs: {
    name: 'SHUTDOWN_TIMEOUT_MS',
    default: '10000',
    doc: 'On SIGTERM/SIGINT, how long to wait for the batch in flight before leaving anyway, whatever the service is doing (exit code 0; uncommitted work is redelivered).',
    parse: integer(0, 600000),
  },
  correlationGraceMs: {
    name: 'CORRELATION_GRACE_MS',
    default: String(DEFAULT_CORRELATION_SETTINGS.graceMs),
    doc: 'Correlation rules: how far behind the highest @timestamp seen in a partition an event may arrive and still join windows; older events are counted as late (docs/correlation.md).',
    parse: integer(0, 86400000),
  },
  correlationMaxKeys: {
    name: 'CORRELATION_MAX_KEYS',
    default: String(DEFAULT_CORRELATION_SETTINGS.maxKeys),
    doc: 'Correlation rules: at most this many group keys per partition; beyond it the least recently updated key is shed (metric shellwatch_correlation_shed_keys_total).',
    parse: integer(1, 10000000),
  },
  notifyConfigFile: {
    name: 'NOTIFY_CONFIG_FILE',
    default: '',
    doc: 'Notifier mode (node dist/src/notifier/main.js): JSON file of outputs and routes (docs/operations.md, "Notifications"). Required in that mode; unused by the service.',
    parse: text,
  },
  notifyGroupId: {
    name: 'NOTIFY_GROUP_ID',
    default: 'shellwatch-notifier',
    doc: 'Notifier mode: consumer group of the alerts topic (KAFKA_ALERTS_TOPIC), used exactly as given.',
    parse: topic,
  },
  notifyDlqTopic: {
    name: 'NOTIFY_DLQ_TOPIC',
    default: 'shell.alerts.notify-dlq',
    doc: 'Notifier mode: dead-letter topic for notifications a receiver refused for good (4xx other than 408/429), with the reason in headers.',
    parse: topic,
  },
} as const satisfies Record<string, ConfigVariable<unknown>>;
