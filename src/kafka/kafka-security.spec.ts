import { describe, expect, it } from 'vitest';
import { kafkaSecurityOptions } from './kafka-security';
import type { KafkaSecuritySettings } from './kafka-security';

const NONE: KafkaSecuritySettings = {
  ssl: false,
  sslCaFile: null,
  saslMechanism: null,
  saslUsername: null,
  saslPassword: null,
};
const readFile = (path: string): string => `PEM of ${path}`;

describe('kafkaSecurityOptions', () => {
  it('adds nothing by default (plaintext, no SASL)', () => {
    expect(kafkaSecurityOptions(NONE, readFile)).toEqual({});
  });

  it('uses the system CAs with KAFKA_SSL alone, the CA file when given', () => {
    expect(kafkaSecurityOptions({ ...NONE, ssl: true }, readFile)).toEqual({ ssl: true });
    expect(kafkaSecurityOptions({ ...NONE, ssl: true, sslCaFile: '/ca.pem' }, readFile)).toEqual({
      ssl: { ca: ['PEM of /ca.pem'] },
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'builds SASL %s options',
    (mechanism) => {
      expect(
        kafkaSecurityOptions(
          { ...NONE, saslMechanism: mechanism, saslUsername: 'u', saslPassword: 'p' },
          readFile,
        ),
      ).toEqual({ sasl: { mechanism, username: 'u', password: 'p' } });
    },
  );

  it('refuses a mechanism without credentials (loadConfig prevents it)', () => {
    expect(() => kafkaSecurityOptions({ ...NONE, saslMechanism: 'plain' }, readFile)).toThrow(
      /KAFKA_SASL_USERNAME/,
    );
  });
});
