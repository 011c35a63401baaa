import { integer } from '../config-variable';
import type { ConfigVariable } from '../config-variable';

/** Pipeline: when a partition whose batch keeps failing counts as stuck, and how long a shutdown waits for the batch in flight. */
export const PIPELINE_CONFIG = {
  stuckPartitionAfterMs: {
    name: 'STUCK_PARTITION_AFTER_MS',
    default: '60000',
    doc: 'How long a batch may keep failing to be written before /health/ready reports its partition stuck, with the cause (at once when retrying cannot cure it).',
    parse: integer(0, 86400000),
  },
  shutdownTimeoutMs: {
    name: 'SHUTDOWN_TIMEOUT_MS',
    default: '10000',
    doc: 'On SIGTERM/SIGINT, how long to wait for the batch in flight before leaving anyway, whatever the service is doing (exit code 0; uncommitted work is redelivered).',
    parse: integer(0, 600000),
  },
} as const satisfies Record<string, ConfigVariable<unknown>>;
