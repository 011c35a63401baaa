import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import type { LoadedRule } from '../core/rules/load-rule-set';
import { KafkaConnection } from '../kafka/kafka-connection';
import { StateChangelog } from '../kafka/state-changelog';
import type { BatchCorrelation } from './partition-correlation';
import { PartitionCorrelations } from './partition-correlation';

/** The changelog topic of an input topic. */
export function changelogTopic(inputTopic: string): string {
  return `${inputTopic}.shellwatch-state`;
}

/**
 * Correlation in the service: one engine per partition of the input topic, its
 * state checkpointed to the compacted topic `<KAFKA_TOPIC>.shellwatch-state` after
 * Elasticsearch accepted each batch and before the batch is acknowledged (see
 * docs/correlation.md). Does nothing, and touches no topic, while no loaded rule is
 * a threshold, a sequence or suppressed.
 */
@Injectable()
export class CorrelationService implements OnModuleDestroy {
  private readonly logger = new Logger('Correlation');
  private readonly changelog: StateChangelog;
  private readonly partitions: PartitionCorrelations;

  constructor(@Inject(CONFIG) config: Config, kafka: KafkaConnection) {
    this.changelog = new StateChangelog(kafka.kafka, {
      topic: changelogTopic(config.kafka.topic),
      sourceTopic: config.kafka.topic,
    });
    this.partitions = new PartitionCorrelations(this.changelog, {
      graceMs: config.correlation.graceMs,
      maxKeys: config.correlation.maxKeys,
    });
  }

  /** The correlation of a batch, or undefined when no loaded rule needs correlation. */
  async begin(
    partition: number,
    firstOffset: string,
    rules: readonly LoadedRule[],
  ): Promise<BatchCorrelation | undefined> {
    const batch = await this.partitions.begin(partition, firstOffset, rules);
    if (batch?.restored === true) {
      this.logger.log(`partition ${partition}: correlation state restored from the changelog`);
    }
    return batch;
  }

  activeKeys(): number {
    return this.partitions.activeKeys();
  }

  async onModuleDestroy(): Promise<void> {
    await this.changelog.disconnect();
  }
}
