import { errorMessage } from '../core/errors';
/**
 * What a kafkajs error means for the one who sent the request. kafkajs errors
 * carry `retriable` and, for broker answers, the protocol error `type`; its own
 * retrier wraps the error it gave up on (`KafkaJSNumberOfRetriesExceeded`,
 * `KafkaJSNonRetriableError`) and keeps it as `cause`. So the answer is read
 * from the innermost error, not from the wrapper: "retries exceeded" on a
 * connection refused is still worth trying again later.
 */
export type KafkaFailure =
  /** The broker refused these records as such: a smaller or emptier request may pass. */
  | 'records-refused'
  /** Trying the same request again later may succeed (connection, leader election). */
  | 'retriable'
  /** Neither: a person must act (authorization, invalid topic, …). */
  | 'permanent';

/**
 * Protocol errors that refuse the records of the request, not the topic or the
 * client: MESSAGE_TOO_LARGE (a record batch over max.message.bytes),
 * RECORD_LIST_TOO_LARGE (over the segment size), INVALID_RECORD (a record that
 * fails the broker's validation, e.g. a missing key on a compacted topic).
 */
const RECORDS_REFUSED = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

interface ErrorLike {
  name?: unknown;
  type?: unknown;
  retriable?: unknown;
  cause?: unknown;
  message?: unknown;
}

/** The innermost error of a kafkajs error chain (`cause` links). */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10; depth += 1) {
    const cause = (current as ErrorLike | null)?.cause;
    if (cause === undefined || cause === null || cause === current) break;
    current = cause;
  }
  return current;
}

/** The broker's protocol error type (e.g. `MESSAGE_TOO_LARGE`) anywhere in the chain. */
export function kafkaErrorType(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth += 1) {
    const type = (current as ErrorLike).type;
    if (typeof type === 'string') return type;
    current = (current as ErrorLike).cause;
  }
  return undefined;
}

/** How a failed produce request should be handled; see KafkaFailure. */
export function classifyKafkaError(error: unknown): KafkaFailure {
  const type = kafkaErrorType(error);
  if (type !== undefined && RECORDS_REFUSED.has(type)) return 'records-refused';
  const root = rootCause(error) as ErrorLike | null;
  // Not a kafkajs error (a bug, a TypeError): retrying will not change it.
  if (root === null || typeof root !== 'object' || typeof root.retriable !== 'boolean') {
    return 'permanent';
  }
  return root.retriable ? 'retriable' : 'permanent';
}

/** `TYPE: message` of the innermost error, for logs and readiness reasons. */
export function describeKafkaError(error: unknown): string {
  const root = rootCause(error);
  const message = errorMessage(root);
  const type = kafkaErrorType(error);
  return type !== undefined && !message.includes(type) ? `${type}: ${message}` : message;
}
