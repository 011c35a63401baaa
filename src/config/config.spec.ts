import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from './config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafkaTopic).toBe('shell.commands');
    expect(config.kafkaGroupId).toBe('shellwatch');
    expect(config.kafkaDlqTopic).toBe('shell.commands.dlq');
    expect(config.elasticsearchNode).toBe('http://127.0.0.1:9200');
    expect(config.elasticsearchAlertsIndex).toBe('shellwatch-alerts');
    expect(config.elasticsearchCommandsIndex).toBe('shellwatch-commands');
    expect(config.rulesDir).toBe('./rules');
    expect(config.httpPort).toBe(3000);
    expect(config.apiKey).toBeNull();
    expect(config.logLevel).toBe('info');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('turns the commands index off with an empty value', () => {
    expect(loadConfig({ ES_COMMANDS_INDEX: '' }).elasticsearchCommandsIndex).toBeNull();
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
      path === '/run/secrets/key' ? 's3cret\n' : '',
    );
    expect(config.apiKey).toBe('s3cret');
  });

  it('redacts credentials in URLs', () => {
    expect(redactUrl('https://elastic:pw@es.example:9200')).toBe('https://***@es.example:9200');
  });
});
