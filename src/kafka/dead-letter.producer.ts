import { Partitioners } from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import type { DeadLetter } from '../core/process-batch';

/** Headers a dead-lettered record carries, so it can be inspected and replayed. */
export const DLQ_HEADERS = {
  reason: 'shellwatch.reason',
  message: 'shellwatch.error',
  topic: 'shellwatch.source.topic',
  partition: 'shellwatch.source.partition',
  offset: 'shellwatch.source.offset',
} as const;

/**
 * Writes records that cannot become documents to the dead-letter topic: the
 * original bytes untouched, the original headers kept, the reason added.
 * `send` resolves only when the broker has acknowledged (acks=all), which is
 * what allows the source to commit past the record.
 */
export class DeadLetterProducer {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async send(sourceTopic: string, partition: number, letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map((letter) => ({
        key: `${sourceTopic}:${partition}:${letter.offset}`,
        value: letter.record.value === null ? null : Buffer.from(letter.record.value),
        headers: {
          ...letter.record.headers,
          [DLQ_HEADERS.reason]: letter.reason,
          [DLQ_HEADERS.message]: letter.message.slice(0, 1000),
          [DLQ_HEADERS.topic]: sourceTopic,
          [DLQ_HEADERS.partition]: String(partition),
          [DLQ_HEADERS.offset]: letter.offset,
        },
      })),
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
