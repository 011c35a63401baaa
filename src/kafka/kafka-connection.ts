import { Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { AlertsProducer } from './alerts.producer';
import { DeadLetterProducer } from './dead-letter.producer';
import { kafkaClientConfig } from './kafka-options';
import type { KafkaSecurityOptions } from './kafka-security';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  dlqTopic: string;
  /** Byte budget of one produce request to the dead-letter topic (KAFKA_DLQ_MAX_BYTES). */
  dlqMaxBytes: number;
  /** Topic alerts are also produced to (KAFKA_ALERTS_TOPIC); null: none. Same byte budget as the DLQ. */
  alertsTopic?: string | null;
  /** TLS and SASL (from kafkaSecurityOptions); none by default. */
  security?: KafkaSecurityOptions;
}

/**
 * The one kafkajs client of the process, shared by the consumer (the transport
 * strategy) and the dead-letter producer. kafkajs sees few releases, so nothing
 * outside src/kafka imports it.
 */
export class KafkaConnection {
  readonly kafka: Kafka;
  readonly deadLetters: DeadLetterProducer;
  /** The alerts topic's producer; undefined when KAFKA_ALERTS_TOPIC is empty. */
  readonly alerts: AlertsProducer | undefined;
  private lastErrorLine: string | undefined;
  private readonly errorListeners: ((line: string) => void)[] = [];

  constructor(options: KafkaConnectionOptions) {
    this.kafka = new Kafka(
      kafkaClientConfig(
        options.brokers,
        options.clientId,
        new Logger('Kafka'),
        options.security,
        (line) => this.errorSeen(line),
      ),
    );
    this.deadLetters = new DeadLetterProducer(this.kafka, options.dlqTopic, options.dlqMaxBytes);
    this.alerts = options.alertsTopic
      ? new AlertsProducer(this.kafka, options.alertsTopic, options.dlqMaxBytes)
      : undefined;
  }

  /** The last error the client logged since forgetLastError(), e.g. "Connection error: connect ECONNREFUSED …". */
  get lastError(): string | undefined {
    return this.lastErrorLine;
  }

  /** Called when the consumer is running again: older errors no longer explain anything. */
  forgetLastError(): void {
    this.lastErrorLine = undefined;
  }

  /** `listener` hears of every error the client logs. */
  onError(listener: (line: string) => void): void {
    this.errorListeners.push(listener);
  }

  private errorSeen(line: string): void {
    this.lastErrorLine = line;
    for (const listener of this.errorListeners) listener(line);
  }
}
