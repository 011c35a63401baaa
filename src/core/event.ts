/**
 * The normalized command event: one shell command as Shellwatch understands it,
 * whatever format it arrived in. Field names are ECS (Elastic Common Schema) so
 * Kibana and Elastic Security read the documents without mapping work.
 *
 * Nested objects mirror the ECS dotted names (`user.effective.name` is
 * `event.user?.effective?.name`). Every field except `process.command_line`,
 * `event.original` and `log.source` is optional: formats differ in what they
 * carry, and a missing field is left out rather than guessed.
 */
export interface CommandEvent {
  /** When the command ran, RFC 3339 UTC (`2026-11-25T16:34:43.000Z`). */
  '@timestamp': string;
  user?: {
    name?: string;
    id?: string;
    /** The account the command ran as after sudo/su, when it differs from the login user. */
    effective?: { name?: string; id?: string };
  };
  host?: { name?: string };
  source?: { ip?: string };
  process: {
    /** The command line as typed, the one field every rule can rely on. */
    command_line: string;
    executable?: string;
    args?: string[];
    working_directory?: string;
    pid?: number;
    parent?: { pid?: number };
    exit_code?: number;
  };
  session?: { id?: string };
  tty?: string;
  event: {
    /** The raw record exactly as received (after UTF-8 decoding). */
    original: string;
    /** Which decoder produced this event, e.g. `snoopy`, `auditd`. */
    module?: string;
  };
  log: {
    /** Which parser produced this event (same value as `event.module`). */
    source: string;
  };
  /** Format-specific fields that have no ECS home, kept rather than dropped. */
  labels?: Record<string, string>;
}

/** Severity levels, lowest first; the order is meaningful (highest wins). */
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Returns the higher of two severities. */
export function maxSeverity(a: Severity | undefined, b: Severity): Severity {
  if (a === undefined) return b;
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b) ? a : b;
}
