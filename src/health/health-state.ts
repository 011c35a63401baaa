import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import type { ConsumerStateListener } from '../kafka/kafka-batch.server';

export interface ComponentState {
  ok: boolean;
  reason?: string;
  since: string;
}

/** A partition whose batch keeps failing to be written, and why. */
interface FailingWrite {
  /** What failed and the cause, e.g. "writing dead letters to shell.commands.dlq: MESSAGE_TOO_LARGE: …". */
  cause: string;
  /** The error says retrying will not cure it: reported at once. */
  permanent: boolean;
  sinceMs: number;
}

/**
 * What readiness is made of: Kafka consumed, Elasticsearch accepting writes, a
 * valid rule set loaded, no partition stuck on a batch it cannot write. Each
 * adapter reports its own part; nobody polls.
 */
@Injectable()
export class HealthState implements ConsumerStateListener {
  private readonly components: Record<'kafka' | 'elasticsearch' | 'rules', ComponentState> = {
    kafka: { ok: false, reason: 'not connected yet', since: new Date().toISOString() },
    elasticsearch: { ok: false, reason: 'not checked yet', since: new Date().toISOString() },
    rules: { ok: false, reason: 'not loaded yet', since: new Date().toISOString() },
  };
  /** The rule topic, with RULES_STORE=kafka only (absent from readiness otherwise). */
  private rulesStore: ComponentState | undefined;
  private readonly failingWrites = new Map<string, FailingWrite>();
  private partitionsOkSince = new Date().toISOString();

  constructor(@Inject(CONFIG) private readonly config: Pick<Config, 'pipeline'>) {}

  consumerStateChanged(state: { running: boolean; reason?: string }): void {
    this.set('kafka', state.running, state.reason);
  }

  elasticsearchStateChanged(writable: boolean, reason?: string): void {
    this.set('elasticsearch', writable, reason);
  }

  rulesStateChanged(loaded: boolean, reason?: string): void {
    this.set('rules', loaded, reason);
  }

  /**
   * The rule topic (RULES_STORE=kafka): ok once read to the end offsets of the
   * start and while every record read could be applied; otherwise why not.
   */
  rulesStoreStateChanged(ok: boolean, reason?: string): void {
    const current = this.rulesStore;
    if (current !== undefined && current.ok === ok && current.reason === reason) return;
    this.rulesStore = { ok, ...(ok ? {} : { reason }), since: new Date().toISOString() };
  }

  /**
   * A batch of `topic[partition]` failed to be written again. The partition is
   * reported stuck once it has failed for STUCK_PARTITION_AFTER_MS without a
   * success in between, or at once when the failure is permanent.
   */
  batchWriteFailed(
    where: { topic: string; partition: number },
    failure: { cause: string; permanent: boolean },
  ): void {
    const key = `${where.topic}[${where.partition}]`;
    const sinceMs = this.failingWrites.get(key)?.sinceMs ?? Date.now();
    this.failingWrites.set(key, { ...failure, sinceMs });
  }

  /** The batch of `topic[partition]` was written, or abandoned (shutdown, revoked). */
  batchWriteSettled(where: { topic: string; partition: number }): void {
    if (this.failingWrites.delete(`${where.topic}[${where.partition}]`) && !this.anyStuck()) {
      this.partitionsOkSince = new Date().toISOString();
    }
  }

  /** Ready when every component is; the reasons of those that are not. */
  readiness(): { ready: boolean; components: Record<string, ComponentState> } {
    const components: Record<string, ComponentState> = {
      ...this.components,
      ...(this.rulesStore === undefined ? {} : { rulesStore: this.rulesStore }),
      partitions: this.partitionsState(),
    };
    const ready = Object.values(components).every((c) => c.ok);
    return { ready, components };
  }

  private partitionsState(): ComponentState {
    const now = Date.now();
    const stuck = [...this.failingWrites].filter(([, write]) => this.isStuck(write, now));
    if (stuck.length === 0) return { ok: true, since: this.partitionsOkSince };
    const reason = stuck
      .map(
        ([key, write]) =>
          `partition ${key} stuck for ${Math.round((now - write.sinceMs) / 1000)} s: ${write.cause}`,
      )
      .join('; ');
    const since = Math.min(...stuck.map(([, write]) => write.sinceMs));
    return { ok: false, reason, since: new Date(since).toISOString() };
  }

  private anyStuck(): boolean {
    const now = Date.now();
    return [...this.failingWrites.values()].some((write) => this.isStuck(write, now));
  }

  private isStuck(write: FailingWrite, now: number): boolean {
    return write.permanent || now - write.sinceMs >= this.config.pipeline.stuckPartitionAfterMs;
  }

  private set(name: keyof HealthState['components'], ok: boolean, reason?: string): void {
    const current = this.components[name];
    if (current.ok === ok && current.reason === reason) return;
    this.components[name] = { ok, ...(ok ? {} : { reason }), since: new Date().toISOString() };
  }
}
