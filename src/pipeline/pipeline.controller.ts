import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { COMMAND_BATCH_PATTERN } from '../kafka/source-batch';
import type { BatchAck, SourceBatch } from '../kafka/source-batch';
import { PipelineService } from './pipeline.service';

/** Where the Kafka transport delivers batches: one line, the work is in the service. */
@Controller()
export class PipelineController {
  constructor(private readonly pipeline: PipelineService) {}

  @EventPattern(COMMAND_BATCH_PATTERN)
  handleBatch(@Payload() batch: SourceBatch): Promise<BatchAck> {
    return this.pipeline.handleBatch(batch);
  }
}
