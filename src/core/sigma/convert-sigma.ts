import { parseAllDocuments } from 'yaml';
import { formatRuleProblems, loadRuleSet } from '../rules/load-rule-set';
import type { LoadRuleSetOptions } from '../rules/load-rule-set';
import { RULE_ID_MAX_LENGTH, ruleIdProblem } from '../rules/rule-id';
import type { RuleSource } from '../rules/types';
import { ALWAYS, fieldCondition, keywordCondition } from './sigma-fields';
import type { Condition, Converted, FieldSet } from './sigma-fields';
import { namesMatching, parseCondition } from './sigma-condition';
import type { ConditionNode } from './sigma-condition';
import { SigmaSkipError, skip } from './skip';
import type { SkipCode } from './skip';
import { errorMessage } from '../errors';

/**
 * Sigma rules → Shellwatch rule files (`shellwatch sigma convert`, docs/rules.md,
 * "Sigma"). Pure: the caller reads the YAML files and writes the results. Every
 * rule is converted whole or skipped whole with its reason; a converted rule has
 * been loaded by the normal loader (schema, regex safety check, compile) first.
 */

/** A Sigma file as read: its path relative to the folder converted, and its text. */
export interface SigmaFile {
  path: string;
  text: string;
}

export interface ConvertedSigmaRule {
  path: string;
  sigmaId?: string;
  title: string;
  /** The Shellwatch id, and the file name `<id>.json`. */
  id: string;
  file: string;
  /** The rule file's text (two-space JSON, final newline). */
  text: string;
}

export interface SkippedSigmaRule {
  path: string;
  sigmaId?: string;
  title?: string;
  code: SkipCode;
  reason: string;
}

/** The conversion report (`--report FILE` writes it as JSON). */
export interface SigmaConversionReport {
  converted: Omit<ConvertedSigmaRule, 'text'>[];
  skipped: SkippedSigmaRule[];
  counts: {
    files: number;
    converted: number;
    skipped: number;
    byReason: Partial<Record<SkipCode, number>>;
  };
}

type SigmaDocument = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SEVERITIES = new Set(['informational', 'low', 'medium', 'high', 'critical']);
const ATTACK_TECHNIQUE = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;

/** Converts every file; ids must be unique across the converted rules (a later duplicate is skipped). */
export function convertSigmaFiles(
  files: readonly SigmaFile[],
  options: LoadRuleSetOptions = {},
): {
  rules: ConvertedSigmaRule[];
  report: SigmaConversionReport;
} {
  const rules: ConvertedSigmaRule[] = [];
  const skipped: SkippedSigmaRule[] = [];
  const ids = new Map<string, string>();
  for (const file of files) {
    const result = convertSigmaFile(file, options);
    if ('reason' in result) {
      skipped.push(result);
      continue;
    }
    const first = ids.get(result.id.toLowerCase());
    if (first !== undefined) {
      skipped.push({
        path: result.path,
        ...(result.sigmaId === undefined ? {} : { sigmaId: result.sigmaId }),
        title: result.title,
        code: 'duplicate-id',
        reason: `id ${result.id} is also the id of ${first}`,
      });
      continue;
    }
    ids.set(result.id.toLowerCase(), result.path);
    rules.push(result);
  }
  const byReason: Partial<Record<SkipCode, number>> = {};
  for (const s of skipped) byReason[s.code] = (byReason[s.code] ?? 0) + 1;
  return {
    rules,
    report: {
      converted: rules.map(({ text: _text, ...entry }) => entry),
      skipped,
      counts: { files: files.length, converted: rules.length, skipped: skipped.length, byReason },
    },
  };
}

/**
 * One file: one converted rule, or the reason it is skipped. `options.checkRegex` is the
 * regex check of the load that proves the rule valid (by default the synchronous one).
 */
export function convertSigmaFile(
  file: SigmaFile,
  options: LoadRuleSetOptions = {},
): ConvertedSigmaRule | SkippedSigmaRule {
  let document: SigmaDocument | undefined;
  try {
    document = readDocument(file.text);
    return convertDocument(document, file.path, options);
  } catch (error) {
    if (!(error instanceof SigmaSkipError)) throw error;
    const sigmaId = typeof document?.['id'] === 'string' ? document['id'] : undefined;
    const title = typeof document?.['title'] === 'string' ? document['title'] : undefined;
    return {
      path: file.path,
      ...(sigmaId === undefined ? {} : { sigmaId }),
      ...(title === undefined ? {} : { title }),
      code: error.code,
      reason: error.message,
    };
  }
}

function readDocument(text: string): SigmaDocument {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) skip('invalid-yaml', 'not a YAML document');
  const errors = documents.flatMap((d) => d.errors);
  if (errors.length > 0) skip('invalid-yaml', `invalid YAML: ${errors[0]?.message ?? ''}`);
  if (documents.length !== 1)
    skip(
      'invalid-sigma',
      `${documents.length} YAML documents: rule collections are not converted (one rule per file)`,
    );
  let value: unknown;
  try {
    // Aliases are expanded with a bound: a "billion laughs" file is refused, not expanded.
    value = documents[0]?.toJS({ maxAliasCount: 50 });
  } catch (error) {
    skip('invalid-yaml', `invalid YAML: ${errorMessage(error)}`);
  }
  if (!isObject(value)) skip('invalid-sigma', 'a Sigma rule is a YAML mapping');
  return value;
}

function fieldSetOf(logsource: unknown): FieldSet {
  if (!isObject(logsource)) skip('invalid-sigma', 'no logsource');
  const { product, category, service } = logsource;
  const name = JSON.stringify(logsource);
  if (product !== 'linux') skip('logsource', `logsource ${name}: only product linux is converted`);
  if (category === 'process_creation' && service === undefined) return 'process';
  if (service === 'auditd' && category === undefined) return 'auditd';
  if (service === 'builtin' || (category === undefined && service === undefined)) return 'history';
  return skip(
    'logsource',
    `logsource ${name}: converted are linux process_creation, service auditd and shell-history keyword rules (service builtin)`,
  );
}

function convertDocument(
  document: SigmaDocument,
  path: string,
  options: LoadRuleSetOptions,
): ConvertedSigmaRule {
  const title = document['title'];
  if (typeof title !== 'string' || title.trim() === '') skip('invalid-sigma', 'no title');
  if (document['correlation'] !== undefined)
    skip(
      'aggregation',
      'a Sigma correlation rule needs several events; write a threshold or sequence rule',
    );
  const detection = document['detection'];
  if (!isObject(detection)) skip('invalid-sigma', 'no detection');
  const fields = fieldSetOf(document['logsource']);
  if (detection['timeframe'] !== undefined)
    skip(
      'aggregation',
      'timeframe: several events in a window; write a threshold rule (docs/correlation.md)',
    );
  const conditions = detectionConditions(detection, fields);

  const sigmaId = typeof document['id'] === 'string' ? document['id'] : undefined;
  const id = shellwatchId(sigmaId, path);
  const tags = stringList(document['tags']);
  const mitre = unique(
    tags.flatMap((t) => (ATTACK_TECHNIQUE.exec(t)?.[1] ?? '').toUpperCase() || []),
  );
  const otherTags = unique(tags.filter((t) => !ATTACK_TECHNIQUE.test(t)));
  const falsepositives = stringList(document['falsepositives']);
  const level = document['level'];
  const severity = typeof level === 'string' && SEVERITIES.has(level) ? level : 'medium';
  const status = typeof document['status'] === 'string' ? document['status'] : undefined;
  const author = authorOf(document['author']);
  const references = stringList(document['references']).filter(isUrl);
  const description = [
    typeof document['description'] === 'string' ? document['description'].trim() : '',
    falsepositives.length > 0 ? `Known false positives: ${falsepositives.join('; ')}.` : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
  const source: RuleSource = {
    format: 'sigma',
    ...(sigmaId === undefined ? {} : { id: sigmaId }),
    path,
    ...(status === undefined ? {} : { status }),
    ...optionalString('license', document['license']),
    ...optionalString('date', document['date']),
    ...optionalString('modified', document['modified']),
    ...(falsepositives.length > 0 ? { falsepositives } : {}),
    ...(tags.length > 0 ? { tags } : {}),
  };
  const rule = {
    id,
    name: title.trim().slice(0, 200),
    ...(description === '' ? {} : { description }),
    severity,
    // Sigma marks retired rules; they are converted but not run.
    ...(status === 'deprecated' || status === 'unsupported' ? { enabled: false } : {}),
    ...(otherTags.length > 0 ? { tags: otherTags } : {}),
    ...(mitre.length > 0 ? { mitre } : {}),
    ...(author === undefined ? {} : { author }),
    ...(references.length > 0 ? { references } : {}),
    source,
    conditions,
  };
  const file = `${id}.json`;
  const text = `${JSON.stringify(rule, null, 2)}\n`;
  const loaded = loadRuleSet([{ path: file, text }], [], options);
  if (!loaded.ok)
    skip('does-not-load', `the converted rule does not load: ${formatRuleProblems(loaded.errors)}`);
  return { path, ...(sigmaId === undefined ? {} : { sigmaId }), title, id, file, text };
}

/**
 * The Sigma id itself when it is a valid rule id outside the pack's reserved `SW-`
 * (a UUID is), else `sigma-` and the id or the file name with every other character
 * turned into `-`.
 */
export function shellwatchId(sigmaId: string | undefined, path: string): string {
  if (sigmaId !== undefined && ruleIdProblem(sigmaId) === undefined && !/^sw-/i.test(sigmaId))
    return sigmaId;
  const stem = path.slice(path.lastIndexOf('/') + 1).replace(/\.ya?ml$/i, '');
  return `sigma-${sigmaId ?? stem}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, RULE_ID_MAX_LENGTH);
}

function detectionConditions(detection: Record<string, unknown>, fields: FieldSet): Condition {
  const names = Object.keys(detection).filter((name) => name !== 'condition');
  const cache = new Map<string, Converted>();
  const selection = (name: string): Converted => {
    const known = cache.get(name);
    if (known !== undefined) return known;
    if (!names.includes(name))
      skip('condition', `the condition names ${name}, which is not a selection`);
    const converted = selectionCondition(name, detection[name], fields);
    cache.set(name, converted);
    return converted;
  };
  const build = (node: ConditionNode): Converted => {
    switch (node.type) {
      case 'ref':
        return selection(node.name);
      case 'of': {
        const matched = namesMatching(node.pattern, names);
        if (matched.length === 0) skip('condition', `"of ${node.pattern}" matches no selection`);
        const items = matched.map(selection);
        return node.quantifier === 'all' ? and(items) : or(items);
      }
      case 'and':
        return and(node.items.map(build));
      case 'or':
        return or(node.items.map(build));
      case 'not': {
        const inner = build(node.item);
        if (inner === ALWAYS)
          skip('condition', 'the condition can never hold (not of a test that always holds)');
        return { not: inner };
      }
    }
  };
  const raw = detection['condition'];
  const texts = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  if (texts.length === 0 || !texts.every((t): t is string => typeof t === 'string'))
    skip('invalid-sigma', 'detection.condition must be a string or a list of strings');
  const top = or(texts.map((text) => build(parseCondition(text))));
  if (top === ALWAYS) return { all: [{ fact: 'commandLine', operator: 'exists', value: true }] };
  return 'all' in top || 'any' in top || 'not' in top ? top : { all: [top] };
}

function and(items: Converted[]): Converted {
  const real = items.filter((item): item is Condition => item !== ALWAYS);
  if (real.length === 0) return ALWAYS;
  return real.length === 1 ? (real[0] as Condition) : { all: real };
}

function or(items: Converted[]): Converted {
  if (items.includes(ALWAYS)) return ALWAYS;
  const real = items as Condition[];
  return real.length === 1 ? (real[0] as Condition) : { any: real };
}

const isScalar = (value: unknown): boolean =>
  typeof value === 'string' || typeof value === 'number';

/** A selection: a map (AND of its fields), a list of maps (OR), or a list of keywords (OR). */
function selectionCondition(name: string, value: unknown, fields: FieldSet): Converted {
  if (isScalar(value)) return keywordCondition(value);
  if (Array.isArray(value) && value.length > 0) {
    if (value.every(isScalar)) return or(value.map((keyword) => keywordCondition(keyword)));
    if (value.every(isObject)) return or(value.map((map) => mapCondition(name, map, fields)));
    skip('invalid-sigma', `selection ${name} mixes keywords and field maps`);
  }
  if (isObject(value)) return mapCondition(name, value, fields);
  return skip('invalid-sigma', `selection ${name} is empty or not a map or list`);
}

function mapCondition(name: string, map: Record<string, unknown>, fields: FieldSet): Converted {
  const keys = Object.keys(map);
  if (keys.length === 0) skip('invalid-sigma', `selection ${name} is an empty map`);
  return and(
    keys.map((key) => {
      if (key.startsWith('|'))
        skip('modifier', `selection ${name}: keyword modifiers ("${key}") are not converted`);
      return fieldCondition(key, map[key], fields);
    }),
  );
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string');
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function authorOf(value: unknown): string | undefined {
  const authors = stringList(value);
  return authors.length === 0 ? undefined : authors.join(', ');
}

function optionalString(key: string, value: unknown): Record<string, string> {
  if (typeof value === 'string') return { [key]: value };
  if (value instanceof Date) return { [key]: value.toISOString().slice(0, 10) };
  return {};
}

function isUrl(value: string): boolean {
  try {
    return /^[a-z][a-z0-9+.-]*:/i.test(value) && new URL(value).href !== '';
  } catch {
    return false;
  }
}
