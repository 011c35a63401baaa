import type { CompiledNode, PointedProblem } from '../rules/compile-condition';
import { compileCondition } from '../rules/compile-condition';
import type { CompileContext } from '../rules/operators/operator';
import type {
  RuleType,
  SequenceDefinition,
  SuppressionDefinition,
  ThresholdDefinition,
} from './definition';
import { parseDuration } from './definition';

/** A rule's correlation parts, compiled; what the {@link CorrelationEngine} runs. */
export interface CompiledCorrelation {
  type: RuleType;
  threshold?: {
    groupBy: readonly string[];
    windowMs: number;
    count: number;
    distinct?: string;
  };
  sequence?: {
    groupBy: readonly string[];
    windowMs: number;
    steps: readonly CompiledNode[];
    stepNames: readonly string[];
    absence?: { name: string; condition: CompiledNode; withinMs: number };
  };
  suppression?: { groupBy: readonly string[]; periodMs: number };
  /** Thresholds and sequences: what their conditions were compiled with (the engine's prefilter reads the lists). */
  context?: CompileContext;
}

/** The correlation-related fields of a rule file (the rest is the single-event rule). */
export interface CorrelationFields {
  type?: RuleType;
  conditions?: unknown;
  threshold?: ThresholdDefinition;
  sequence?: SequenceDefinition;
  suppression?: SuppressionDefinition;
}

/** The result of {@link compileCorrelation}: the compiled parts, and for sequences the `conditions` stand-in. */
export interface CompileCorrelationResult {
  correlation: CompiledCorrelation | undefined;
  /** For a sequence rule: holds when an event matches some step (its `conditions` for other consumers). */
  anyStep?: CompiledNode;
  /** json-rules-engine form of {@link anyStep}. */
  anyStepEngineConditions?: Record<string, unknown>;
}

function duration(text: string, pointer: string, problems: PointedProblem[]): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    problems.push({ pointer, message: 'must be a positive duration like 90s, 5m, 1h' });
    return 1;
  }
  return ms;
}

/**
 * Checks and compiles the correlation blocks of a schema-valid rule: each sequence
 * step and the absence are compiled with the rule core's {@link compileCondition}, so
 * they mean exactly what a single-event rule's conditions mean. Returns
 * `correlation: undefined` for a plain single-event rule without suppression.
 * Problems (with JSON pointers) are appended to `problems`.
 */
export function compileCorrelation(
  rule: CorrelationFields,
  ctx: CompileContext,
  problems: PointedProblem[],
): CompileCorrelationResult {
  const type: RuleType = rule.type ?? 'single';
  const suppression =
    rule.suppression === undefined
      ? undefined
      : {
          groupBy: rule.suppression.groupBy,
          periodMs: duration(rule.suppression.period, '/suppression/period', problems),
        };
  const misplaced = (block: 'threshold' | 'sequence'): void => {
    if (rule[block] !== undefined && type !== block)
      problems.push({ pointer: `/${block}`, message: `only allowed with "type": "${block}"` });
  };
  misplaced('threshold');
  misplaced('sequence');
  const keyFields = rule.threshold?.groupBy ?? rule.sequence?.groupBy;
  if (rule.suppression !== undefined && keyFields !== undefined) {
    rule.suppression.groupBy.forEach((field, i) => {
      if (!keyFields.includes(field))
        problems.push({
          pointer: `/suppression/groupBy/${i}`,
          message: `must be one of the rule's groupBy fields (${keyFields.join(', ')})`,
        });
    });
  }
  switch (type) {
    case 'single':
      return {
        correlation: suppression === undefined ? undefined : { type, suppression },
      };
    case 'threshold': {
      const block = rule.threshold;
      if (block === undefined) {
        problems.push({ pointer: '', message: 'a threshold rule needs a "threshold" block' });
        return { correlation: undefined };
      }
      return {
        correlation: {
          type,
          threshold: {
            groupBy: block.groupBy,
            windowMs: duration(block.window, '/threshold/window', problems),
            count: block.count,
            ...(block.distinct === undefined ? {} : { distinct: block.distinct }),
          },
          ...(suppression === undefined ? {} : { suppression }),
          context: ctx,
        },
      };
    }
    case 'sequence': {
      const block = rule.sequence;
      if (block === undefined) {
        problems.push({ pointer: '', message: 'a sequence rule needs a "sequence" block' });
        return { correlation: undefined };
      }
      const options = { ctx, problems };
      const scope =
        rule.conditions === undefined
          ? undefined
          : compileCondition(rule.conditions, '/conditions', options);
      const steps = block.steps.map((step, i) =>
        compileCondition(step.conditions, `/sequence/steps/${i}/conditions`, options),
      );
      const absence =
        block.absence === undefined
          ? undefined
          : compileCondition(block.absence.conditions, '/sequence/absence/conditions', options);
      const withinMs =
        block.absence === undefined
          ? 0
          : duration(block.absence.within, '/sequence/absence/within', problems);
      if (steps.some((s) => s === undefined) || (block.absence !== undefined && !absence))
        return { correlation: undefined };
      const scoped = (steps as CompiledNode[]).map((step): CompiledNode =>
        scope === undefined ? step : (facts, matched) => scope(facts, null) && step(facts, matched),
      );
      const scopedAbsence =
        absence === undefined
          ? undefined
          : scope === undefined
            ? absence
            : (((facts, matched) => scope(facts, null) && absence(facts, matched)) as CompiledNode);
      const anyStep: CompiledNode = (facts, matched) => {
        for (const step of scoped) if (step(facts, matched)) return true;
        return false;
      };
      const anyOf = { any: block.steps.map((s) => s.conditions) };
      return {
        correlation: {
          type,
          sequence: {
            groupBy: block.groupBy,
            windowMs: duration(block.window, '/sequence/window', problems),
            steps: scoped,
            stepNames: block.steps.map((s, i) => s.name ?? `step${i + 1}`),
            ...(scopedAbsence === undefined || block.absence === undefined
              ? {}
              : {
                  absence: {
                    name: block.absence.name ?? 'absence',
                    condition: scopedAbsence,
                    withinMs,
                  },
                }),
          },
          ...(suppression === undefined ? {} : { suppression }),
          context: ctx,
        },
        anyStep,
        anyStepEngineConditions:
          rule.conditions === undefined ? anyOf : { all: [rule.conditions, anyOf] },
      };
    }
  }
}
