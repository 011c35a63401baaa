import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/config';
import type { Config } from '../config/config';
import { CliUsageError } from './cli-usage-error';

/**
 * The service's configuration read from `env` and validated as the service validates
 * it, for the commands that talk to the service's Kafka or Elasticsearch: an invalid
 * setting is a usage error (exit 2, one line), not a crash.
 */
export function loadServiceConfig(env: Readonly<Record<string, string | undefined>>): Config {
  try {
    return loadConfig(env, (path) => readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof ConfigError) throw new CliUsageError(error.message);
    throw error;
  }
}
