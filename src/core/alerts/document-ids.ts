/**
 * Deterministic document ids. A record redelivered after a crash or a rebalance
 * produces the same ids, and Elasticsearch's `create` then answers 409
 * ("already written"): at-least-once delivery, exactly one document.
 */
export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** Id of the command document of the `eventIndex`-th event decoded from a record. */
export function commandDocumentId(position: RecordPosition, eventIndex: number): string {
  const base = `${position.topic}:${position.partition}:${position.offset}`;
  return eventIndex === 0 ? base : `${base}:${eventIndex}`;
}

/** Id of the alert raised by `ruleId` on that event. */
export function alertDocumentId(
  position: RecordPosition,
  eventIndex: number,
  ruleId: string,
): string {
  return `${commandDocumentId(position, eventIndex)}:${ruleId}`;
}
