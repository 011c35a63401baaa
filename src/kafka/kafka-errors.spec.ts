import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { classifyKafkaError, describeKafkaError, kafkaErrorType } from './kafka-errors';

/** A broker answer as kafkajs builds it (src/protocol/error.js: type, code, retriable). */
function protocolError(type: string, code: number, retriable: boolean, message: string) {
  return new KafkaJSProtocolError(Object.assign(new Error(message), { type, code, retriable }));
}

const tooLarge = () =>
  protocolError(
    'MESSAGE_TOO_LARGE',
    10,
    false,
    'The request included a message larger than the max message size the server will accept',
  );

/** How kafkajs's retrier hands over an error it does not retry (src/retry/index.js). */
const wrapped = (cause: Error) => Object.assign(new KafkaJSNonRetriableError(cause), { cause });

describe('classifyKafkaError', () => {
  it('reads records the broker refused as such, also behind kafkajs wrappers', () => {
    expect(classifyKafkaError(tooLarge())).toBe('records-refused');
    expect(classifyKafkaError(wrapped(tooLarge()))).toBe('records-refused');
    expect(
      classifyKafkaError(protocolError('RECORD_LIST_TOO_LARGE', 18, false, 'batch too large')),
    ).toBe('records-refused');
    expect(classifyKafkaError(protocolError('INVALID_RECORD', 87, false, 'invalid'))).toBe(
      'records-refused',
    );
  });

  it('reads "retries exceeded" by its cause: a lost connection is worth trying again', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
    const exceeded = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 1 });
    expect(exceeded.retriable).toBe(false);
    expect(classifyKafkaError(exceeded)).toBe('retriable');
    expect(classifyKafkaError(protocolError('LEADER_NOT_AVAILABLE', 5, true, 'no leader'))).toBe(
      'retriable',
    );
  });

  it('calls permanent what retrying cannot cure and smaller records would not either', () => {
    expect(
      classifyKafkaError(protocolError('TOPIC_AUTHORIZATION_FAILED', 29, false, 'not authorized')),
    ).toBe('permanent');
    expect(classifyKafkaError(new TypeError('x is not a function'))).toBe('permanent');
  });
});

describe('describeKafkaError', () => {
  it('names the protocol error type and the innermost message', () => {
    const error = wrapped(tooLarge());
    expect(kafkaErrorType(error)).toBe('MESSAGE_TOO_LARGE');
    expect(describeKafkaError(error)).toBe(
      'MESSAGE_TOO_LARGE: The request included a message larger than the max message size the server will accept',
    );
  });
});
