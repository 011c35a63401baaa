import { Logger } from '@nestjs/common';
import { Partitioners } from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import { ShellwatchError } from '../core/errors';
import type { DeadLetter } from '../core/process-batch';
import {
  capMessage,
  isMinimal,
  minimalMessage,
  splitIntoRequests,
  TRUNCATION_HEADERS,
} from './dead-letter-requests';
import type { DeadLetterMessage } from './dead-letter-requests';
import { classifyKafkaError, describeKafkaError } from './kafka-errors';
import type { KafkaFailure } from './kafka-errors';

/** Headers a dead-lettered record carries, so it can be inspected and replayed. */
export const DLQ_HEADERS = {
  reason: 'shellwatch.reason',
  message: 'shellwatch.error',
  topic: 'shellwatch.source.topic',
  partition: 'shellwatch.source.partition',
  offset: 'shellwatch.source.offset',
  ...TRUNCATION_HEADERS,
} as const;

/**
 * The dead-letter topic did not take a batch's dead letters. `retriable` when
 * the same request may pass later (connection lost, leader moving); otherwise a
 * person must act (authorization, a topic that refuses even a minimal letter),
 * and the partition cannot move on until then.
 */
export class DeadLetterWriteError extends ShellwatchError {
  constructor(
    readonly failure: KafkaFailure,
    dlqTopic: string,
    cause: unknown,
    context: Record<string, unknown>,
  ) {
    super(
      'DLQ_WRITE_FAILED',
      `writing dead letters to ${dlqTopic}: ${describeKafkaError(cause)}`,
      failure === 'retriable',
      context,
      { cause },
    );
  }
}

/**
 * Writes records that cannot become documents to the dead-letter topic: the
 * original bytes and headers, the reason added. A batch's letters go in produce
 * requests that each fit under `maxBytes`, a letter larger than that is cut and
 * says so in its headers (dead-letter-requests.ts). Resolves only when the
 * broker has acknowledged every letter (acks=all), which is what allows the
 * source to commit past the records.
 */
export class DeadLetterProducer {
  private readonly producer: Producer;
  private readonly logger = new Logger('DeadLetters');

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

  /** The delivery of one batch's dead letters: call `deliver()` until it resolves. */
  delivery(sourceTopic: string, partition: number, letters: DeadLetter[]): DeadLetterDelivery {
    const messages = letters.map((letter) =>
      capMessage(deadLetterMessage(sourceTopic, partition, letter), this.maxBytes),
    );
    return new DeadLetterDelivery(
      splitIntoRequests(messages, this.maxBytes),
      (request) => this.produce(request),
      { dlqTopic: this.topic, sourceTopic, partition },
      this.logger,
    );
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  private async produce(request: DeadLetterMessage[]): Promise<void> {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: request.map(({ key, value, headers }) => ({ key, value, headers })),
    });
  }
}

/**
 * The produce requests of one batch's dead letters, sent in order; what the
 * broker acknowledged is not sent again when `deliver()` is called after a
 * failure. A request the broker refuses as such (records-refused) is split in
 * two until a single letter is left, and that letter is then written minimal
 * (no value, Shellwatch's headers only, `shellwatch.dlq.refused` saying why):
 * a permanent refusal is never retried as it is. What remains is thrown as a
 * DeadLetterWriteError for the caller to retry.
 */
export class DeadLetterDelivery {
  constructor(
    private readonly pending: DeadLetterMessage[][],
    private readonly produce: (request: DeadLetterMessage[]) => Promise<void>,
    private readonly where: { dlqTopic: string; sourceTopic: string; partition: number },
    private readonly logger?: Pick<Logger, 'warn'>,
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
          throw new DeadLetterWriteError(classifyKafkaError(error), this.where.dlqTopic, error, {
            topic: this.where.sourceTopic,
            partition: this.where.partition,
            offset: request[0]?.ownHeaders[DLQ_HEADERS.offset],
          });
        }
      }
    }
  }

  /** Replaces a refused request by smaller ones; false when nothing smaller is left. */
  private reduce(request: DeadLetterMessage[], error: unknown): boolean {
    if (classifyKafkaError(error) !== 'records-refused') return false;
    if (request.length > 1) {
      const half = Math.ceil(request.length / 2);
      this.pending.splice(0, 1, request.slice(0, half), request.slice(half));
      return true;
    }
    const [letter] = request;
    if (letter === undefined || isMinimal(letter)) return false;
    const refused = describeKafkaError(error);
    this.logger?.warn(
      `dead letter of ${this.where.sourceTopic}[${this.where.partition}] offset ${letter.ownHeaders[DLQ_HEADERS.offset] ?? '?'} refused by ${this.where.dlqTopic} (${refused}); writing it without its value`,
    );
    this.pending.splice(0, 1, [minimalMessage(letter, refused)]);
    return true;
  }
}

/** The dead letter as produced: key `topic:partition:offset`, the original bytes and headers. */
function deadLetterMessage(
  sourceTopic: string,
  partition: number,
  letter: DeadLetter,
): DeadLetterMessage {
  const ownHeaders = {
    [DLQ_HEADERS.reason]: letter.reason,
    [DLQ_HEADERS.message]: letter.message.slice(0, 1000),
    [DLQ_HEADERS.topic]: sourceTopic,
    [DLQ_HEADERS.partition]: String(partition),
    [DLQ_HEADERS.offset]: letter.offset,
  };
  return {
    key: `${sourceTopic}:${partition}:${letter.offset}`,
    value: letter.record.value === null ? null : Buffer.from(letter.record.value),
    headers: { ...letter.record.headers, ...ownHeaders },
    ownHeaders,
  };
}
