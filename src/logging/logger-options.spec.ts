import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config';
import { loggerParams, pinoOptions, scrubText, secretValues } from './logger-options';

/** A real pino logger with our options, writing its JSON lines into an array. */
function capture(env: Record<string, string>): { logger: pino.Logger; lines: () => unknown[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = pino(pinoOptions(loadConfig(env)), stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as unknown),
  };
}

describe('logging', () => {
  it('writes JSON lines with a level label and an ISO time, at LOG_LEVEL', () => {
    const { logger, lines } = capture({ LOG_LEVEL: 'warn' });
    logger.info('not shown');
    logger.warn({ context: 'Pipeline' }, 'shown');
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'warn', context: 'Pipeline', msg: 'shown' }),
    ]);
    expect((lines()[0] as { time: string }).time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('replaces configured secrets wherever they appear, and redacts secret-bearing keys', () => {
    const { logger, lines } = capture({
      API_KEY: 'api-key-value-0001',
      ES_NODE: 'https://elastic:es-pass-2@es.example:9200',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'sw',
      KAFKA_SASL_PASSWORD: 'sasl-pass-3',
    });
    logger.warn(
      { context: 'Api', detail: 'got Bearer api-key-value-0001', password: 'anything' },
      'connect to https://elastic:es-pass-2@es.example:9200 failed with sasl-pass-3',
    );
    logger.error({ err: new Error('auth failed for api-key-value-0001') }, 'boom');
    const text = JSON.stringify(lines());
    expect(text).not.toMatch(/api-key-value-0001|es-pass-2|sasl-pass-3|anything/);
    expect(lines()[0]).toMatchObject({
      detail: 'got Bearer ***',
      password: '***',
      msg: 'connect to https://elastic:***@es.example:9200 failed with ***',
    });
    expect(lines()[1]).toMatchObject({ err: { message: 'auth failed for ***' } });
  });

  it("moves Nest's start-up chatter to debug", () => {
    const { logger, lines } = capture({ LOG_LEVEL: 'info' });
    logger.info({ context: 'RouterExplorer' }, 'Mapped {/health/live, GET} route');
    logger.info({ context: 'Rules' }, 'rule set loaded');
    expect(lines()).toEqual([expect.objectContaining({ msg: 'rule set loaded' })]);
  });

  it('logs no HTTP requests at info, and never their headers', () => {
    const quiet = loggerParams(loadConfig({ LOG_LEVEL: 'info' })).pinoHttp;
    expect(quiet).toMatchObject({ autoLogging: false });
    const verbose = loggerParams(loadConfig({ LOG_LEVEL: 'debug' })).pinoHttp as {
      autoLogging: { ignore: (req: { url?: string }) => boolean };
      serializers: { req: (req: object) => unknown };
    };
    expect(verbose.autoLogging.ignore({ url: '/health/ready' })).toBe(true);
    expect(verbose.autoLogging.ignore({ url: '/metrics' })).toBe(true);
    expect(verbose.autoLogging.ignore({ url: '/rules' })).toBe(false);
    expect(
      verbose.serializers.req({
        method: 'PUT',
        url: '/rules/SW-X',
        headers: { authorization: 'Bearer k' },
      }),
    ).toEqual({ method: 'PUT', url: '/rules/SW-X' });
  });

  it('knows the secrets of the configuration, longest first', () => {
    const config = loadConfig({ API_KEY: 'abc-abc-abc-abc-', ES_API_KEY: 'id9:key-long' });
    expect(secretValues(config)).toEqual([
      'abc-abc-abc-abc-',
      'id9%3Akey-long',
      'id9:key-long',
      'key-long',
    ]);
    expect(scrubText('x id9:key-long y', secretValues(config))).toBe('x *** y');
  });
});
