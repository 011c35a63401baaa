#!/usr/bin/env node
/**
 * Checks the two command corpora against the rule catalogue:
 *
 * - docs/rule-catalogue.md: unique ids `SW-<AREA>-NNNN`, a severity per rule,
 *   exactly three `match` and three `noMatch` examples per rule.
 * - test/fixtures/corpus/malicious.jsonl: one `{command, expect, note}` object
 *   per line, every expected id in the catalogue, no duplicate commands, at
 *   least three lines per rule, every catalogue `match` line present with its
 *   rule id expected, and the share of obfuscated variants (notes starting
 *   with "obfuscated") reported.
 * - test/fixtures/corpus/benign.txt: no blank, comment or duplicate lines, no
 *   line that is also a malicious command, every catalogue `noMatch` line
 *   present.
 *
 * Exits 1 with one message per problem; prints counts when all is well.
 * Usage: node scripts/corpus/check-corpus.mjs
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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

// ---- catalogue ------------------------------------------------------------------
const catalogue = read('docs/rule-catalogue.md');
/** @typedef {{ severity: string | undefined, match: string[], noMatch: string[] }} CatalogueRule */
/** @type {Map<string, CatalogueRule>} */
const rules = new Map();
for (const section of catalogue.split(/^### /m).slice(1)) {
  const id = section.split(' ')[0];
  if (!/^SW-(DST|EXE|PER|PRV|DEF|CRD|DIS|EXF|LAT|IMP|COL|C2)-\d{4}$/.test(id)) {
    fail(`catalogue: bad rule id ${JSON.stringify(id)}`);
    continue;
  }
  if (rules.has(id)) fail(`catalogue: duplicate rule id ${id}`);
  const severity = /\*\*Severity:\*\* (informational|low|medium|high|critical)\b/.exec(
    section,
  )?.[1];
  if (!severity) fail(`catalogue: ${id} has no valid severity`);
  /** @type {(kind: string) => string[]} */
  const block = (kind) => {
    const m = new RegExp('```text ' + kind + '\\n([\\s\\S]*?)```').exec(section);
    return m ? m[1].split('\n').filter((l) => l !== '') : [];
  };
  const match = block('match');
  const noMatch = block('noMatch');
  if (match.length !== 3) fail(`catalogue: ${id} has ${match.length} match examples, expected 3`);
  if (noMatch.length !== 3)
    fail(`catalogue: ${id} has ${noMatch.length} noMatch examples, expected 3`);
  rules.set(id, { severity, match, noMatch });
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
for (const [id, n] of perRule)
  if (n < MIN_PER_RULE) fail(`malicious: ${id} has ${n} lines, expected at least ${MIN_PER_RULE}`);
for (const [id, r] of rules) {
  for (const line of r.match) {
    const m = byCommand.get(line);
    if (!m) fail(`malicious: catalogue match example of ${id} missing: ${line}`);
    else if (!m.expect.includes(id))
      fail(`malicious.jsonl:${m.line}: catalogue match example of ${id} does not expect it`);
  }
}
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
if (benign.length < MIN_BENIGN)
  fail(`benign.txt: ${benign.length} lines, expected at least ${MIN_BENIGN}`);
for (const [id, r] of rules) {
  for (const line of r.noMatch)
    if (!benignSet.has(line)) fail(`benign.txt: noMatch example of ${id} missing: ${line}`);
  for (const line of r.match)
    if (benignSet.has(line)) fail(`benign.txt: contains match example of ${id}: ${line}`);
}

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
    `malicious: ${malicious.length} lines, ${obfuscated} obfuscated (${((100 * obfuscated) / malicious.length).toFixed(1)}%), min per rule ${Math.min(...perRule.values())}`,
    `benign: ${benign.length} lines`,
  ].join('\n') + '\n',
);
