import { readFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_FILTER } from '@nestjs/core';
import { ApiKeyGuard } from './api/api-key.guard';
import { ApiKeyring } from './api/api-keyring';
import { AuditTrailService } from './audit/audit-trail.service';
import { HttpExceptionFilter } from './api/http-exception.filter';
import { RuleCheckService } from './api/rule-check.service';
import { RulePreviewService } from './api/rule-preview.service';
import { FileRuleChanges } from './api/file-rule-changes';
import { KafkaRuleChanges } from './api/kafka-rule-changes';
import { RulesController } from './api/rules.controller';
import { RulesService } from './api/rules.service';
import { CONFIG } from './config/config';
import type { Config } from './config/config';
import { elasticsearchConnectionOptions } from './elasticsearch/elasticsearch-options';
import { ElasticsearchSink } from './elasticsearch/elasticsearch.sink';
import { HealthController } from './health/health.controller';
import { HealthState } from './health/health-state';
import { KafkaConnection } from './kafka/kafka-connection';
import { kafkaSecurityOptions } from './kafka/kafka-security';
import { loggerParams } from './logging/logger-options';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { PipelineController } from './pipeline/pipeline.controller';
import { DecoderFactory } from './pipeline/decoder-factory';
import { PipelineService } from './pipeline/pipeline.service';
import { CorrelationService } from './correlation/correlation.service';
import { RuleRegexService } from './regex-check/rule-regex.service';
import { RuleFileWriter } from './rules-store/rule-file-writer';
import { KafkaRuleStore } from './rules-store/kafka-rule-store.service';
import { RuleStore } from './rules-store/rule-store.service';
import { RuleWatcher } from './rules-store/rule-watcher.service';

/** Wires the adapters, the pipeline and the API around one validated Config. No logic here. */
@Module({})
export class AppModule {
  /**
   * `decoders` is built before the application so that a bad input-format setting
   * fails the start with one line, like a bad variable; by default it is built here.
   */
  static forRoot(
    config: Config,
    decoders: DecoderFactory = new DecoderFactory(config.input),
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [LoggerModule.forRoot(loggerParams(config))],
      controllers: [HealthController, MetricsController, PipelineController, RulesController],
      providers: [
        { provide: CONFIG, useValue: config },
        HealthState,
        MetricsService,
        RuleRegexService,
        RuleStore,
        PipelineService,
        CorrelationService,
        { provide: DecoderFactory, useValue: decoders },
        RuleFileWriter,
        RuleWatcher,
        KafkaRuleStore,
        FileRuleChanges,
        KafkaRuleChanges,
        RulesService,
        RuleCheckService,
        RulePreviewService,
        { provide: ApiKeyring, useValue: new ApiKeyring(config.http.apiKey, config.http.apiKeys) },
        ApiKeyGuard,
        AuditTrailService,
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        {
          provide: ElasticsearchSink,
          inject: [MetricsService],
          useFactory: (metrics: MetricsService) =>
            new ElasticsearchSink(
              {
                ...elasticsearchConnectionOptions(config.elasticsearch, readText),
                alertsIndex: config.elasticsearch.alertsIndex,
                commandsIndex: config.elasticsearch.commandsIndex,
                auditIndex: config.elasticsearch.auditIndex,
                bulkMaxDocuments: config.elasticsearch.bulkMaxDocuments,
                dataStreams: config.elasticsearch.dataStreams,
                alertsRetention: config.elasticsearch.alertsRetention,
                commandsRetention: config.elasticsearch.commandsRetention,
              },
              metrics,
            ),
        },
        {
          provide: KafkaConnection,
          useFactory: () =>
            new KafkaConnection({
              brokers: config.kafka.brokers,
              clientId: config.kafka.clientId,
              dlqTopic: config.kafka.dlqTopic,
              dlqMaxBytes: config.kafka.dlqMaxBytes,
              alertsTopic: config.kafka.alertsTopic,
              security: kafkaSecurityOptions(config.kafka, readText),
            }),
        },
      ],
    };
  }
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
