import type { ConfigVariable } from './config-variable';
import { CORRELATION_CONFIG } from './groups/correlation.config';
import { ELASTICSEARCH_CONFIG } from './groups/elasticsearch.config';
import { HTTP_CONFIG } from './groups/http.config';
import { INPUT_CONFIG } from './groups/input.config';
import { KAFKA_CONFIG } from './groups/kafka.config';
import { LOGGING_CONFIG } from './groups/logging.config';
import { NOTIFIER_CONFIG } from './groups/notifier.config';
import { PIPELINE_CONFIG } from './groups/pipeline.config';
import { RULES_CONFIG } from './groups/rules.config';

export { ConfigProblem } from './config-variable';
export type { ConfigVariable } from './config-variable';

/**
 * Every environment variable Shellwatch reads, grouped by concern: `config.kafka.brokers`
 * is KAFKA_BROKERS. This one table (each group in its file under groups/) is the parser,
 * the validator, the shape of the Config object (config.ts) and the source of the
 * configuration reference in README.md and docs/operations.md, which lists the variables
 * in this order.
 */
export const CONFIG_GROUPS = {
  kafka: KAFKA_CONFIG,
  elasticsearch: ELASTICSEARCH_CONFIG,
  rules: RULES_CONFIG,
  input: INPUT_CONFIG,
  http: HTTP_CONFIG,
  logging: LOGGING_CONFIG,
  pipeline: PIPELINE_CONFIG,
  correlation: CORRELATION_CONFIG,
  notifier: NOTIFIER_CONFIG,
} as const;

/** Every variable, in the order the docs list them. */
export const CONFIG_VARIABLES: readonly ConfigVariable<unknown>[] = Object.values(
  CONFIG_GROUPS,
).flatMap((group) => Object.values(group) as ConfigVariable<unknown>[]);
