import {
  bool,
  brokers,
  integer,
  optionalOneOf,
  optionalSecret,
  optionalText,
  optionalTopic,
  topic,
} from '../config-variable';
import type { ConfigVariable } from '../config-variable';

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/** Kafka: the brokers and how to reach them, the consumed topic and group, the dead-letter and alerts topics, fetch sizes. */
export const KAFKA_CONFIG = {
  brokers: {
    name: 'KAFKA_BROKERS',
    default: '127.0.0.1:9092',
    doc: 'Kafka bootstrap brokers, comma-separated host:port.',
    parse: brokers,
  },
  topic: {
    name: 'KAFKA_TOPIC',
    default: 'shell.commands',
    doc: 'Topic the shell command records are consumed from.',
    parse: topic,
  },
  groupId: {
    name: 'KAFKA_GROUP_ID',
    default: 'shellwatch',
    doc: 'Consumer group id, used exactly as given (no suffix).',
    parse: topic,
  },
  dlqTopic: {
    name: 'KAFKA_DLQ_TOPIC',
    default: 'shell.commands.dlq',
    doc: 'Dead-letter topic: records that cannot be decoded or indexed, with the reason in headers.',
    parse: topic,
  },
  dlqMaxBytes: {
    name: 'KAFKA_DLQ_MAX_BYTES',
    // Under the broker's default max.message.bytes (1,048,588), with room to spare.
    default: '1000000',
    doc: "Most bytes in one produce request to the dead-letter topic, overhead included: dead letters are split to fit, a larger one is cut (docs/errors.md). Keep below the topic's max.message.bytes.",
    parse: integer(16384, 104857600),
  },
  alertsTopic: {
    name: 'KAFKA_ALERTS_TOPIC',
    default: 'shell.alerts',
    doc: "Topic every alert is also produced to, keyed by the alert's id, after Elasticsearch acknowledged it and before the source offsets are committed (at-least-once; the notifier consumes it). Empty turns it off.",
    parse: optionalTopic,
  },
  clientId: {
    name: 'KAFKA_CLIENT_ID',
    default: 'shellwatch',
    doc: 'Kafka client id (appears in broker logs and quotas).',
    parse: topic,
  },
  partitionsConcurrently: {
    name: 'KAFKA_PARTITIONS_CONCURRENTLY',
    // 2, not 1: while one partition's batch waits for its bulk request, checkpoint and
    // commit, another's is decoded and evaluated (bench/results/HISTORY.md, 2026-12-06 A/B).
    default: '2',
    doc: "How many partitions one instance processes at the same time (kafkajs partitionsConsumedConcurrently): while one batch waits for Elasticsearch or Kafka, another's records are decoded and evaluated.",
    parse: integer(1, 64),
  },
  maxBytesPerPartition: {
    name: 'KAFKA_MAX_BYTES_PER_PARTITION',
    default: '1048576',
    doc: 'Upper bound of one fetch per partition, in bytes: bounds the size of a batch and the memory it holds.',
    parse: integer(1024, 104857600),
  },
  sessionTimeoutMs: {
    name: 'KAFKA_SESSION_TIMEOUT_MS',
    // 10 s, not kafkajs's 30 s: after a broker restart the consumer rejoins as a new member
    // and the group waits for the old one's session to expire first (kafka-rejoin.e2e:
    // first alert 31.9 s after the broker returned at 30 s, see docs/operations.md).
    default: '10000',
    doc: "Consumer group session of the service's and the notifier's consumers: how long the group waits for a silent instance before giving its partitions to the others (heartbeats every tenth of it, also during a batch or a webhook delivery). After a broker restart consuming resumes about this long after the broker is back. Between the broker's group.min.session.timeout.ms (6000) and group.max.session.timeout.ms.",
    parse: integer(6000, 1800000),
  },
  ssl: {
    name: 'KAFKA_SSL',
    default: 'false',
    doc: 'true connects to the brokers over TLS.',
    parse: bool,
  },
  sslCaFile: {
    name: 'KAFKA_SSL_CA_FILE',
    default: '',
    doc: 'PEM file of the certificate authority of the brokers (with KAFKA_SSL=true); default: the system CAs.',
    parse: optionalText,
  },
  saslMechanism: {
    name: 'KAFKA_SASL_MECHANISM',
    default: '',
    doc: 'plain, scram-sha-256 or scram-sha-512; empty: no SASL. Use with KAFKA_SSL=true outside a trusted network.',
    parse: optionalOneOf(KAFKA_SASL_MECHANISMS),
  },
  saslUsername: {
    name: 'KAFKA_SASL_USERNAME',
    default: '',
    doc: 'SASL user (with KAFKA_SASL_MECHANISM and KAFKA_SASL_PASSWORD).',
    parse: optionalText,
  },
  saslPassword: {
    name: 'KAFKA_SASL_PASSWORD',
    default: '',
    doc: 'SASL password; prefer KAFKA_SASL_PASSWORD_FILE.',
    secret: true,
    parse: optionalSecret,
  },
} as const satisfies Record<string, ConfigVariable<unknown>>;
