import { alertFields } from '../core/alerts/alert-fields';
import type { DeadLetter } from '../core/process-batch';
import type { AlertBatch, AlertRecord } from '../kafka/alerts-consumer';
import { ALERT_HEADERS } from '../kafka/alerts.producer';
import { RetryAbandoned, retryUntilDone } from '../pipeline/retry-until-done';
import { NotificationRetryError } from './http-delivery';
import type { NotifierMetrics } from './notifier-metrics';
import type { NotifyConfig, OutputSettings } from './notify-config';
import { OffsetHolds } from './offset-holds';
import { buildPayload } from './payloads';
import type { Notification } from './payloads';
import { RateLimiter } from './rate-limiter';
import type { Digest } from './rate-limiter';
import { compileRoutes, outputsFor } from './routing';
import type { Route } from './routing';
import { errorMessage } from '../core/errors';

/** Dead-letter reason codes of the notifier (docs/errors.md). */
export const NOTIFY_DLQ_REASONS = {
  /** The receiver refused the notification for good (4xx other than 408/429). */
  refused: 'NOTIFY_REFUSED',
  /** The alerts-topic record is not a JSON object: nothing to notify about. */
  invalid: 'NOTIFY_INVALID_ALERT',
} as const;

/** Header of a notifier dead letter naming the output that refused it. */
export const NOTIFY_OUTPUT_HEADER = 'shellwatch.notify.output';

/** The I/O the notifier needs; real ones in main.ts, fakes in tests. */
export interface NotifierPorts {
  send(
    output: OutputSettings,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ verdict: 'delivered' } | { verdict: 'refused'; reason: string }>;
  /** Writes dead letters (acks=all); throws a retriable error when it may pass later. */
  deadLetter(topic: string, partition: number, letters: DeadLetter[]): Promise<void>;
  commit(topic: string, partition: number, offset: string): Promise<void>;
  now(): number;
  sleep(ms: number): Promise<void>;
  logger: { warn(message: string): void; error(message: string): void };
}

/** What a held-back alert leaves to release: its record, in the rebalance generation it was read in. */
interface Hold {
  generation: number;
  topic: string;
  partition: number;
  offset: string;
}

/** Longest single sleep while honouring a Retry-After, between heartbeats. */
const SLEEP_SLICE_MS = 2_000;
/** Longest Retry-After honoured. */
const MAX_RETRY_AFTER_MS = 600_000;

/**
 * Delivers the alerts topic to the configured outputs. For each record, in
 * order: route it, pass each of its outputs through the rate limiter, send
 * what is admitted (retried until delivered, or dead-lettered if refused for
 * good), keep a hold on what was held back until the window's digest is
 * delivered. A partition's offset is committed up to the first record not yet
 * done, after the batch and after each digest: a crash or an unreachable
 * receiver delays notifications, never drops them (at-least-once: a record
 * redelivered after a crash may notify twice).
 */
export class Notifier {
  private readonly routes: Route[];
  private readonly limiter: RateLimiter<Hold>;
  private readonly holds = new Map<string, OffsetHolds>();
  private generation = 0;
  private ticking = false;
  private stopping = false;

  constructor(
    private readonly config: NotifyConfig,
    private readonly ports: NotifierPorts,
    private readonly metrics: NotifierMetrics,
  ) {
    this.routes = compileRoutes(config.routes);
    this.limiter = new RateLimiter((output) => this.output(output).rateLimit);
  }

  /** Handles one fetched batch, in order; resolves when its notifications are settled or held. */
  async handleBatch(batch: AlertBatch): Promise<void> {
    try {
      await this.handleRecords(batch);
    } catch (error) {
      // Stopping or revoked: nothing of the rest is committed, the records are redelivered.
      if (error instanceof RetryAbandoned) return;
      throw error;
    }
  }

  private async handleRecords(batch: AlertBatch): Promise<void> {
    const holds = this.holdsOf(batch.topic, batch.partition);
    const generation = this.generation;
    for (const record of batch.records) {
      if (!batch.isActive()) return;
      const held = await this.handleRecord(batch, record, generation);
      if (generation !== this.generation) return;
      holds.handled(record.offset, held);
      this.metrics.alertHandled();
    }
    await this.commit(batch.topic, batch.partition, generation);
  }

  /** Sends the digests of rate-limit windows that have ended; called every second. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const digest of this.limiter.due(this.ports.now())) {
        if (this.stopping) return;
        await this.deliverDigest(digest);
      }
    } catch (error) {
      // Stopping: the digest's records are uncommitted and will be counted again.
      if (!(error instanceof RetryAbandoned)) throw error;
    } finally {
      this.ticking = false;
    }
  }

  /** Partitions may have moved: uncommitted records will be redelivered and counted again. */
  rebalanced(): void {
    this.generation += 1;
    this.holds.clear();
    this.limiter.reset();
  }

  stop(): void {
    this.stopping = true;
  }

  private async handleRecord(
    batch: AlertBatch,
    record: AlertRecord,
    generation: number,
  ): Promise<number> {
    const id =
      record.headers[ALERT_HEADERS.id] ??
      record.key ??
      `${batch.topic}:${batch.partition}:${record.offset}`;
    const document = parseObject(record.value);
    if (document === undefined) {
      await this.deadLetter(batch, record, {
        reason: NOTIFY_DLQ_REASONS.invalid,
        message: 'the alerts-topic record is not a JSON object',
        output: undefined,
        isActive: () => batch.isActive(),
      });
      return 0;
    }
    const fields = alertFields(document);
    const notification: Notification = {
      kind: 'alert',
      id,
      fields,
      body: record.value ?? Buffer.alloc(0),
    };
    let held = 0;
    const sends: Promise<void>[] = [];
    for (const name of outputsFor(fields, this.routes)) {
      const hold: Hold = {
        generation,
        topic: batch.topic,
        partition: batch.partition,
        offset: record.offset,
      };
      const admission = this.limiter.admit(
        name,
        { ruleId: fields.ruleId ?? 'unknown', ruleName: fields.ruleName, host: fields.host },
        this.ports.now(),
        hold,
      );
      if (admission === 'suppress') {
        held += 1;
        this.metrics.counted(name, 'rate_limited');
        continue;
      }
      sends.push(this.sendAlert(batch, record, this.output(name), notification));
    }
    await Promise.all(sends);
    return held;
  }

  private async sendAlert(
    batch: AlertBatch,
    record: AlertRecord,
    output: OutputSettings,
    notification: Extract<Notification, { kind: 'alert' }>,
  ): Promise<void> {
    const outcome = await this.deliver(
      output,
      notification,
      { 'x-shellwatch-kind': 'alert', 'x-shellwatch-alert-id': notification.id },
      () => batch.isActive(),
      () => batch.heartbeat(),
    );
    if (outcome.verdict === 'delivered') {
      this.metrics.counted(output.name, 'delivered');
      return;
    }
    this.ports.logger.warn(
      `output ${output.name} refused alert ${notification.id} (${outcome.reason}); dead-lettering it`,
    );
    await this.deadLetter(batch, record, {
      reason: NOTIFY_DLQ_REASONS.refused,
      message: `output ${output.name}: ${outcome.reason}`,
      output: output.name,
      isActive: () => batch.isActive(),
    });
    this.metrics.counted(output.name, 'dead_lettered');
  }

  private async deliverDigest(digest: Digest<Hold>): Promise<void> {
    const output = this.output(digest.output);
    const isActive = (): boolean => !this.stopping;
    const outcome = await this.deliver(
      output,
      { kind: 'digest', digest },
      { 'x-shellwatch-kind': 'digest', 'x-shellwatch-rule-id': digest.ruleId },
      isActive,
      () => Promise.resolve(),
    );
    if (outcome.verdict === 'delivered') {
      this.metrics.counted(output.name, 'digest_delivered');
    } else {
      const first = digest.holds[0];
      this.ports.logger.warn(
        `output ${output.name} refused the digest of ${digest.ruleId} (${outcome.reason}); dead-lettering it`,
      );
      await this.deadLetterDigest(digest, first, outcome.reason, isActive);
      this.metrics.counted(output.name, 'dead_lettered');
    }
    const touched = new Set<string>();
    for (const hold of digest.holds) {
      if (hold.generation !== this.generation) continue;
      this.holds.get(`${hold.topic}:${hold.partition}`)?.release(hold.offset);
      touched.add(`${hold.topic}\u0000${hold.partition}`);
    }
    for (const key of touched) {
      const [topic = '', partition = '0'] = key.split('\u0000');
      await this.commit(topic, Number(partition), this.generation);
    }
  }

  /** Sends until delivered or refused for good, for as long as `isActive`. */
  private deliver(
    output: OutputSettings,
    notification: Notification,
    headers: Record<string, string>,
    isActive: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<{ verdict: 'delivered' } | { verdict: 'refused'; reason: string }> {
    const body = buildPayload(output, notification);
    return retryUntilDone(() => this.ports.send(output, body, headers), {
      maxDelayMs: this.config.retryMaxDelayMs,
      isActive,
      onFailure: async (error, attempt) => {
        this.metrics.counted(output.name, 'failed');
        if (attempt === 1 || attempt % 10 === 0) {
          this.ports.logger.warn(
            `delivery to ${output.name} failed (attempt ${attempt}): ${errorMessage(error)}; retrying`,
          );
        }
        await heartbeat();
        if (error instanceof NotificationRetryError && error.retryAfterMs !== undefined) {
          await this.sleepWhile(
            Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS),
            isActive,
            heartbeat,
          );
        }
      },
    });
  }

  /** Waits `ms` (a receiver's Retry-After) in slices, heartbeating, until done or no longer active. */
  private async sleepWhile(
    ms: number,
    isActive: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const until = this.ports.now() + ms;
    for (let left = ms; left > 0 && isActive(); left = until - this.ports.now()) {
      await this.ports.sleep(Math.min(left, SLEEP_SLICE_MS));
      await heartbeat();
    }
  }

  private async deadLetter(
    batch: AlertBatch,
    record: AlertRecord,
    letter: {
      reason: string;
      message: string;
      output: string | undefined;
      isActive: () => boolean;
    },
  ): Promise<void> {
    const headers = { ...record.headers };
    if (letter.output !== undefined) headers[NOTIFY_OUTPUT_HEADER] = letter.output;
    const deadLetter: DeadLetter = {
      offset: record.offset,
      record: { value: record.value, headers },
      reason: letter.reason,
      message: letter.message,
    };
    await this.writeDeadLetters(batch.topic, batch.partition, [deadLetter], letter.isActive);
  }

  private async deadLetterDigest(
    digest: Digest<Hold>,
    first: Hold | undefined,
    reason: string,
    isActive: () => boolean,
  ): Promise<void> {
    const value = Buffer.from(JSON.stringify({ kind: 'digest', ...digest, holds: undefined }));
    await this.writeDeadLetters(
      first?.topic ?? 'unknown',
      first?.partition ?? 0,
      [
        {
          offset: first?.offset ?? '0',
          record: { value, headers: { [NOTIFY_OUTPUT_HEADER]: digest.output } },
          reason: NOTIFY_DLQ_REASONS.refused,
          message: `output ${digest.output}: digest of ${digest.suppressed} alerts: ${reason}`,
        },
      ],
      isActive,
    );
  }

  private async writeDeadLetters(
    topic: string,
    partition: number,
    letters: DeadLetter[],
    isActive: () => boolean,
  ): Promise<void> {
    await retryUntilDone(() => this.ports.deadLetter(topic, partition, letters), {
      maxDelayMs: this.config.retryMaxDelayMs,
      isActive,
      onFailure: (error, attempt) => {
        this.ports.logger.warn(
          `dead-letter write failed (attempt ${attempt}): ${errorMessage(error)}`,
        );
      },
    });
  }

  private async commit(topic: string, partition: number, generation: number): Promise<void> {
    const holds = this.holds.get(`${topic}:${partition}`);
    this.metrics.heldRecordsObserved(
      [...this.holds.values()].reduce((sum, h) => sum + h.heldRecords, 0),
    );
    const offset = holds?.committable();
    if (holds === undefined || offset === undefined || generation !== this.generation) return;
    try {
      await this.ports.commit(topic, partition, offset);
      holds.committedTo(offset);
    } catch (error) {
      // A rebalance took the partition: its uncommitted records go to the new owner.
      this.ports.logger.warn(
        `commit of ${topic}[${partition}] at ${offset} failed: ${errorMessage(error)}`,
      );
    }
  }

  private holdsOf(topic: string, partition: number): OffsetHolds {
    const key = `${topic}:${partition}`;
    let holds = this.holds.get(key);
    if (holds === undefined) {
      holds = new OffsetHolds();
      this.holds.set(key, holds);
    }
    return holds;
  }

  private output(name: string): OutputSettings {
    const output = this.config.outputs.get(name);
    // Routes are checked against the outputs when the config is loaded.
    if (output === undefined) throw new Error(`no output named ${name}`);
    return output;
  }
}

function parseObject(value: Buffer | null): Record<string, unknown> | undefined {
  if (value === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
