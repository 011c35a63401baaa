import type {
  CorrelationExample,
  RuleType,
  SequenceDefinition,
  SuppressionDefinition,
  ThresholdDefinition,
} from '../correlation/definition';
import type { CommandEvent, Severity } from '../event';

/** A rule as written in a rule file (see rules/schema/rule.schema.json and docs/rules.md). */
export interface RuleDefinition {
  id: string;
  name: string;
  description?: string;
  severity: Severity;
  enabled?: boolean;
  version?: number;
  tags?: string[];
  mitre?: string[];
  author?: string;
  references?: string[];
  /** Where a converted rule came from (`shellwatch sigma convert`); metadata only. */
  source?: RuleSource;
  /** json-rules-engine's condition format (all / any / not / condition references); optional for sequences. */
  conditions: unknown;
  exceptions?: unknown[];
  /** Correlation (src/core/correlation, docs/correlation.md); absent means `single`. */
  type?: RuleType;
  threshold?: ThresholdDefinition;
  sequence?: SequenceDefinition;
  suppression?: SuppressionDefinition;
  examples?: { match?: string[]; noMatch?: string[]; sequences?: CorrelationExample[] };
}

/** Provenance of a converted rule: the source rule's own id, file and the metadata the rule has no field for. */
export interface RuleSource {
  format: 'sigma';
  id?: string;
  path?: string;
  status?: string;
  license?: string;
  date?: string;
  modified?: string;
  falsepositives?: string[];
  tags?: string[];
}

/** Why a rule matched: the leaf conditions that held and the values they saw. */
export interface MatchedCondition {
  fact: string;
  path?: string;
  operator: string;
  value: unknown;
  factValue: unknown;
}

export interface RuleMatch {
  rule: Pick<RuleDefinition, 'id' | 'name' | 'description' | 'severity' | 'tags' | 'mitre'> & {
    version: number;
  };
  matched: MatchedCondition[];
}

/** A loaded, validated, compiled rule set. Evaluation is synchronous and never throws on input. */
export interface RuleEvaluator {
  readonly ruleCount: number;
  evaluate(event: CommandEvent): RuleMatch[];
}

/** One problem in a rule or list file: which file, where inside it (RFC 6901 JSON pointer), what is wrong. */
export interface RuleProblem {
  file: string;
  /** `''` for the whole file, else e.g. `/conditions/all/0/value`. */
  pointer: string;
  message: string;
}

/** A file handed to the loader; the caller reads it (the core does no I/O). */
export interface SourceFile {
  path: string;
  text: string;
}
