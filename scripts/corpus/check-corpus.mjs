#!/usr/bin/env node
/**
 * Checks the two command corpora against the rule pack (rules/):
 *
 * - the rule files: unique ids `SW-<AREA>-NNNN`, a severity per rule (their
 *   examples are run by the unit tests, not here);
 * - test/fixtures/corpus/malicious.jsonl: one `{command, expect, note}` object
 *   per line, every expected id a rule of the pack, no duplicate commands, the
 *   share of obfuscated variants (notes starting with "obfuscated"); rules with
 *   fewer than three lines are listed, not refused;
 * - test/fixtures/corpus/benign.txt: no blank, comment or duplicate lines, no
 *   line that is also a malicious command, every line of near-misses.txt
 *   present.
 *
 * Exits 1 with one message per problem; prints counts when all is well.
 * Usage: node scripts/corpus/check-corpus.mjs
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** @type {(p: string) => string} */
const read = (p) => readFileSync(resolve(root, p), 'utf8');
/** @type {string[]} */
const problems = [];
/** @type {(msg: string) => void} */
const fail = (msg) => problems.push(msg);

const MIN_BENIGN = 3200;
const MIN_MALICIOUS = 450;
const MIN_PER_RULE = 3;
const MIN_OBFUSCATED_SHARE = 0.25;

// ---- rules ------------------------------------------------------------------------
// The rule files themselves (their embedded examples), not a document about them.
/** @typedef {{ severity: string | undefined }} PackRule */
/** @type {Map<string, PackRule>} */
const rules = new Map();
for (const file of ruleFiles(resolve(root, 'rules'))) {
  const where = relative(root, file);
  /** @type {unknown} */
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  const rule = /** @type {Record<string, unknown>} */ (
    typeof parsed === 'object' && parsed !== null ? parsed : {}
  );
  const id = typeof rule.id === 'string' ? rule.id : '';
  if (!/^SW-[A-Z0-9]{2,4}-\d{4}$/.test(id)) {
    fail(`${where}: bad rule id ${JSON.stringify(rule.id)}`);
    continue;
  }
  if (rules.has(id)) fail(`${where}: duplicate rule id ${id}`);
  const severity = typeof rule.severity === 'string' ? rule.severity : undefined;
  if (!['informational', 'low', 'medium', 'high', 'critical'].includes(severity ?? ''))
    fail(`${where}: ${id} has no valid severity`);
  rules.set(id, { severity });
}

/** @type {(dir: string) => string[]} every rule file (SW-*.json) under dir, sorted */
function ruleFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /(^|\/)SW-[^/]*\.json$/.test(name))
    .map((name) => join(dir, name))
    .sort();
}

// ---- malicious --------------------------------------------------------------------
/** @typedef {{ command: string, expect: string[], note: string, line: number }} MaliciousLine */
/** @type {MaliciousLine[]} */
const malicious = [];
read('test/fixtures/corpus/malicious.jsonl')
  .split('\n')
  .forEach((line, i) => {
    if (line === '') return;
    const where = `malicious.jsonl:${i + 1}`;
    /** @type {unknown} */
    let parsed;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      fail(`${where}: not JSON (${e instanceof Error ? e.message : String(e)})`);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      fail(`${where}: not a JSON object`);
      return;
    }
    const o = /** @type {Record<string, unknown>} */ (parsed);
    const keys = Object.keys(o).sort().join(',');
    if (keys !== 'command,expect,note')
      fail(`${where}: keys are ${keys}, expected command,expect,note`);
    const command = typeof o.command === 'string' ? o.command : '';
    const note = typeof o.note === 'string' ? o.note : '';
    const expect = Array.isArray(o.expect) ? o.expect.filter((x) => typeof x === 'string') : [];
    if (command.trim() === '') fail(`${where}: empty command`);
    if (note.trim() === '') fail(`${where}: empty note`);
    if (expect.length === 0 || expect.length !== (Array.isArray(o.expect) ? o.expect.length : -1))
      fail(`${where}: expect must be a non-empty array of rule ids`);
    for (const id of expect) if (!rules.has(id)) fail(`${where}: unknown rule id ${id}`);
    malicious.push({ command, expect, note, line: i + 1 });
  });
/** @type {Map<string, MaliciousLine>} */
const byCommand = new Map();
for (const m of malicious) {
  if (byCommand.has(m.command))
    fail(`malicious.jsonl:${m.line}: duplicate of line ${byCommand.get(m.command)?.line ?? '?'}`);
  else byCommand.set(m.command, m);
}
const perRule = new Map([...rules.keys()].map((id) => [id, 0]));
for (const m of malicious) for (const id of m.expect) perRule.set(id, (perRule.get(id) ?? 0) + 1);
// Reported, not enforced: rules added after the corpus (and correlation rules,
// which need sequences of events) are measured on the attack corpora instead.
const thin = [...perRule].filter(([, n]) => n < MIN_PER_RULE).map(([id]) => id);
const obfuscated = malicious.filter(
  (m) => typeof m.note === 'string' && m.note.startsWith('obfuscated'),
).length;
if (malicious.length < MIN_MALICIOUS)
  fail(`malicious: ${malicious.length} lines, expected at least ${MIN_MALICIOUS}`);
if (obfuscated / malicious.length < MIN_OBFUSCATED_SHARE)
  fail(
    `malicious: obfuscated share ${(obfuscated / malicious.length).toFixed(3)}, expected at least ${MIN_OBFUSCATED_SHARE}`,
  );

// ---- benign -------------------------------------------------------------------------
const benignText = read('test/fixtures/corpus/benign.txt');
if (!benignText.endsWith('\n')) fail('benign.txt: missing final newline');
const benign = benignText.replace(/\n$/, '').split('\n');
const benignSet = new Set();
benign.forEach((line, i) => {
  if (line.trim() === '') fail(`benign.txt:${i + 1}: blank line`);
  if (line.startsWith('#')) fail(`benign.txt:${i + 1}: comment line`);
  if (benignSet.has(line)) fail(`benign.txt:${i + 1}: duplicate line`);
  if (byCommand.has(line)) fail(`benign.txt:${i + 1}: also in malicious.jsonl: ${line}`);
  benignSet.add(line);
});
for (const line of read('test/fixtures/corpus/near-misses.txt').split('\n'))
  if (line !== '' && !benignSet.has(line)) fail(`benign.txt: near-miss missing: ${line}`);
if (benign.length < MIN_BENIGN)
  fail(`benign.txt: ${benign.length} lines, expected at least ${MIN_BENIGN}`);
// ---- report ---------------------------------------------------------------------------
if (problems.length > 0) {
  for (const p of problems) process.stderr.write(p + '\n');
  process.stderr.write(`${problems.length} problem(s)\n`);
  process.exit(1);
}
/** @type {Record<string, number>} */
/** @type {Record<string, number>} */
const areas = {};
for (const id of rules.keys()) {
  const area = id.split('-')[1] ?? '?';
  areas[area] = (areas[area] ?? 0) + 1;
}
/** @type {Record<string, number>} */
/** @type {Record<string, number>} */
const severities = {};
for (const r of rules.values()) {
  const sev = r.severity ?? '?';
  severities[sev] = (severities[sev] ?? 0) + 1;
}
process.stdout.write(
  [
    `rules: ${rules.size} ${JSON.stringify(areas)}`,
    `severities: ${JSON.stringify(severities)}`,
    `malicious: ${malicious.length} lines, ${obfuscated} obfuscated (${((100 * obfuscated) / malicious.length).toFixed(1)}%)`,
    `benign: ${benign.length} lines`,
    `rules with fewer than ${MIN_PER_RULE} malicious lines: ${thin.length}${thin.length > 0 ? ` (${thin.join(', ')})` : ''}`,
  ].join('\n') + '\n',
);
