import { Injectable } from '@nestjs/common';
import type { ConsumerStateListener } from '../kafka/kafka-batch.server';

export interface ComponentState {
  ok: boolean;
  reason?: string;
  since: string;
}

/**
 * What readiness is made of: Kafka consumed, Elasticsearch accepting writes, a
 * valid rule set loaded. Each adapter reports its own part; nobody polls.
 */
@Injectable()
export class HealthState implements ConsumerStateListener {
  private readonly components: Record<'kafka' | 'elasticsearch' | 'rules', ComponentState> = {
    kafka: { ok: false, reason: 'not connected yet', since: new Date().toISOString() },
    elasticsearch: { ok: false, reason: 'not checked yet', since: new Date().toISOString() },
    rules: { ok: false, reason: 'not loaded yet', since: new Date().toISOString() },
  };

  consumerStateChanged(state: { running: boolean; reason?: string }): void {
    this.set('kafka', state.running, state.reason);
  }

  elasticsearchStateChanged(writable: boolean, reason?: string): void {
    this.set('elasticsearch', writable, reason);
  }

  rulesStateChanged(loaded: boolean, reason?: string): void {
    this.set('rules', loaded, reason);
  }

  /** Ready when every component is; the reasons of those that are not. */
  readiness(): { ready: boolean; components: Record<string, ComponentState> } {
    const ready = Object.values(this.components).every((c) => c.ok);
    return { ready, components: { ...this.components } };
  }

  private set(name: keyof HealthState['components'], ok: boolean, reason?: string): void {
    const current = this.components[name];
    if (current.ok === ok && current.reason === reason) return;
    this.components[name] = { ok, ...(ok ? {} : { reason }), since: new Date().toISOString() };
  }
}
