import { text, topic } from '../config-variable';
import type { ConfigVariable } from '../config-variable';

/** Notifier mode (node dist/src/notifier/main.js): its outputs file, consumer group and dead-letter topic. */
export const NOTIFIER_CONFIG = {
  configFile: {
    name: 'NOTIFY_CONFIG_FILE',
    default: '',
    doc: 'Notifier mode (node dist/src/notifier/main.js): JSON file of outputs and routes (docs/operations.md, "Notifications"). Required in that mode; unused by the service.',
    parse: text,
  },
  groupId: {
    name: 'NOTIFY_GROUP_ID',
    default: 'shellwatch-notifier',
    doc: 'Notifier mode: consumer group of the alerts topic (KAFKA_ALERTS_TOPIC), used exactly as given.',
    parse: topic,
  },
  dlqTopic: {
    name: 'NOTIFY_DLQ_TOPIC',
    default: 'shell.alerts.notify-dlq',
    doc: 'Notifier mode: dead-letter topic for notifications a receiver refused for good (4xx other than 408/429), with the reason in headers.',
    parse: topic,
  },
} as const satisfies Record<string, ConfigVariable<unknown>>;
