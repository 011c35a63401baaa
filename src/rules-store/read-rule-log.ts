import { RuleLogState } from '../core/rule-log';
import type { RuleTopic } from '../kafka/rule-topic';

/**
 * Reads the rule topic from its start to the end offset it has now and returns
 * the folded state (for `shellwatch rules push|pull`; the service follows the
 * topic instead, see KafkaRuleStore). Rejects after `timeoutMs`.
 */
export async function readRuleLog(topic: RuleTopic, timeoutMs: number): Promise<RuleLogState> {
  const state = new RuleLogState();
  const end = await topic.endOffset();
  if (end === 0n) return state;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `the rule topic ${topic.topic} was not read to offset ${end} within ${timeoutMs} ms (read up to ${state.position})`,
          ),
        ),
      timeoutMs,
    );
    topic
      .follow((records) => {
        for (const record of records) state.apply(record);
        if (state.position >= end - 1n) {
          clearTimeout(timer);
          resolve();
        }
        return Promise.resolve();
      })
      .catch((error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
  });
  return state;
}
