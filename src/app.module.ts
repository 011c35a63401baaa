import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { CONFIG } from './config/config';
import type { Config } from './config/config';
import { ElasticsearchSink } from './elasticsearch/elasticsearch.sink';
import { HealthController } from './health/health.controller';
import { HealthState } from './health/health-state';
import { KafkaConnection } from './kafka/kafka-connection';
import { PipelineController } from './pipeline/pipeline.controller';
import { PipelineService } from './pipeline/pipeline.service';
import { RuleStore } from './rules-store/rule-store.service';

/** Wires the adapters, the pipeline and the API around one validated Config. No logic here. */
@Module({})
export class AppModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, PipelineController],
      providers: [
        { provide: CONFIG, useValue: config },
        HealthState,
        RuleStore,
        PipelineService,
        {
          provide: ElasticsearchSink,
          useFactory: () =>
            new ElasticsearchSink({
              node: config.elasticsearchNode,
              alertsIndex: config.elasticsearchAlertsIndex,
              commandsIndex: config.elasticsearchCommandsIndex,
              bulkMaxDocuments: config.elasticsearchBulkMaxDocuments,
            }),
        },
        {
          provide: KafkaConnection,
          useFactory: () =>
            new KafkaConnection({
              brokers: config.kafkaBrokers,
              clientId: config.kafkaClientId,
              dlqTopic: config.kafkaDlqTopic,
            }),
        },
      ],
    };
  }
}
