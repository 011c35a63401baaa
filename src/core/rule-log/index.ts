/** The rule topic's records and the state machine every replica folds them with (RULES_STORE=kafka). */
export * from './rule-record';
export * from './rule-log-state';
export * from './restatement';
