/**
 * Correlation in-stream: thresholds, sequences and suppression over the events of
 * one partition, in event time, with state that can be checkpointed per key.
 *
 * - {@link compileCorrelation}: a rule file's correlation blocks → compiled parts
 *   (called by the rule loader; steps use the rule core's compileCondition).
 * - {@link CorrelationEngine} (engine.ts, the front): feed events in order, get alerts and
 *   suppression counts. Its parts, one module each: key-store.ts (per-key state, eviction,
 *   changes to checkpoint), threshold.ts, sequence.ts (steps and absences),
 *   suppression.ts, group-key.ts (group keys, alert ids), raise-alert.ts.
 * - {@link buildCorrelationAlert}: the alert document.
 * - {@link runCorrelationExamples}: a rule's ordered examples (`rules test`).
 *
 * Semantics: docs/correlation.md and the header of engine.ts.
 */
export * from './definition';
export * from './compile-correlation';
export * from './engine';
export * from './build-correlation-alert';
export * from './run-correlation-examples';
