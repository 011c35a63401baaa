import { afterAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes } from 'kafkajs';
import { createTopic, uniqueName, withAdmin } from '../support/kafka';
import { ServiceProcess } from '../support/service';
import { ruleTopicReplicaEnv } from '../support/world';

/**
 * RULES_STORE=kafka on a rule topic created before the service set
 * min.compaction.lag.ms (a topic of an older release, or one made by hand with
 * only cleanup.policy=compact): at start the service sets the lag to one day,
 * keeps the topic's other settings (AlterConfigs replaces them all), and says so.
 */
const DAY_MS = '86400000';

/** The topic's own settings (not the broker's defaults), by name. */
async function topicSettings(topic: string): Promise<Record<string, string>> {
  const described = await withAdmin((admin) =>
    admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    }),
  );
  const entries = described.resources[0]?.configEntries ?? [];
  return Object.fromEntries(
    entries.filter((e) => !e.isDefault).map((e) => [e.configName, e.configValue]),
  );
}

describe('RULES_STORE=kafka: a rule topic without min.compaction.lag.ms', () => {
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop();
  });

  it('gets the one-day lag at start, its other settings kept', async () => {
    const rulesTopic = uniqueName('e2e-rules-topic-config');
    await createTopic(rulesTopic, 1, {
      'cleanup.policy': 'compact',
      'max.message.bytes': '2000000',
    });
    expect(await topicSettings(rulesTopic)).not.toHaveProperty('min.compaction.lag.ms');

    const input = uniqueName('e2e-rules-topic-config-input');
    await createTopic(input, 1);
    // Each start is a fresh service, as an operator's restart would be.
    const startService = (): ServiceProcess =>
      new ServiceProcess(ruleTopicReplicaEnv('e2e-rules-topic-config', input, rulesTopic)).start();
    service = startService();
    await service.waitReady();

    expect(await topicSettings(rulesTopic)).toMatchObject({
      'cleanup.policy': 'compact',
      'max.message.bytes': '2000000',
      'min.compaction.lag.ms': DAY_MS,
    });
    expect(service.logs()).toContain(
      `the rule topic ${rulesTopic} had min.compaction.lag.ms=0; set it to ${DAY_MS}`,
    );

    // A second start finds the topic as it should be: nothing to say.
    await service.stop();
    service = startService();
    await service.waitReady();
    expect(service.logs()).not.toContain('min.compaction.lag.ms');
  });
});
