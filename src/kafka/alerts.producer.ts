import { Partitioners } from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import { alertFields } from '../core/alerts/alert-fields';
import { ShellwatchError } from '../core/errors';
import {
  RECORD_BATCH_OVERHEAD_BYTES,
  recordBytes,
  TRUNCATION_HEADERS,
} from './dead-letter-requests';
import { chunkByBytes } from './chunk-by-bytes';
import { classifyKafkaError, describeKafkaError } from './kafka-errors';
import type { KafkaFailure } from './kafka-errors';

/** Headers of a record of the alerts topic. */
export const ALERT_HEADERS = {
  /** The alert's deterministic id (also the record key): the same after a redelivery. */
  id: 'shellwatch.alert.id',
  truncated: TRUNCATION_HEADERS.truncated,
  originalSize: TRUNCATION_HEADERS.originalSize,
} as const;

/** One alert to publish: its document id and its document. */
export interface PublishedAlert {
  id: string;
  body: Record<string, unknown>;
}

/** One record for the alerts topic, as it will be produced. */
export interface AlertMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** The alerts topic did not take a batch's alerts; `retriable` as the Kafka error says. */
export class AlertsWriteError extends ShellwatchError {
  constructor(
    readonly failure: KafkaFailure,
    topic: string,
    cause: unknown,
  ) {
    super(
      'ALERTS_WRITE_FAILED',
      `writing alerts to ${topic}: ${describeKafkaError(cause)}`,
      failure === 'retriable',
      { topic },
      { cause },
    );
  }
}

/**
 * Produces alerts to the alerts topic (KAFKA_ALERTS_TOPIC), keyed by the
 * alert's deterministic id so that a redelivered batch produces the same key
 * again and every copy of one alert lands in the same partition. Like the
 * dead-letter producer, a batch's alerts go in produce requests under
 * `maxBytes`, and an alert too large for one is replaced by its summary
 * (alertSummary), flagged in its headers.
 */
export class AlertsProducer {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    readonly topic: string,
    private readonly maxBytes: number,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  /** The delivery of one batch's alerts: call `deliver()` until it resolves. */
  delivery(alerts: readonly PublishedAlert[]): AlertsDelivery {
    const messages = alerts.map((alert) => capAlertMessage(alertMessage(alert), this.maxBytes));
    return new AlertsDelivery(
      chunkByBytes(messages, this.maxBytes, recordBytes, RECORD_BATCH_OVERHEAD_BYTES),
      (request) => this.produce(request),
      this.topic,
    );
  }

  private async produce(request: AlertMessage[]): Promise<void> {
    await this.producer.send({ topic: this.topic, acks: -1, messages: request });
  }
}

/**
 * The produce requests of one batch's alerts, sent in order; what the broker
 * acknowledged is not sent again when `deliver()` is called after a failure. A
 * request refused as such (records-refused) is split in two; a single alert
 * still refused is sent as its summary; what remains is thrown as an
 * AlertsWriteError for the caller to retry.
 */
export class AlertsDelivery {
  constructor(
    private readonly pending: AlertMessage[][],
    private readonly produce: (request: AlertMessage[]) => Promise<void>,
    private readonly topic: string,
  ) {}

  /** Requests still to be written. */
  get remaining(): number {
    return this.pending.length;
  }

  async deliver(): Promise<void> {
    for (let request = this.pending[0]; request !== undefined; request = this.pending[0]) {
      try {
        await this.produce(request);
        this.pending.shift();
      } catch (error) {
        if (!this.reduce(request, error)) {
          throw new AlertsWriteError(classifyKafkaError(error), this.topic, error);
        }
      }
    }
  }

  private reduce(request: AlertMessage[], error: unknown): boolean {
    if (classifyKafkaError(error) !== 'records-refused') return false;
    if (request.length > 1) {
      const half = Math.ceil(request.length / 2);
      this.pending.splice(0, 1, request.slice(0, half), request.slice(half));
      return true;
    }
    const [message] = request;
    if (message === undefined || message.headers[ALERT_HEADERS.truncated] !== undefined) {
      return false;
    }
    this.pending.splice(0, 1, [summaryMessage(message)]);
    return true;
  }
}

function alertMessage(alert: PublishedAlert): AlertMessage {
  return {
    key: alert.id,
    value: Buffer.from(JSON.stringify(alert.body)),
    headers: { [ALERT_HEADERS.id]: alert.id },
  };
}

/** The message itself when it fits in one request of `maxBytes`, else its summary. */
export function capAlertMessage(message: AlertMessage, maxBytes: number): AlertMessage {
  return recordBytes(message) <= maxBytes - RECORD_BATCH_OVERHEAD_BYTES
    ? message
    : summaryMessage(message);
}

function summaryMessage(message: AlertMessage): AlertMessage {
  let document: unknown;
  try {
    document = JSON.parse(message.value.toString('utf8'));
  } catch {
    document = {};
  }
  return {
    key: message.key,
    value: Buffer.from(JSON.stringify(alertSummary(document))),
    headers: {
      ...message.headers,
      [ALERT_HEADERS.truncated]: 'value',
      [ALERT_HEADERS.originalSize]: String(message.value.length),
    },
  };
}

/**
 * What is left of an alert too large for the topic: the fields the notifier
 * routes and reports on, as flattened keys (alert-fields.ts reads them), and
 * `shellwatch.truncated`. The whole document is in Elasticsearch under the same id.
 */
export function alertSummary(document: unknown): Record<string, unknown> {
  const fields = alertFields(document);
  return {
    '@timestamp': fields.timestamp,
    'shellwatch.rule.id': fields.ruleId,
    'shellwatch.rule.name': fields.ruleName,
    'shellwatch.rule.severity': fields.severity,
    'shellwatch.rule.tags': fields.tags,
    'host.name': fields.host,
    'user.name': fields.user,
    'shellwatch.truncated': true,
  };
}
