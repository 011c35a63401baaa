import { compileCorrelation } from '../correlation/compile-correlation';
import type { CompiledCorrelation } from '../correlation/compile-correlation';
import type { Severity } from '../event';
import { compileCondition } from './compile-condition';
import type { CompiledNode, PointedProblem, SharedNode } from './compile-condition';
import { compileRuleSet } from './compile-rule-set';
import type { CompiledRuleEvaluator } from './compile-rule-set';
import { contentHash } from './content-hash';
import { translateExceptions } from './exceptions';
import { loadLists } from './load-lists';
import type { NamedLists } from './load-lists';
import { checkRegex, quickRegexVerdict, regexKey } from './operators/check-regex';
import type { RegexSpec, RegexVerdict } from './operators/check-regex';
import type { CompileContext } from './operators/operator';
import type { CompileSession, RuleCompileCache } from './rule-compile-cache';
import { parseJsonFile } from './parse-json-file';
import { withRegexAstCache } from './regex-ast';
import type { RuleDefinition, RuleProblem, SourceFile } from './types';
import { validateRuleDocument } from './validate-schema';

/** A rule definition with its defaults applied (`enabled: true`, `version: 1`). */
export type NormalizedRule = RuleDefinition & {
  enabled: boolean;
  version: number;
  severity: Severity;
};

/** A validated, compiled rule and where it came from. */
export interface LoadedRule {
  readonly definition: Readonly<NormalizedRule>;
  readonly file: string;
  readonly conditions: CompiledNode;
  /** Holds when any exception holds; undefined when the rule has none. */
  readonly exceptions: CompiledNode | undefined;
  /** The json-rules-engine form (exceptions folded in as `all: [conditions, not: any]`), for the reference evaluator. */
  readonly engineConditions: Readonly<Record<string, unknown>>;
  /** Threshold / sequence / suppression parts; undefined for a plain single-event rule. */
  readonly correlation?: CompiledCorrelation;
}

/** True for rules the single-event evaluator runs (everything but thresholds and sequences). */
export function isSingleEventRule(rule: LoadedRule): boolean {
  const type = rule.definition.type;
  return type === undefined || type === 'single';
}

/** A complete, valid rule set: every rule (disabled ones too), sorted by id, and the lists they use. */
export interface RuleSet {
  readonly rules: readonly LoadedRule[];
  readonly lists: NamedLists;
  readonly hash: string;
  /** What operators were compiled with; the reference evaluator compiles with the same. */
  readonly context: CompileContext;
}

/** Either a usable rule set, or every problem found in every file. */
export type LoadRuleSetResult =
  | {
      ok: true;
      ruleSet: RuleSet;
      evaluator: CompiledRuleEvaluator;
      rules: readonly LoadedRule[];
      hash: string;
    }
  | { ok: false; errors: RuleProblem[] };

function fileStem(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
}

function loadRule(
  file: SourceFile,
  ctx: CompileContext,
  problems: PointedProblem[],
  shared: Map<string, SharedNode>,
): LoadedRule | undefined {
  const parsed = parseJsonFile(file);
  if ('problem' in parsed) {
    problems.push(parsed.problem);
    return undefined;
  }
  const schemaProblems = validateRuleDocument(parsed.value);
  if (schemaProblems.length > 0) {
    problems.push(...schemaProblems);
    return undefined;
  }
  const definition = parsed.value as RuleDefinition;
  if (fileStem(file.path) !== definition.id) {
    problems.push({
      pointer: '/id',
      message: `file must be named ${definition.id}.json (one file per rule, named after its id)`,
    });
  }
  const before = problems.length;
  const correlated = compileCorrelation(definition, ctx, problems);
  // A sequence's conditions are its steps (scoped by `conditions` when given).
  const conditions =
    definition.type === 'sequence'
      ? correlated.anyStep
      : compileCondition(definition.conditions, '/conditions', { ctx, problems, shared });
  const translated = translateExceptions(definition.exceptions);
  const exceptions =
    translated === undefined
      ? undefined
      : compileCondition(translated.condition, '/exceptions', {
          ctx,
          problems,
          leafPointers: translated.leafPointers,
        });
  if (problems.length > before || conditions === undefined) return undefined;
  const { $schema: _schema, ...rest } = definition as RuleDefinition & { $schema?: string };
  return {
    definition: { ...rest, enabled: definition.enabled ?? true, version: definition.version ?? 1 },
    file: file.path,
    conditions,
    exceptions,
    engineConditions:
      translated === undefined
        ? (correlated.anyStepEngineConditions ?? (definition.conditions as Record<string, unknown>))
        : {
            all: [
              correlated.anyStepEngineConditions ?? definition.conditions,
              { not: translated.condition },
            ],
          },
    ...(correlated.correlation === undefined ? {} : { correlation: correlated.correlation }),
  };
}

/** How {@link loadRuleSet} decides whether a regex may be used, and what it may reuse. */
export interface LoadRuleSetOptions {
  /**
   * The regex check; by default {@link checkRegex}, which analyses synchronously.
   * The service passes the verdicts it reached off its main thread instead
   * (src/regex-check/load-checked-rule-set.ts).
   */
  readonly checkRegex?: CompileContext['checkRegex'];
  /**
   * Rules compiled by the previous load of the same folder: an unchanged file is taken
   * from here instead of being parsed, validated and compiled again (its regexes are
   * still asked about), and the cache then holds this load's rules.
   */
  readonly cache?: RuleCompileCache;
  /**
   * Whether the evaluator builds its prefilter index (default true). The CLI passes
   * false and builds it only for an input long enough to repay it (issue 25: the index
   * is about a quarter of a pack load, and `rules validate` evaluates nothing).
   */
  readonly prefilter?: boolean;
}

/**
 * Validates and compiles rule files and list files into a rule set. Pure: the caller
 * reads the files. Reports ALL problems of ALL files at once (invalid JSON, schema
 * violations, unsafe or invalid regexes, unknown lists, file names that do not match
 * the id, duplicate ids across files); a rule set with any problem is not returned, so
 * the caller keeps its last good one.
 */
export function loadRuleSet(
  files: readonly SourceFile[],
  lists: readonly SourceFile[] = [],
  options: LoadRuleSetOptions = {},
): LoadRuleSetResult {
  // The regex proof and the prefilter's literal extraction share each pattern's parse.
  return withRegexAstCache(() => loadRuleSetOnce(files, lists, options));
}

function loadRuleSetOnce(
  files: readonly SourceFile[],
  lists: readonly SourceFile[],
  options: LoadRuleSetOptions,
): LoadRuleSetResult {
  const errors: RuleProblem[] = [];
  const session = options.cache?.begin(contentHash([], lists), files.length, () =>
    loadLists(lists),
  );
  const loadedLists = session?.lists ?? loadLists(lists);
  errors.push(...loadedLists.problems);
  const context: CompileContext = {
    lists: loadedLists.lists,
    checkRegex: options.checkRegex ?? checkRegex,
  };
  const rules: LoadedRule[] = [];
  const idFile = new Map<string, string>();
  const shared = session?.shared ?? new Map<string, SharedNode>();
  for (const file of files) {
    const problems: PointedProblem[] = [];
    const rule =
      session === undefined
        ? loadRule(file, context, problems, shared)
        : loadCachedRule(file, context, problems, session);
    errors.push(...problems.map((p) => ({ file: file.path, ...p })));
    const id = rule?.definition.id ?? idOf(file);
    if (id !== undefined) {
      const first = idFile.get(id);
      if (first !== undefined)
        errors.push({
          file: file.path,
          pointer: '/id',
          message: `duplicate rule id ${id}, also in ${first}`,
        });
      else idFile.set(id, file.path);
    }
    if (rule !== undefined) rules.push(rule);
  }
  session?.finish();
  if (errors.length > 0) return { ok: false, errors };
  rules.sort((a, b) => (a.definition.id < b.definition.id ? -1 : 1));
  const hash = contentHash(files, lists);
  const ruleSet: RuleSet = { rules, lists: loadedLists.lists, hash, context };
  // Thresholds and sequences are the correlation engine's (src/core/correlation), not per-event alerts.
  const singleEvent: RuleSet = { ...ruleSet, rules: rules.filter(isSingleEventRule) };
  const evaluator = compileRuleSet(singleEvent, {
    prefilter: options.prefilter,
    reuse: options.cache?.prefilter,
  });
  if (options.cache !== undefined) options.cache.prefilter = evaluator.prefilterIndex;
  return { ok: true, ruleSet, evaluator, rules, hash };
}

/**
 * {@link loadRule} through the cache: the rule compiled earlier from the same file when
 * every regex it uses is still allowed, else compiled now (which reports the regex
 * that is not). Either way the regexes are asked about, so the caller's check sees
 * every regex of the set.
 */
function loadCachedRule(
  file: SourceFile,
  ctx: CompileContext,
  problems: PointedProblem[],
  session: CompileSession,
): LoadedRule | undefined {
  const { key, entry } = session.lookup(file);
  if (
    entry !== undefined &&
    entry.regexes.every((spec) => ctx.checkRegex(spec.source, spec.flags) === undefined)
  ) {
    session.keep(key, entry, true);
    return entry.rule;
  }
  const regexes = new Map<string, RegexSpec>();
  const recording: CompileContext = {
    ...ctx,
    checkRegex: (source, flags) => {
      regexes.set(regexKey(source, flags), { source, flags });
      return ctx.checkRegex(source, flags);
    },
  };
  const rule = loadRule(file, recording, problems, session.shared);
  if (rule !== undefined) session.keep(key, { rule, regexes: [...regexes.values()] }, false);
  return rule;
}

/**
 * Every distinct regex the files would ask the regex check about (a `regex` value, the
 * regex of a `glob`, a string matcher of `anyCommand`), in first-use order, found by
 * compiling each rule with a check that remembers what it saw and refuses only what
 * needs no analysis (bad flags, too long, bad syntax: an operator would construct
 * it otherwise). The load with the real verdicts asks about the same regexes. Nothing
 * compiled here is kept or run. Files that do not parse or fail the schema hold no
 * regex worth checking: their load fails before any regex is used.
 */
export function ruleSetRegexes(
  files: readonly SourceFile[],
  lists: readonly SourceFile[] = [],
): RegexSpec[] {
  const seen = new Map<string, RegexSpec>();
  const context: CompileContext = {
    lists: loadLists(lists).lists,
    checkRegex: (source, flags) => {
      seen.set(regexKey(source, flags), { source, flags });
      return quickRegexVerdict(source, flags)?.verdict;
    },
  };
  const shared = new Map<string, SharedNode>();
  for (const file of files) loadRule(file, context, [], shared);
  return [...seen.values()];
}

/**
 * A regex check that answers from verdicts reached beforehand. A regex without one is
 * refused: nothing is compiled that was not checked.
 */
export function verdictLookup(
  verdicts: ReadonlyMap<string, RegexVerdict>,
): CompileContext['checkRegex'] {
  return (source, flags) => {
    const key = regexKey(source, flags);
    return verdicts.has(key)
      ? verdicts.get(key)
      : 'regex was not checked for catastrophic backtracking';
  };
}

/** The id of a file that failed validation, when it has a readable one: duplicates are reported even then. */
function idOf(file: SourceFile): string | undefined {
  const parsed = parseJsonFile(file);
  if ('problem' in parsed) return undefined;
  const value = parsed.value as { id?: unknown } | null;
  return typeof value?.id === 'string' ? value.id : undefined;
}

/** One line per problem, `file#/pointer: message`, for logs and the CLI. */
export function formatRuleProblems(problems: readonly RuleProblem[]): string {
  return problems.map((p) => `${p.file}#${p.pointer}: ${p.message}`).join('\n');
}
