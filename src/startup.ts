import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { Config } from './config/config';
import { redactUrl } from './config/config';
import { StartupError } from './startup-error';
import { ElasticsearchSink } from './elasticsearch/elasticsearch.sink';
import type { StorageReport } from './elasticsearch/elasticsearch.sink';
import { HealthState } from './health/health-state';
import { RuleStore, RuleSetRejectedError } from './rules-store/rule-store.service';
import { errorMessage } from './core/errors';
import { KafkaRuleStore } from './rules-store/kafka-rule-store.service';

export { StartupError };

/**
 * What must hold before consuming starts: Elasticsearch answers (within
 * ES_STARTUP_TIMEOUT_MS) and has the index templates, and the rules folder holds
 * a valid rule set (RULES_STORE=kafka: the rule topic was read to its end). Kafka is not checked here: the consumer retries on its own
 * and readiness says when it consumes.
 */
export async function runStartupChecks(app: INestApplication, config: Config): Promise<void> {
  const logger = new Logger('Startup');
  const sink = app.get(ElasticsearchSink);
  const health = app.get(HealthState);
  const node = redactUrl(config.elasticsearch.node);
  const deadline = Date.now() + config.elasticsearch.startupTimeoutMs;
  for (;;) {
    try {
      await sink.ping();
      break;
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new StartupError(
          `cannot reach Elasticsearch at ${node} within ${config.elasticsearch.startupTimeoutMs} ms: ${errorMessage(error)}`,
        );
      }
      logger.warn(`waiting for Elasticsearch at ${node}: ${errorMessage(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    const report = await sink.installTemplates();
    logger.log(
      `Elasticsearch at ${node}: templates installed (command_line as ${report.capabilities.wildcardField ? 'wildcard' : 'keyword + text'})`,
    );
    logger.log(describeStorage(report));
  } catch (error) {
    throw new StartupError(`installing index templates on ${node} failed: ${errorMessage(error)}`);
  }
  health.elasticsearchStateChanged(true);
  if (config.rules.store === 'kafka') {
    await app
      .get(KafkaRuleStore)
      .start()
      .catch((error: unknown) => {
        throw new StartupError(
          `cannot read the rules from the topic ${config.rules.topic}: ${errorMessage(error)}`,
        );
      });
    if (app.get(RuleStore).status().hash === null) {
      throw new StartupError(
        `the rule topic ${config.rules.topic} holds no rule set that loads here:\n${app
          .get(RuleStore)
          .status()
          .lastErrors.map((p) => `${p.file}#${p.pointer}: ${p.message}`)
          .join('\n')}`,
      );
    }
    return;
  }
  try {
    await app.get(RuleStore).reload();
  } catch (error) {
    if (error instanceof RuleSetRejectedError) {
      throw new StartupError(`the rules in ${config.rules.dir} are invalid:\n${error.message}`);
    }
    throw error;
  }
}

/** The one start-up line that says where documents go and how long they stay. */
export function describeStorage(report: StorageReport): string {
  const { choice, targets } = report;
  if (choice.mode === 'indices') {
    return `storage: plain indices ${targets.map((t) => t.name).join(', ')}, no lifecycle: data streams not used because ${choice.reason ?? 'unknown'}; retention is the delete-by-query job of docs/operations.md`;
  }
  const lifecycle = choice.mode === 'data-stream-lifecycle' ? 'data stream lifecycle' : 'ILM';
  const parts = targets.map((t) =>
    t.as === 'data stream'
      ? `${t.kind} → data stream ${t.name} (${lifecycle}, retention ${t.retention ?? 'none'})`
      : `${t.kind} → existing plain index ${t.name} kept (no lifecycle; upgrade path in docs/operations.md)`,
  );
  return `storage: ${parts.join('; ')}`;
}
