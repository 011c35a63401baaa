/**
 * Splits the attack and everyday corpora once into their tuning and held-out halves
 * (see attack-corpus.ts for the layout and the rule of the split). Run by whoever
 * receives the writers' files, not by rule authors:
 *
 *   node dist/scripts/split-corpora.js --attacks a.jsonl,b.jsonl \
 *     --techniques ta.jsonl,tb.jsonl --everyday e1.txt,e2.txt
 *
 * Without --everyday the everyday halves are left as they are. Refuses duplicate command lines, a line whose case id is used by another technique,
 * and benign lines that are also attack lines. Prints the counts per half.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  ATTACKS_DIR,
  benignHalf,
  EVERYDAY_DIR,
  parentTechnique,
  parseAttackLines,
  splitByTechnique,
} from './attack-corpus';
import type { AttackLine, Half, TechniqueEntry } from './attack-corpus';

function listArgument(name: string, required = true): string[] {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? process.argv[at + 1] : undefined;
  if (value === undefined) {
    if (required) throw new Error(`missing ${name} FILE[,FILE...]`);
    return [];
  }
  return value.split(',').filter((file) => file !== '');
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string, what: string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) process.stderr.write(`dropping a duplicate ${what}: ${k}\n`);
    else seen.set(k, item);
  }
  return [...seen.values()];
}

function main(): void {
  const root = resolve(__dirname, '../..');
  const attacks = uniqueBy(
    listArgument('--attacks').flatMap((file) => parseAttackLines(readFileSync(file, 'utf8'), file)),
    (line) => line.command,
    'attack line',
  );
  const techniqueOfCase = new Map<string, string>();
  for (const line of attacks) {
    const known = techniqueOfCase.get(line.case);
    if (known !== undefined && known !== line.technique)
      throw new Error(`case ${line.case} is used by ${known} and ${line.technique}`);
    techniqueOfCase.set(line.case, line.technique);
  }
  const attackCommands = new Set(attacks.map((line) => line.command));
  const everydayFiles = listArgument('--everyday', false);
  const everyday = uniqueBy(
    everydayFiles
      .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
    (line) => line,
    'everyday line',
  ).filter((line) => !attackCommands.has(line));
  const techniques = uniqueBy(
    listArgument('--techniques').flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as TechniqueEntry),
    ),
    (entry) => entry.id,
    'technique',
  );

  const halves = splitByTechnique(attacks);
  const halfOf = (line: AttackLine): Half =>
    halves.get(parentTechnique(line.technique)) ?? 'tuning';
  const jsonl = (lines: readonly AttackLine[]): string =>
    lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
  const attacksDir = resolve(root, ATTACKS_DIR);
  const everydayDir = resolve(root, EVERYDAY_DIR);
  mkdirSync(attacksDir, { recursive: true });
  mkdirSync(everydayDir, { recursive: true });
  const tuning = attacks.filter((line) => halfOf(line) === 'tuning');
  const heldout = attacks.filter((line) => halfOf(line) === 'heldout');
  writeFileSync(resolve(attacksDir, 'tuning.jsonl'), jsonl(tuning));
  // mtime 0 in the gzip header: the same lines give the same bytes.
  writeFileSync(resolve(attacksDir, 'heldout.jsonl.gz'), gzipSync(jsonl(heldout), { level: 9 }));
  const withHalves = techniques
    .map((entry) => {
      const half = halves.get(parentTechnique(entry.id));
      const used = attacks.some((line) => line.technique === entry.id);
      return used && half !== undefined ? { ...entry, included: true, half } : entry;
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  writeFileSync(
    resolve(attacksDir, 'techniques.jsonl'),
    withHalves.map((entry) => JSON.stringify(entry)).join('\n') + '\n',
  );
  const benignTuning = everyday.filter((line) => benignHalf(line) === 'tuning');
  const benignHeldout = everyday.filter((line) => benignHalf(line) === 'heldout');
  if (everydayFiles.length > 0) {
    writeFileSync(resolve(everydayDir, 'tuning.txt'), benignTuning.join('\n') + '\n');
    writeFileSync(
      resolve(everydayDir, 'heldout.txt.gz'),
      gzipSync(benignHeldout.join('\n') + '\n', { level: 9 }),
    );
  }
  const ids = (lines: readonly AttackLine[]): number => new Set(lines.map((l) => l.technique)).size;
  process.stdout.write(
    `attacks: tuning ${tuning.length} lines / ${ids(tuning)} techniques, ` +
      `held-out ${heldout.length} lines / ${ids(heldout)} techniques; ` +
      `everyday: tuning ${benignTuning.length}, held-out ${benignHeldout.length}; ` +
      `techniques listed ${withHalves.length} (${withHalves.filter((t) => !t.included).length} left out)\n`,
  );
}

if (require.main === module) main();
