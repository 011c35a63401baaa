import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** What happened to one notification for one output (`shellwatch_notifications_total{outcome}`). */
export type NotificationOutcome =
  /** The receiver accepted an alert (2xx). */
  | 'delivered'
  /** The receiver accepted a digest (2xx). */
  | 'digest_delivered'
  /** An attempt failed and will be retried (network, timeout, 408, 429, 5xx). */
  | 'failed'
  /** Refused for good (other 4xx) and written to the dead-letter topic. */
  | 'dead_lettered'
  /** Held back by the rate limit; counted in the window's digest. */
  | 'rate_limited';

export const NOTIFICATION_OUTCOMES: readonly NotificationOutcome[] = [
  'delivered',
  'digest_delivered',
  'failed',
  'dead_lettered',
  'rate_limited',
];

/**
 * The notifier's Prometheus metrics, served at GET /metrics of its own small
 * HTTP server. Labels: the output name (from the config file, a small fixed
 * set) and the outcome. Never a rule id, host or URL.
 */
export class NotifierMetrics {
  readonly registry = new Registry();

  private readonly notifications = new Counter({
    name: 'shellwatch_notifications_total',
    help: 'Notifications per output and outcome: delivered, digest_delivered, failed (an attempt, retried), dead_lettered (refused for good), rate_limited (held back for a digest).',
    labelNames: ['output', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly heldRecords = new Gauge({
    name: 'shellwatch_notifier_held_records',
    help: 'Alerts-topic records not yet committable because a digest that counts them is still to be sent.',
    registers: [this.registry],
  });
  private readonly alertsConsumed = new Counter({
    name: 'shellwatch_notifier_alerts_total',
    help: 'Records of the alerts topic handled (routed to zero or more outputs).',
    registers: [this.registry],
  });

  constructor(outputs: readonly string[]) {
    collectDefaultMetrics({ register: this.registry });
    // Present from the start, so rate() and alerts see a 0 before the first event.
    for (const output of outputs) {
      for (const outcome of NOTIFICATION_OUTCOMES) this.notifications.inc({ output, outcome }, 0);
    }
  }

  counted(output: string, outcome: NotificationOutcome): void {
    this.notifications.inc({ output, outcome });
  }

  alertHandled(): void {
    this.alertsConsumed.inc();
  }

  heldRecordsObserved(count: number): void {
    this.heldRecords.set(count);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
