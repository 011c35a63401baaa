/**
 * Rule quality report (`npm run rules:report`): loads the rule pack under rules/,
 * runs every embedded example, evaluates the two corpora of test/fixtures/corpus/
 * and writes
 *
 * - docs/rule-quality.md: per rule and overall detections on the malicious corpus,
 *   false positives on the benign corpus, false-positive rates, rules per category;
 * - bench/results/rule-quality.json: the same figures, machine-readable;
 * - docs/rules.md: the generated table of all rules, between the markers
 *   `<!-- rules-table:start -->` and `<!-- rules-table:end -->` (the rest of the
 *   document is handwritten and kept).
 *
 * No Kafka or Elasticsearch: rules are evaluated in-process on `exampleEvent` events.
 * `--check` writes nothing and exits non-zero when the generated table is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { exampleEvent, formatRuleProblems, loadRuleSet, runRuleExamples } from '../src/core/rules';
import type { ExampleFailure, LoadedRule } from '../src/core/rules';
import { format, resolveConfig } from 'prettier';
import { readRuleFolder } from '../src/rules-store/rule-files';
import { readAttackCorpus } from './attack-corpus';
import { computeGeneralization, generalizationMarkdown, percent } from './generalization';
import type { Generalization } from './generalization';

export const TABLE_START = '<!-- rules-table:start -->';
export const TABLE_END = '<!-- rules-table:end -->';

const HIGH = new Set(['high', 'critical']);
const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];

/** One labelled line of test/fixtures/corpus/malicious.jsonl. */
export interface MaliciousLine {
  command: string;
  expect: string[];
  note?: string;
}

export interface RuleQuality {
  id: string;
  name: string;
  severity: string;
  category: string;
  mitre: string[];
  /** Malicious lines labelled with this rule. */
  labelled: number;
  /** Of those, lines on which the rule fired. */
  detected: number;
  /** Benign lines on which the rule fired. */
  falsePositives: number;
  /** Embedded examples that failed (should be 0). */
  exampleFailures: number;
  examples: number;
  /** Lines of the everyday corpus's tuning and held-out halves on which it fired. */
  everydayFalsePositives: { tuning: number; heldout: number };
}

export interface QualityReport {
  generatedFrom: { rules: number; benignLines: number; maliciousLines: number };
  rules: RuleQuality[];
  overall: {
    /** Malicious lines on which every expected rule fired. */
    maliciousLinesDetected: number;
    maliciousLines: number;
    detectionRate: number;
    /** (line, expected rule) pairs that fired. */
    labelsDetected: number;
    labels: number;
    labelDetectionRate: number;
    obfuscatedLines: number;
    obfuscatedDetected: number;
    benignLines: number;
    benignAlertedAny: number;
    benignAlertedHigh: number;
    falsePositiveRateAny: number;
    falsePositiveRateHigh: number;
    exampleFailures: number;
    unknownLabels: string[];
  };
  categories: Record<string, number>;
  missed: { command: string; missing: string[] }[];
  benignAlerts: { command: string; rules: string[] }[];
  /** Absent until test/fixtures/corpus/attacks/ exists. */
  generalization?: Generalization;
  techniques: { listed: number; included: number };
}

/** Benign corpus: one command per line; blank lines and `#` comments are skipped. */
export function readBenign(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

export function readMalicious(path: string): MaliciousLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as MaliciousLine);
}

/** The folder a rule file lives in (`execution` for `execution/SW-EXE-0001.json`). */
function categoryOf(rule: LoadedRule): string {
  const parts = rule.file.split('/');
  return parts.length > 1 ? (parts[parts.length - 2] ?? '') : '';
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

export async function computeRuleQuality(
  root: string,
  { heldout = true }: { heldout?: boolean } = {},
): Promise<QualityReport> {
  const folder = await readRuleFolder(resolve(root, 'rules'));
  const loaded = loadRuleSet(folder.rules, folder.lists);
  if (!loaded.ok)
    throw new Error(`the rule pack does not load:\n${formatRuleProblems(loaded.errors)}`);
  const { evaluator } = loaded;
  const benign = readBenign(resolve(root, 'test/fixtures/corpus/benign.txt'));
  const malicious = readMalicious(resolve(root, 'test/fixtures/corpus/malicious.jsonl'));

  const byId = new Map<string, RuleQuality>();
  let exampleFailures = 0;
  for (const rule of loaded.rules) {
    const d = rule.definition;
    const failures: ExampleFailure[] = runRuleExamples(rule, evaluator);
    exampleFailures += failures.length;
    byId.set(d.id, {
      id: d.id,
      name: d.name,
      severity: d.severity,
      category: categoryOf(rule),
      mitre: [...(d.mitre ?? [])],
      labelled: 0,
      detected: 0,
      falsePositives: 0,
      exampleFailures: failures.length,
      examples: (d.examples?.match?.length ?? 0) + (d.examples?.noMatch?.length ?? 0),
      everydayFalsePositives: { tuning: 0, heldout: 0 },
    });
  }

  const unknown = new Set<string>();
  const missed: QualityReport['missed'] = [];
  let linesDetected = 0;
  let labels = 0;
  let labelsDetected = 0;
  let obfuscated = 0;
  let obfuscatedDetected = 0;
  for (const line of malicious) {
    const fired = new Set(evaluator.evaluate(exampleEvent(line.command)).map((m) => m.rule.id));
    const missing: string[] = [];
    for (const id of line.expect) {
      const quality = byId.get(id);
      if (quality === undefined) unknown.add(id);
      labels += 1;
      if (quality !== undefined) quality.labelled += 1;
      if (fired.has(id)) {
        labelsDetected += 1;
        if (quality !== undefined) quality.detected += 1;
      } else missing.push(id);
    }
    const isObfuscated = (line.note ?? '').startsWith('obfuscated');
    if (isObfuscated) obfuscated += 1;
    if (missing.length === 0) {
      linesDetected += 1;
      if (isObfuscated) obfuscatedDetected += 1;
    } else missed.push({ command: line.command, missing });
  }

  const benignAlerts: QualityReport['benignAlerts'] = [];
  let alertedAny = 0;
  let alertedHigh = 0;
  for (const command of benign) {
    const matches = evaluator.evaluate(exampleEvent(command));
    if (matches.length === 0) continue;
    alertedAny += 1;
    if (matches.some((m) => HIGH.has(m.rule.severity))) alertedHigh += 1;
    for (const m of matches) {
      const quality = byId.get(m.rule.id);
      if (quality !== undefined) quality.falsePositives += 1;
    }
    benignAlerts.push({ command, rules: matches.map((m) => m.rule.id) });
  }

  const corpus = readAttackCorpus(root, { heldout });
  const generalization = corpus ? computeGeneralization(corpus, evaluator) : undefined;
  for (const half of ['tuning', 'heldout'] as const)
    for (const [id, n] of Object.entries(generalization?.halves[half].falsePositivesByRule ?? {})) {
      const quality = byId.get(id);
      if (quality !== undefined) quality.everydayFalsePositives[half] = n;
    }

  const rules = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  const categories: Record<string, number> = {};
  for (const rule of rules) categories[rule.category] = (categories[rule.category] ?? 0) + 1;

  return {
    generatedFrom: {
      rules: rules.length,
      benignLines: benign.length,
      maliciousLines: malicious.length,
    },
    rules,
    overall: {
      maliciousLinesDetected: linesDetected,
      maliciousLines: malicious.length,
      detectionRate: ratio(linesDetected, malicious.length),
      labelsDetected,
      labels,
      labelDetectionRate: ratio(labelsDetected, labels),
      obfuscatedLines: obfuscated,
      obfuscatedDetected,
      benignLines: benign.length,
      benignAlertedAny: alertedAny,
      benignAlertedHigh: alertedHigh,
      falsePositiveRateAny: ratio(alertedAny, benign.length),
      falsePositiveRateHigh: ratio(alertedHigh, benign.length),
      exampleFailures,
      unknownLabels: [...unknown].sort(),
    },
    categories,
    missed,
    benignAlerts,
    ...(generalization ? { generalization } : {}),
    techniques: {
      listed: corpus?.techniques.length ?? 0,
      included: corpus?.techniques.filter((t) => t.included).length ?? 0,
    },
  };
}

const pct = (value: number, digits = 2): string => `${(value * 100).toFixed(digits)}%`;
/** Table cells must not break the Markdown table. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
/**
 * A prose cell: also escapes `*` and `_`, which rule texts use in globs
 * (`/etc/ssh/ssh_host_*_key`) and Markdown would take for emphasis (prettier then
 * rewrites them, differently on each pass).
 */
const proseCell = (text: string): string => cell(text).replace(/[*_]/g, '\\$&');

export function qualityMarkdown(report: QualityReport): string {
  const o = report.overall;
  const lines = [
    '# Rule quality',
    '',
    'Generated by `npm run rules:report` (scripts/rules-report.ts) from the rule files under',
    '`rules/` and the corpora `test/fixtures/corpus/malicious.jsonl` and',
    '`test/fixtures/corpus/benign.txt`. Do not edit by hand.',
    '',
    '## Overall',
    '',
    '| measure | value | target |',
    '| --- | --- | --- |',
    `| rules | ${report.generatedFrom.rules} | ≥ 80 |`,
    `| embedded examples failing | ${o.exampleFailures} | 0 |`,
    `| malicious lines detected by every expected rule | ${o.maliciousLinesDetected} / ${o.maliciousLines} (${pct(o.detectionRate)}) | ≥ 97% |`,
    `| (line, expected rule) labels detected | ${o.labelsDetected} / ${o.labels} (${pct(o.labelDetectionRate)}) | |`,
    `| obfuscated malicious lines detected | ${o.obfuscatedDetected} / ${o.obfuscatedLines} (${pct(ratio(o.obfuscatedDetected, o.obfuscatedLines))}) | |`,
    `| benign lines alerted at high or critical | ${o.benignAlertedHigh} / ${o.benignLines} (${pct(o.falsePositiveRateHigh, 3)}) | ≤ 0.1% |`,
    `| benign lines alerted at any severity | ${o.benignAlertedAny} / ${o.benignLines} (${pct(o.falsePositiveRateAny, 3)}) | ≤ 1% |`,
    '',
    ...(report.generalization
      ? [generalizationMarkdown(report.generalization, report.techniques)]
      : []),
    '## Rules per category',
    '',
    '| category | rules |',
    '| --- | --- |',
    ...Object.entries(report.categories)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([category, count]) => `| ${category} | ${count} |`),
    '',
    '## Per rule',
    '',
    'Detected: malicious lines labelled with the rule on which it fired. False positives: benign',
    'lines on which it fired (any severity); everyday FP: lines of the everyday corpus (tuning /',
    'held-out half) on which it fired.',
    '',
    '| rule | severity | detected | false positives | benign FP rate | everyday FP | examples |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...report.rules.map(
      (r) =>
        `| ${r.id} ${cell(r.name)} | ${r.severity} | ${r.detected} / ${r.labelled} | ${r.falsePositives} | ${pct(ratio(r.falsePositives, o.benignLines), 3)} | ${r.everydayFalsePositives.tuning} / ${r.everydayFalsePositives.heldout} | ${r.examples - r.exampleFailures} / ${r.examples} |`,
    ),
    '',
    '## Malicious lines missed',
    '',
    ...(report.missed.length === 0
      ? ['None.']
      : [
          '| command | expected rules that did not fire |',
          '| --- | --- |',
          ...report.missed.map((m) => `| \`${cell(m.command)}\` | ${m.missing.join(', ')} |`),
        ]),
    '',
    '## Benign lines that alerted',
    '',
    ...(report.benignAlerts.length === 0
      ? ['None.']
      : [
          '| command | rules |',
          '| --- | --- |',
          ...report.benignAlerts.map((b) => `| \`${cell(b.command)}\` | ${b.rules.join(', ')} |`),
        ]),
    '',
  ];
  return lines.join('\n');
}

/** Splits a description written as "What it catches. Known false positives: ..." */
export function splitDescription(description: string | undefined): {
  catches: string;
  falsePositives: string;
} {
  const text = description ?? '';
  const at = text.indexOf('Known false positives:');
  if (at < 0) return { catches: text.trim(), falsePositives: '' };
  return {
    catches: text.slice(0, at).trim(),
    falsePositives: text.slice(at + 'Known false positives:'.length).trim(),
  };
}

/** The generated table of docs/rules.md (without the markers). */
export function rulesTable(rules: readonly LoadedRule[]): string {
  const sorted = [...rules].sort(
    (a, b) =>
      categoryOf(a).localeCompare(categoryOf(b)) || a.definition.id.localeCompare(b.definition.id),
  );
  const rows = sorted.map((rule) => {
    const d = rule.definition;
    const { catches, falsePositives } = splitDescription(d.description);
    return `| ${d.id} | ${proseCell(d.name)} | ${d.severity} | ${(d.mitre ?? []).join(', ')} | ${proseCell(catches)} | ${proseCell(falsePositives)} |`;
  });
  const counts = SEVERITY_ORDER.map(
    (s) => `${s}: ${rules.filter((r) => r.definition.severity === s).length}`,
  ).join(', ');
  return [
    `${rules.length} rules (${counts}). Generated from the rule files by \`npm run rules:report\`.`,
    '',
    '| id | name | severity | ATT&CK | what it catches | known false positives |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The document with the table between the markers replaced (markers appended when absent). */
export function renderRulesDoc(text: string, table: string): string {
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  const block = `${TABLE_START}\n\n${table}\n\n${TABLE_END}`;
  if (start < 0 || end < start) return `${text.trimEnd()}\n\n${block}\n`;
  return text.slice(0, start) + block + text.slice(end + TABLE_END.length);
}

/** Written as prettier would format it, so that `prettier --check` passes on generated files. */
async function write(path: string, text: string, parser: 'markdown' | 'json'): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(text, { ...options, parser }));
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '../..');
  const check = process.argv.includes('--check');
  if (process.argv.includes('--tuning-only')) return printTuning(root);
  const report = await computeRuleQuality(root);
  const folder = await readRuleFolder(resolve(root, 'rules'));
  const loaded = loadRuleSet(folder.rules, folder.lists);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const docPath = resolve(root, 'docs/rules.md');
  const doc = readFileSync(docPath, 'utf8');
  const updated = await format(renderRulesDoc(doc, rulesTable(loaded.rules)), {
    ...((await resolveConfig(docPath)) ?? {}),
    parser: 'markdown',
  });
  if (check) {
    if (updated !== doc) {
      process.stdout.write('out of date: docs/rules.md (run npm run rules:report)\n');
      process.exitCode = 1;
    }
    return;
  }
  mkdirSync(dirname(docPath), { recursive: true });
  writeFileSync(docPath, updated);
  await write(resolve(root, 'docs/rule-quality.md'), qualityMarkdown(report), 'markdown');
  await write(resolve(root, 'bench/results/rule-quality.json'), JSON.stringify(report), 'json');
  const o = report.overall;
  process.stdout.write(
    `${report.generatedFrom.rules} rules; malicious lines detected ${pct(o.detectionRate)}; ` +
      `benign alerted high/critical ${pct(o.falsePositiveRateHigh, 3)}, any ${pct(o.falsePositiveRateAny, 3)}; ` +
      `example failures ${o.exampleFailures}\n`,
  );
  const g = report.generalization;
  if (g === undefined) return;
  for (const half of ['tuning', 'heldout'] as const) {
    const h = g.halves[half];
    process.stdout.write(
      `${half === 'tuning' ? 'tuning  ' : 'held-out'}: attacks detected ${percent(h.cases)} ` +
        `(high+ ${percent(h.casesHigh)}), variants still alerting ${percent(h.variants)}, ` +
        `everyday alerted high+ ${percent(h.everydayHigh, 3)}, any ${percent(h.everydayAny, 3)}\n`,
    );
  }
}

/**
 * `--tuning-only`, for rule authors: the tuning half's figures, per tactic, and every
 * missed tuning procedure, on stdout; the held-out halves are not read and nothing is written.
 */
async function printTuning(root: string): Promise<void> {
  const g = (await computeRuleQuality(root, { heldout: false })).generalization;
  if (g === undefined) throw new Error(`no corpus under ${root}/test/fixtures/corpus/attacks`);
  const h = g.halves.tuning;
  const lines = [
    `tuning: attacks detected ${percent(h.cases)} (high+ ${percent(h.casesHigh)}), ` +
      `variants still alerting ${percent(h.variants)}, everyday alerted high+ ` +
      `${percent(h.everydayHigh, 3)}, any ${percent(h.everydayAny, 3)}`,
    ...Object.entries(h.perTactic)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([tactic, t]) => `  ${tactic}: ${t.detected} / ${t.cases} (high+ ${t.high})`),
    'everyday false positives by rule (tuning half):',
    ...Object.entries(h.falsePositivesByRule)
      .sort(([, a], [, b]) => b - a)
      .map(([id, n]) => `  ${id}: ${n}`),
    'missed tuning procedures (case, technique, command):',
    ...g.tuningMisses.map((m) => `${m.case}\t${m.technique}\t${m.command}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

if (require.main === module) void main();
