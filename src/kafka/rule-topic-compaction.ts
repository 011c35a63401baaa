/**
 * The rule topic's `min.compaction.lag.ms`, checked at every start: a topic created
 * by a release before the setting existed lacks it, and there compaction may remove
 * a rejected record's restatement window (docs/operations.md, "The rule store").
 * Pure: the decision from the topic's described configuration; RuleTopic does the I/O.
 */

/** The setting, and the value every rule topic should have at least (one day). */
export const MIN_COMPACTION_LAG = 'min.compaction.lag.ms';

/** One entry of a DescribeConfigs answer, as much of it as the decision needs. */
export interface DescribedTopicConfig {
  configName: string;
  /** Null for a sensitive value the broker does not reveal. */
  configValue: string | null;
  /** Where the value comes from; {@link TOPIC_CONFIG_SOURCE} is the topic's own setting. */
  configSource: number;
  isSensitive: boolean;
}

/** kafkajs `ConfigSource.TOPIC_CONFIG` (DYNAMIC_TOPIC_CONFIG in the protocol): set on the topic itself. */
export const TOPIC_CONFIG_SOURCE = 1;

/** What to do about the topic's min.compaction.lag.ms. */
export type CompactionLagPlan =
  | { action: 'none' }
  /** Send these entries with AlterConfigs: the topic's own settings, and the lag. */
  | { action: 'alter'; current: string; entries: { name: string; value: string }[] }
  /** Too low, and it cannot be set safely from here: say so. */
  | { action: 'warn'; current: string; reason: string };

/**
 * Decides from the topic's configuration. kafkajs 2.2.4 has no IncrementalAlterConfigs,
 * and AlterConfigs REPLACES every setting of the topic with the ones it is given, so
 * the plan re-sends the topic's own settings (cleanup.policy=compact among them) with
 * the lag; a setting whose value the broker hides (sensitive) cannot be re-sent, and
 * then the plan is a warning rather than a change that would drop it.
 */
export function planCompactionLag(
  entries: readonly DescribedTopicConfig[],
  wantedMs: number,
): CompactionLagPlan {
  const lag = entries.find((entry) => entry.configName === MIN_COMPACTION_LAG);
  const current = lag?.configValue ?? 'unknown';
  if (lag?.configValue != null && Number(lag.configValue) >= wantedMs) return { action: 'none' };
  const own = entries.filter(
    (entry) =>
      entry.configSource === TOPIC_CONFIG_SOURCE && entry.configName !== MIN_COMPACTION_LAG,
  );
  const hidden = own.find((entry) => entry.isSensitive || entry.configValue === null);
  if (hidden !== undefined) {
    return {
      action: 'warn',
      current,
      reason: `its setting ${hidden.configName} is hidden (sensitive), and AlterConfigs would drop it`,
    };
  }
  return {
    action: 'alter',
    current,
    entries: [
      ...own.map((entry) => ({ name: entry.configName, value: entry.configValue ?? '' })),
      { name: MIN_COMPACTION_LAG, value: String(wantedMs) },
    ],
  };
}

/** The command an operator runs to set the lag by hand (kafka-configs uses the incremental API). */
export function compactionLagCommand(
  brokers: readonly string[],
  topic: string,
  wantedMs: number,
): string {
  return `kafka-configs.sh --bootstrap-server ${brokers.join(',')} --alter --entity-type topics --entity-name ${topic} --add-config ${MIN_COMPACTION_LAG}=${wantedMs}`;
}
