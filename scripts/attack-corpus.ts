/**
 * The attack corpus written from the ATT&CK technique list (issue 21) and the
 * benign corpus beside it, each split once into a tuning half that rule authors
 * may read and a held-out half that they never open.
 *
 * test/fixtures/corpus/attacks/
 *   techniques.jsonl   every Linux technique considered: included or left out (with why),
 *                      and for included ones the half it was assigned to
 *   tuning.jsonl       the tuning half's lines, readable
 *   heldout.jsonl.gz   the held-out half's lines, gzipped so that no grep over the tree
 *                      shows them to a rule author by accident
 * test/fixtures/corpus/everyday/
 *   tuning.txt, heldout.txt.gz   benign command lines, one per line, split the same way
 *
 * The split is by parent technique (T1053.003 goes with T1053), stratified by tactic: within
 * a tactic, parents are ordered by the SHA-256 of their id and dealt alternately to the two
 * halves. Written once by scripts/corpus/split-corpora.ts; techniques.jsonl records the outcome.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { resolve } from 'node:path';

export type Half = 'tuning' | 'heldout';
export const HALVES: readonly Half[] = ['tuning', 'heldout'];

/** One line of the attack corpus. */
export interface AttackLine {
  /** One procedure: detected when any of its non-setup lines alerts. */
  case: string;
  technique: string;
  tactic: string;
  command: string;
  /** Preparation only (mkdir, cd): not expected to alert by itself. */
  role?: 'setup';
  /** A hand-obfuscated variant of this case. */
  variantOf?: string;
}

export interface TechniqueEntry {
  id: string;
  name: string;
  tactics: string[];
  included: boolean;
  why?: string;
  half?: Half;
}

export const ATTACKS_DIR = 'test/fixtures/corpus/attacks';
export const EVERYDAY_DIR = 'test/fixtures/corpus/everyday';

/** T1053.003 → T1053. */
export function parentTechnique(id: string): string {
  return id.split('.')[0] ?? id;
}

/**
 * Assigns each parent technique to a half: per tactic (a parent's first tactic in the
 * corpus), parents ordered by SHA-256 of the id, dealt alternately. Deterministic.
 */
export function splitByTechnique(lines: readonly AttackLine[]): Map<string, Half> {
  const tacticOf = new Map<string, string>();
  for (const line of lines) {
    const parent = parentTechnique(line.technique);
    if (!tacticOf.has(parent)) tacticOf.set(parent, line.tactic);
  }
  const byTactic = new Map<string, string[]>();
  for (const [parent, tactic] of tacticOf)
    byTactic.set(tactic, [...(byTactic.get(tactic) ?? []), parent]);
  const halves = new Map<string, Half>();
  let next = 0;
  for (const tactic of [...byTactic.keys()].sort()) {
    const parents = (byTactic.get(tactic) ?? []).sort((a, b) => sha(a).localeCompare(sha(b)));
    for (const parent of parents) {
      halves.set(parent, HALVES[next % 2] ?? 'tuning');
      next += 1;
    }
  }
  return halves;
}

/** Benign lines go to a half by the SHA-256 of the line (even: tuning). */
export function benignHalf(line: string): Half {
  return Number.parseInt(sha(line).slice(0, 2), 16) % 2 === 0 ? 'tuning' : 'heldout';
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Reads a corpus file, plain or gzipped (by its `.gz` name). */
export function readCorpusText(path: string): string {
  const bytes = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
}

export function parseAttackLines(text: string, source: string): AttackLine[] {
  return text
    .split('\n')
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, index }) => {
      const value = JSON.parse(line) as Partial<AttackLine>;
      for (const key of ['case', 'technique', 'tactic', 'command'] as const)
        if (typeof value[key] !== 'string' || value[key] === '')
          throw new Error(`${source}:${index + 1}: "${key}" must be a non-empty string`);
      return value as AttackLine;
    });
}

export interface AttackCorpus {
  techniques: TechniqueEntry[];
  attacks: Record<Half, AttackLine[]>;
  everyday: Record<Half, string[]>;
}

/**
 * The split corpora, or undefined when the tree has none yet. `heldout: false` leaves the
 * held-out halves unread (empty), for rule authors.
 */
export function readAttackCorpus(
  root: string,
  { heldout = true }: { heldout?: boolean } = {},
): AttackCorpus | undefined {
  const dir = resolve(root, ATTACKS_DIR);
  if (!existsSync(resolve(dir, 'techniques.jsonl'))) return undefined;
  const techniques = readCorpusText(resolve(dir, 'techniques.jsonl'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TechniqueEntry);
  const attackFile = (half: Half): string =>
    resolve(dir, half === 'tuning' ? 'tuning.jsonl' : 'heldout.jsonl.gz');
  const everydayFile = (half: Half): string =>
    resolve(root, EVERYDAY_DIR, half === 'tuning' ? 'tuning.txt' : 'heldout.txt.gz');
  const everyday = (half: Half): string[] =>
    !existsSync(everydayFile(half)) || (half === 'heldout' && !heldout)
      ? []
      : readCorpusText(everydayFile(half))
          .split('\n')
          .filter((line) => line.trim() !== '');
  return {
    techniques,
    attacks: {
      tuning: parseAttackLines(readCorpusText(attackFile('tuning')), attackFile('tuning')),
      heldout: heldout
        ? parseAttackLines(readCorpusText(attackFile('heldout')), attackFile('heldout'))
        : [],
    },
    everyday: { tuning: everyday('tuning'), heldout: everyday('heldout') },
  };
}
