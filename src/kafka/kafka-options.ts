import { logLevel } from 'kafkajs';
import type { KafkaConfig, LogEntry } from 'kafkajs';
import type { Logger } from '@nestjs/common';
import type { KafkaSecurityOptions } from './kafka-security';

/** kafkajs log levels mapped onto Nest's logger, quiet unless something is wrong. */
export function kafkaClientConfig(
  brokers: string[],
  clientId: string,
  logger: Logger,
  security: KafkaSecurityOptions = {},
  onError: (message: string) => void = () => undefined,
): KafkaConfig {
  return {
    brokers,
    clientId,
    ...security,
    logLevel: logLevel.WARN,
    // Start-up and reconnection retries are ours (with clear log lines), so the
    // client's own retry budget stays small and predictable.
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5000 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...context } = log;
        const line = `${message} ${JSON.stringify(context)}`;
        // kafkajs logs at ERROR what it is about to retry; the decisions (give up,
        // crash, restart) are logged by our code. So its errors are our warnings.
        if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(line);
        else logger.debug(line);
        // The cause readiness gives for a consumer that is not running (a lost broker
        // shows here first, as "Connection error: connect ECONNREFUSED …").
        if (level === logLevel.ERROR && !NOT_A_CAUSE.some((start) => message.startsWith(start))) {
          onError(errorLine(message, context));
        }
      },
  };
}

/**
 * Lines kafkajs logs at ERROR that announce what it does next and name no cause:
 * kept as "the last error" they hid the one that did (seen in a broker outage:
 * "Restarting the consumer in 5000ms" replaced "connect ECONNREFUSED …").
 */
const NOT_A_CAUSE = ['Restarting the consumer', 'Failed to connect to broker, reconnecting'];

/** One line for an error kafkajs logged: its message and the broker it concerns. */
function errorLine(message: string, context: Record<string, unknown>): string {
  const broker = typeof context.broker === 'string' ? context.broker : undefined;
  const text =
    broker !== undefined && !message.includes(broker) ? `${message} (broker ${broker})` : message;
  return text.slice(0, 300);
}

/** Kafka headers to plain strings (kafkajs gives Buffers, strings or arrays of them). */
export function headersToStrings(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  if (!headers) return result;
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[key] = first.toString();
  }
  return result;
}
