import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from './config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.topic).toBe('shell.commands');
    expect(config.kafka.groupId).toBe('shellwatch');
    expect(config.kafka.dlqTopic).toBe('shell.commands.dlq');
    expect(config.elasticsearch.node).toBe('http://127.0.0.1:9200');
    expect(config.elasticsearch.alertsIndex).toBe('shellwatch-alerts');
    expect(config.elasticsearch.commandsIndex).toBe('shellwatch-commands');
    expect(config.rules.dir).toBe('./rules');
    expect(config.http.port).toBe(3000);
    expect(config.http.apiKey).toBeNull();
    expect(config.logging.level).toBe('info');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.kafka)).toBe(true);
  });

  it('turns the commands index off with an empty value', () => {
    expect(loadConfig({ ES_COMMANDS_INDEX: '' }).elasticsearch.commandsIndex).toBeNull();
  });

  it('reads the consumer group session, 10 s by default, within the broker limits', () => {
    expect(loadConfig({}).kafka.sessionTimeoutMs).toBe(10_000);
    expect(loadConfig({ KAFKA_SESSION_TIMEOUT_MS: '45000' }).kafka.sessionTimeoutMs).toBe(45_000);
    // Under the broker's group.min.session.timeout.ms (6 s) the join would fail at run time.
    expect(() => loadConfig({ KAFKA_SESSION_TIMEOUT_MS: '5000' })).toThrow(
      /KAFKA_SESSION_TIMEOUT_MS="5000": expected/,
    );
  });

  it('reads data streams and the two retentions, validated', () => {
    const defaults = loadConfig({});
    expect(defaults.elasticsearch.dataStreams).toBe('auto');
    expect(defaults.elasticsearch.alertsRetention).toBe('365d');
    expect(defaults.elasticsearch.commandsRetention).toBe('30d');
    const set = loadConfig({
      ES_DATA_STREAMS: 'off',
      ES_ALERTS_RETENTION: '',
      ES_COMMANDS_RETENTION: '12h',
    });
    expect(set.elasticsearch.dataStreams).toBe('off');
    expect(set.elasticsearch.alertsRetention).toBeNull();
    expect(set.elasticsearch.commandsRetention).toBe('12h');
    expect(() => loadConfig({ ES_COMMANDS_RETENTION: '30 days' })).toThrow(
      /ES_COMMANDS_RETENTION="30 days": expected a retention such as 30d/,
    );
    expect(() => loadConfig({ ES_ALERTS_RETENTION: '0d' })).toThrow(/ES_ALERTS_RETENTION/);
    expect(() => loadConfig({ ES_DATA_STREAMS: 'yes' })).toThrow(/ES_DATA_STREAMS="yes"/);
  });

  it('lists every bad variable at once, hiding secrets', () => {
    let error: unknown;
    try {
      loadConfig({ KAFKA_BROKERS: 'nonsense', HTTP_PORT: 'x', ES_NODE: 'ftp://u:secret@h' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toContain('KAFKA_BROKERS="nonsense": expected');
    expect(problems.join('\n')).toContain('HTTP_PORT="x": expected a whole number');
    expect(problems.join('\n')).toContain('ES_NODE=***: expected an http:// or https:// URL');
    expect(problems.join('\n')).not.toContain('secret');
  });

  it('reads NAME_FILE variables for secrets', () => {
    const config = loadConfig({ API_KEY_FILE: '/run/secrets/key' }, (path) =>
      path === '/run/secrets/key' ? 's3cret-s3cret-s3cret\n' : '',
    );
    expect(config.http.apiKey).toBe('s3cret-s3cret-s3cret');
  });

  it('refuses an API_KEY shorter than 16 characters, without showing it', () => {
    let error: unknown;
    try {
      loadConfig({ API_KEY: 'a' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'API_KEY=***: expected at least 16 characters (got 1); a random token, e.g. openssl rand -hex 32',
    ]);
    expect(loadConfig({ API_KEY: 'x'.repeat(16) }).http.apiKey).toBe('x'.repeat(16));
  });

  it('redacts credentials in URLs', () => {
    expect(redactUrl('https://elastic:pw@es.example:9200')).toBe('https://***@es.example:9200');
  });

  describe('security settings', () => {
    const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const files: Record<string, string> = {
      '/run/secrets/es-password': 'pw-from-file\n',
      '/etc/ca.pem': PEM,
      '/etc/not-a-cert': 'hello',
    };
    const readFile = (path: string): string => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return text;
    };
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env, readFile);
        return [];
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
    };

    it('defaults to no credentials, TLS verification on, no Kafka SSL or SASL', () => {
      const config = loadConfig({});
      expect(config.elasticsearch.apiKey).toBeNull();
      expect(config.elasticsearch.username).toBeNull();
      expect(config.elasticsearch.password).toBeNull();
      expect(config.elasticsearch.caFile).toBeNull();
      expect(config.elasticsearch.tlsVerify).toBe(true);
      expect(config.kafka.ssl).toBe(false);
      expect(config.kafka.saslMechanism).toBeNull();
    });

    it('accepts a complete, consistent set, secrets from files', () => {
      const config = loadConfig(
        {
          ES_NODE: 'https://es.example:9200',
          ES_USERNAME: 'shellwatch',
          ES_PASSWORD_FILE: '/run/secrets/es-password',
          ES_CA_FILE: '/etc/ca.pem',
          ES_TLS_VERIFY: 'false',
          KAFKA_SSL: 'true',
          KAFKA_SSL_CA_FILE: '/etc/ca.pem',
          KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
          KAFKA_SASL_USERNAME: 'shellwatch',
          KAFKA_SASL_PASSWORD: 'k-secret',
        },
        readFile,
      );
      expect(config.elasticsearch.password).toBe('pw-from-file');
      expect(config.elasticsearch.tlsVerify).toBe(false);
      expect(config.kafka.ssl).toBe(true);
      expect(config.kafka.saslMechanism).toBe('scram-sha-512');
    });

    it('wants credentials in pairs', () => {
      expect(problemsOf({ ES_USERNAME: 'u' })).toEqual([
        'ES_USERNAME="u": expected ES_PASSWORD (or ES_PASSWORD_FILE) as well',
      ]);
      expect(problemsOf({ ES_PASSWORD: 'hunter2' })).toEqual([
        'ES_PASSWORD=***: expected ES_USERNAME as well',
      ]);
      expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toEqual([
        'KAFKA_SASL_MECHANISM="plain": expected KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) as well',
      ]);
      expect(problemsOf({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual([
        'KAFKA_SASL_USERNAME="u": expected KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512) as well',
        'KAFKA_SASL_PASSWORD=***: expected KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512) as well',
      ]);
    });

    it('refuses two ways of authenticating to Elasticsearch at once', () => {
      const problems = problemsOf({
        ES_NODE: 'https://elastic:in-url@es.example:9200',
        ES_API_KEY: 'aWQ6a2V5',
        ES_USERNAME: 'u',
        ES_PASSWORD: 'p',
      });
      expect(problems).toEqual([
        'ES_API_KEY=***: expected either ES_API_KEY or ES_USERNAME/ES_PASSWORD, not both',
        'ES_NODE=***: expected no user:password in the URL when ES_API_KEY or ES_USERNAME is set',
      ]);
      expect(problems.join('\n')).not.toMatch(/in-url|aWQ6a2V5/);
    });

    it('checks CA files: TLS needed, readable, PEM', () => {
      expect(problemsOf({ ES_CA_FILE: '/etc/ca.pem' })).toEqual([
        'ES_CA_FILE="/etc/ca.pem": expected an https:// ES_NODE (a CA file only applies to TLS)',
      ]);
      expect(problemsOf({ ES_NODE: 'https://es:9200', ES_CA_FILE: '/missing.pem' })).toEqual([
        'ES_CA_FILE="/missing.pem": cannot read the file (ENOENT: no such file, open \'/missing.pem\')',
      ]);
      expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/not-a-cert' })).toEqual([
        'KAFKA_SSL_CA_FILE="/etc/not-a-cert": expected a PEM file with -----BEGIN CERTIFICATE-----',
      ]);
      expect(problemsOf({ KAFKA_SSL_CA_FILE: '/etc/ca.pem' })).toEqual([
        'KAFKA_SSL_CA_FILE="/etc/ca.pem": expected KAFKA_SSL=true as well',
      ]);
    });

    it('rejects malformed values with the expected form', () => {
      expect(
        problemsOf({
          ES_TLS_VERIFY: 'yes',
          KAFKA_SSL: '1',
          KAFKA_SASL_MECHANISM: 'gssapi',
          ES_API_KEY: 'has spaces: in it',
        }),
      ).toEqual([
        'KAFKA_SSL="1": expected true or false',
        'KAFKA_SASL_MECHANISM="gssapi": expected one of plain, scram-sha-256, scram-sha-512',
        'ES_API_KEY=***: expected the base64 "encoded" API key, or id:api_key',
        'ES_TLS_VERIFY="yes": expected true or false',
      ]);
    });
  });
});
