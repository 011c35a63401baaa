import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { kafkaSecurityOptions } from '../kafka/kafka-security';
import { commandKafkaClient, RuleTopic } from '../kafka/rule-topic';
import { describeKafkaError } from '../kafka/kafka-errors';
import { loadServiceConfig } from './service-config';
import { CliUsageError } from './load-rules';

/**
 * Runs `work` with the rule topic the service's configuration names (RULES_TOPIC,
 * KAFKA_BROKERS, KAFKA_SSL*, KAFKA_SASL_*, read from `env` and validated as the
 * service validates them), closed afterwards. Kafka errors come out as one line.
 */
export async function withRuleTopic(
  env: NodeJS.ProcessEnv,
  work: (topic: RuleTopic, user: string) => Promise<number>,
): Promise<number> {
  const config = loadServiceConfig(env);
  const kafka = commandKafkaClient(
    config.kafka.brokers,
    kafkaSecurityOptions(config.kafka, (path) => readFileSync(path, 'utf8')),
  );
  const topic = new RuleTopic(kafka, config.rules.topic);
  try {
    return await work(topic, `cli:${userInfo().username}`);
  } catch (error) {
    if (error instanceof CliUsageError || !isKafkaError(error)) throw error;
    throw new Error(
      `the rule topic ${config.rules.topic} at ${config.kafka.brokers.join(',')}: ${describeKafkaError(error)}`,
    );
  } finally {
    await topic.close();
  }
}

function isKafkaError(error: unknown): boolean {
  return error instanceof Error && error.name.startsWith('KafkaJS');
}
