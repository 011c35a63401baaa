import type { KafkaConfig, SASLOptions } from 'kafkajs';

/**
 * What the configuration says about securing the Kafka connection (see KAFKA_SSL*,
 * KAFKA_SASL_*): the service's `config.kafka` group is one.
 */
export interface KafkaSecuritySettings {
  ssl: boolean;
  sslCaFile: string | null;
  saslMechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | null;
  saslUsername: string | null;
  saslPassword: string | null;
}

export type KafkaSecurityOptions = Pick<KafkaConfig, 'ssl' | 'sasl'>;

/**
 * Turns validated settings into kafkajs `ssl` and `sasl` options. `ssl: true`
 * trusts the system CAs; a CA file replaces them. The pairing of mechanism,
 * user and password is checked by loadConfig; here a missing part is a bug.
 */
export function kafkaSecurityOptions(
  settings: KafkaSecuritySettings,
  readFile: (path: string) => string,
): KafkaSecurityOptions {
  const options: KafkaSecurityOptions = {};
  if (settings.ssl) {
    options.ssl = settings.sslCaFile !== null ? { ca: [readFile(settings.sslCaFile)] } : true;
  }
  if (settings.saslMechanism !== null) {
    if (settings.saslUsername === null || settings.saslPassword === null) {
      throw new Error('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    }
    options.sasl = saslOptions(
      settings.saslMechanism,
      settings.saslUsername,
      settings.saslPassword,
    );
  }
  return options;
}

function saslOptions(
  mechanism: NonNullable<KafkaSecuritySettings['saslMechanism']>,
  username: string,
  password: string,
): SASLOptions {
  switch (mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}
