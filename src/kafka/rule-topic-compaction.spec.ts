import { describe, expect, it } from 'vitest';
import {
  compactionLagCommand,
  MIN_COMPACTION_LAG,
  planCompactionLag,
  TOPIC_CONFIG_SOURCE,
} from './rule-topic-compaction';
import type { DescribedTopicConfig } from './rule-topic-compaction';

const DAY = 86_400_000;
const DEFAULT_CONFIG_SOURCE = 5;

function entry(
  configName: string,
  configValue: string | null,
  configSource = TOPIC_CONFIG_SOURCE,
  isSensitive = false,
): DescribedTopicConfig {
  return { configName, configValue, configSource, isSensitive };
}

describe('planCompactionLag', () => {
  it('changes nothing on a topic that keeps records a day or longer', () => {
    expect(planCompactionLag([entry(MIN_COMPACTION_LAG, String(DAY))], DAY)).toEqual({
      action: 'none',
    });
    expect(planCompactionLag([entry(MIN_COMPACTION_LAG, String(2 * DAY))], DAY)).toEqual({
      action: 'none',
    });
  });

  it("sets the lag on an older topic and re-sends the topic's own settings, not the defaults", () => {
    const plan = planCompactionLag(
      [
        entry('cleanup.policy', 'compact'),
        entry('max.message.bytes', '2000000'),
        entry(MIN_COMPACTION_LAG, '0', DEFAULT_CONFIG_SOURCE),
        entry('retention.ms', '604800000', DEFAULT_CONFIG_SOURCE),
      ],
      DAY,
    );
    expect(plan).toEqual({
      action: 'alter',
      current: '0',
      entries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'max.message.bytes', value: '2000000' },
        { name: MIN_COMPACTION_LAG, value: String(DAY) },
      ],
    });
  });

  it('raises a lag the topic sets lower itself, without sending it twice', () => {
    const plan = planCompactionLag(
      [entry('cleanup.policy', 'compact'), entry(MIN_COMPACTION_LAG, '60000')],
      DAY,
    );
    expect(plan).toMatchObject({ action: 'alter', current: '60000' });
    expect(plan.action === 'alter' && plan.entries.map((e) => e.name)).toEqual([
      'cleanup.policy',
      MIN_COMPACTION_LAG,
    ]);
  });

  it('only warns when the topic holds a setting the broker hides: AlterConfigs would drop it', () => {
    const plan = planCompactionLag(
      [entry('cleanup.policy', 'compact'), entry('some.secret', null, TOPIC_CONFIG_SOURCE, true)],
      DAY,
    );
    expect(plan).toEqual({
      action: 'warn',
      current: 'unknown',
      reason: expect.stringContaining('some.secret') as unknown,
    });
  });
});

describe('compactionLagCommand', () => {
  it('is the kafka-configs command for the topic and brokers', () => {
    expect(compactionLagCommand(['k1:9092', 'k2:9092'], 'shellwatch.rules', DAY)).toBe(
      'kafka-configs.sh --bootstrap-server k1:9092,k2:9092 --alter --entity-type topics --entity-name shellwatch.rules --add-config min.compaction.lag.ms=86400000',
    );
  });
});
