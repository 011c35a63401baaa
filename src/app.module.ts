import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiKeyGuard } from './api/api-key.guard';
import { HttpExceptionFilter } from './api/http-exception.filter';
import { RuleCheckService } from './api/rule-check.service';
import { RulesController } from './api/rules.controller';
import { RulesService } from './api/rules.service';
import { CONFIG } from './config/config';
import type { Config } from './config/config';
import { ElasticsearchSink } from './elasticsearch/elasticsearch.sink';
import { HealthController } from './health/health.controller';
import { HealthState } from './health/health-state';
import { KafkaConnection } from './kafka/kafka-connection';
import { PipelineController } from './pipeline/pipeline.controller';
import { PipelineService } from './pipeline/pipeline.service';
import { RuleFileWriter } from './rules-store/rule-file-writer';
import { RuleStore } from './rules-store/rule-store.service';
import { RuleWatcher } from './rules-store/rule-watcher.service';

/** Wires the adapters, the pipeline and the API around one validated Config. No logic here. */
@Module({})
export class AppModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, PipelineController, RulesController],
      providers: [
        { provide: CONFIG, useValue: config },
        HealthState,
        RuleStore,
        PipelineService,
        RuleFileWriter,
        RuleWatcher,
        RulesService,
        RuleCheckService,
        ApiKeyGuard,
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
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
