import type { BatchRecord } from '../core/process-batch';

/** The message pattern the Kafka transport dispatches batches to. */
export const COMMAND_BATCH_PATTERN = 'shellwatch.command-batch';

/**
 * One batch of one partition, as the source hands it to the pipeline.
 *
 * The contract ("ack"): the handler resolves with `{ complete: true }` only when
 * every record of the batch has been written to Elasticsearch or to the
 * dead-letter topic. Only then does the source commit the batch's offsets.
 * `{ complete: false }` means "stop, commit nothing": the records are
 * redelivered to whoever owns the partition next.
 *
 * A batch with no records is an idle partition's tick (see
 * `KafkaBatchServer`): the handler may then close work it holds from earlier
 * batches (auditd events whose time-out passed) and name a new `commitOffset`.
 */
export interface SourceBatch {
  topic: string;
  partition: number;
  records: BatchRecord[];
  /** Records behind the end of the partition after this batch (high watermark - last offset - 1), when known. */
  lag?: number;
  /** Keeps the consumer's group membership alive during a long batch (retries). */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was revoked: give up, commit nothing. */
  isActive(): boolean;
}

export interface BatchAck {
  complete: boolean;
  /**
   * The offset to commit (the next one to read) when it is not the batch's last + 1:
   * lower while the handler still holds records of this or an earlier batch (an auditd
   * event not complete yet), so a crash redelivers them. Required to commit after a tick.
   */
  commitOffset?: string;
}
