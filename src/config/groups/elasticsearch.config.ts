import {
  bool,
  ConfigProblem,
  httpUrl,
  indexName,
  integer,
  oneOf,
  optionalIndexName,
  optionalRetention,
  optionalSecret,
  optionalText,
} from '../config-variable';
import type { ConfigVariable } from '../config-variable';

export const DATA_STREAMS_SETTINGS = ['auto', 'off'] as const;

function elasticsearchApiKey(raw: string): string | null | ConfigProblem {
  if (raw === '') return null;
  return /^[A-Za-z0-9+/=_-]+$/.test(raw) || /^[^:\s]+:[^:\s]+$/.test(raw)
    ? raw
    : new ConfigProblem('the base64 "encoded" API key, or id:api_key');
}

/** Elasticsearch: the node and its credentials, the indices and data streams written, bulk size and the write retry ceiling. */
export const ELASTICSEARCH_CONFIG = {
  node: {
    name: 'ES_NODE',
    default: 'http://127.0.0.1:9200',
    doc: 'Elasticsearch URL. Credentials in it are never logged.',
    secret: true,
    parse: httpUrl,
  },
  apiKey: {
    name: 'ES_API_KEY',
    default: '',
    doc: 'Elasticsearch API key: the base64 `encoded` value, or `id:api_key`. Excludes ES_USERNAME/ES_PASSWORD.',
    secret: true,
    parse: elasticsearchApiKey,
  },
  username: {
    name: 'ES_USERNAME',
    default: '',
    doc: 'Elasticsearch user for basic authentication (with ES_PASSWORD).',
    parse: optionalText,
  },
  password: {
    name: 'ES_PASSWORD',
    default: '',
    doc: 'Password of ES_USERNAME; prefer ES_PASSWORD_FILE.',
    secret: true,
    parse: optionalSecret,
  },
  caFile: {
    name: 'ES_CA_FILE',
    default: '',
    doc: 'PEM file of the certificate authority that signed the Elasticsearch certificate (https:// ES_NODE only).',
    parse: optionalText,
  },
  tlsVerify: {
    name: 'ES_TLS_VERIFY',
    default: 'true',
    doc: 'false accepts any Elasticsearch certificate (test clusters only; logged as a warning).',
    parse: bool,
  },
  alertsIndex: {
    name: 'ES_ALERTS_INDEX',
    default: 'shellwatch-alerts',
    doc: 'Index (or data stream name) for alert documents.',
    parse: indexName,
  },
  commandsIndex: {
    name: 'ES_COMMANDS_INDEX',
    default: 'shellwatch-commands',
    doc: 'Index for every command event, enriched with its matches. Empty turns it off.',
    parse: optionalIndexName,
  },
  auditIndex: {
    name: 'ES_AUDIT_INDEX',
    default: 'shellwatch-audit',
    doc: 'Index of the audit trail: one document per rule change through the API (with the name of the key used) or `shellwatch rules push` (docs/operations.md). Empty turns it off.',
    parse: optionalIndexName,
  },
  dataStreams: {
    name: 'ES_DATA_STREAMS',
    default: 'auto',
    doc: 'auto writes alerts and commands to data streams with a lifecycle where the cluster offers them (plain indices otherwise, said at start); off keeps plain indices.',
    parse: oneOf(DATA_STREAMS_SETTINGS),
  },
  alertsRetention: {
    name: 'ES_ALERTS_RETENTION',
    default: '365d',
    doc: 'How long alerts are kept in their data stream (`<n>d` or `<n>h`); empty keeps them. No effect on plain indices.',
    parse: optionalRetention,
  },
  commandsRetention: {
    name: 'ES_COMMANDS_RETENTION',
    default: '30d',
    doc: 'How long command documents are kept in their data stream (`<n>d` or `<n>h`); empty keeps them. No effect on plain indices.',
    parse: optionalRetention,
  },
  bulkMaxDocuments: {
    name: 'ES_BULK_MAX_DOCUMENTS',
    default: '5000',
    doc: 'Largest number of documents in one bulk request; a bigger batch is sent in several.',
    parse: integer(1, 100000),
  },
  startupTimeoutMs: {
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
} as const satisfies Record<string, ConfigVariable<unknown>>;
