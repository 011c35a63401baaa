import { integer, oneOf, text, topic } from '../config-variable';
import type { ConfigVariable } from '../config-variable';

export const RULE_ENGINES = ['compiled', 'reference'] as const;
export const RULE_STORES = ['files', 'kafka'] as const;

/** Rules: where the rule set lives (a folder, or a compacted topic) and which evaluator runs it. */
export const RULES_CONFIG = {
  dir: {
    name: 'RULES_DIR',
    default: './rules',
    doc: 'Folder of rule files (one JSON file per rule, sub-folders allowed; named lists under lists/).',
    parse: text,
  },
  store: {
    name: 'RULES_STORE',
    default: 'files',
    doc: 'files: the rules are the files of RULES_DIR (one instance, GitOps). kafka: the rules are the compacted topic RULES_TOPIC, shared by every replica; API changes go to the topic (docs/operations.md, "The rule store").',
    parse: oneOf(RULE_STORES),
  },
  topic: {
    name: 'RULES_TOPIC',
    default: 'shellwatch.rules',
    doc: 'With RULES_STORE=kafka: the compacted topic of the rules (one partition; created when missing).',
    parse: topic,
  },
  topicTimeoutMs: {
    name: 'RULES_TOPIC_TIMEOUT_MS',
    default: '10000',
    doc: 'With RULES_STORE=kafka: how long an API change waits for Kafka to take its record and for this replica to apply it before answering 503/504.',
    parse: integer(500, 600000),
  },
  engine: {
    name: 'RULES_ENGINE',
    default: 'compiled',
    doc: 'compiled (fast, the default) or reference (json-rules-engine itself, for comparison).',
    parse: oneOf(RULE_ENGINES),
  },
} as const satisfies Record<string, ConfigVariable<unknown>>;
