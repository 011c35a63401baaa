/**
 * The event-run API: the one path from records to documents that the pipeline,
 * `shellwatch eval`, `POST /rules/test` and `shellwatch rules test` share
 * (docs/architecture.md, "The event path").
 */
export * from './event-run';
export * from './correlation-settings';
export * from './stream-correlation';
export * from './one-rule';
