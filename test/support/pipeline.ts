import type { CliRuleSet } from '../../src/cli/load-rules';
import type { Config } from '../../src/config/config';
import type { DeadLetter, OutputDocument } from '../../src/core/process-batch';
import type { CorrelationService } from '../../src/correlation/correlation.service';
import type { BulkAttempt, ElasticsearchSink } from '../../src/elasticsearch/elasticsearch.sink';
import { HealthState } from '../../src/health/health-state';
import type { KafkaConnection } from '../../src/kafka/kafka-connection';
import type { MetricsService } from '../../src/metrics/metrics.service';
import { DecoderFactory } from '../../src/pipeline/decoder-factory';
import { PipelineService } from '../../src/pipeline/pipeline.service';
import type { RuleStore } from '../../src/rules-store/rule-store.service';

/** A bulk attempt with every list empty but those given. */
export function bulkAttempt(lists: Partial<BulkAttempt> = {}): BulkAttempt {
  return { written: [], retry: [], held: [], rejected: [], ...lists };
}

/** What a PipelineService built by `pipelineWithFakes` wrote and dead-lettered. */
export interface FakedPipeline {
  pipeline: PipelineService;
  health: HealthState;
  /** Every document handed to the sink, in order (retries included). */
  written: OutputDocument[];
  /** Every dead letter handed to the dead-letter producer. */
  deadLetters: DeadLetter[];
}

/**
 * A real PipelineService over fakes of Kafka (the dead-letter producer takes
 * everything, no alerts topic), Elasticsearch, the rule store and the metrics: the
 * one place unit tests build it, so a change to the pipeline's ports is made once.
 * `write` answers the sink's bulk attempts (default: everything written);
 * `correlation` gives a batch's correlation (default: none).
 */
export function pipelineWithFakes(
  config: Config,
  rules: CliRuleSet,
  {
    write = (documents) => Promise.resolve(bulkAttempt({ written: documents })),
    correlation = { begin: () => Promise.resolve(undefined) },
  }: {
    write?: (documents: OutputDocument[]) => Promise<BulkAttempt>;
    correlation?: Pick<CorrelationService, 'begin'>;
  } = {},
): FakedPipeline {
  const health = new HealthState(config);
  const written: OutputDocument[] = [];
  const deadLetters: DeadLetter[] = [];
  const sink = {
    write: (documents: OutputDocument[]): Promise<BulkAttempt> => {
      written.push(...documents);
      return write(documents);
    },
  };
  const kafka = {
    deadLetters: {
      delivery: (_topic: string, _partition: number, letters: DeadLetter[]) => {
        deadLetters.push(...letters);
        return { deliver: () => Promise.resolve(), remaining: 0 };
      },
    },
    alerts: undefined,
  };
  const store = { snapshot: () => ({ evaluator: rules.evaluator, loaded: rules.rules }) };
  const metrics = {
    batchProcessed: () => undefined,
    correlationObserved: () => undefined,
    deadLettered: () => undefined,
    consumerLagObserved: () => undefined,
  };
  const pipeline = new PipelineService(
    config,
    sink as unknown as ElasticsearchSink,
    kafka as unknown as KafkaConnection,
    store as unknown as RuleStore,
    health,
    new DecoderFactory(config.input),
    metrics as unknown as MetricsService,
    correlation as CorrelationService,
  );
  return { pipeline, health, written, deadLetters };
}
