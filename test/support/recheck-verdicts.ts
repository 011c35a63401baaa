import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Parameters } from 'recheck';

/*
 * Test support for src/core/rules/operators/linear-regex.spec.ts: recheck's "safe"
 * verdicts on the rule pack's regexes, kept in a committed file so that the
 * differential test ("recheck agrees on every pack regex the proof decides")
 * asks recheck only about patterns it has not judged yet under the same recheck
 * version and parameters. recheck with a fixed random seed and no clock limits
 * (RECHECK_PARAMETERS) gives the same verdict for the same pattern every time,
 * so a stored verdict is the verdict; only "safe" is ever stored.
 */

/** The file's shape. A file for another recheck version or other parameters is ignored whole. */
export interface RecheckVerdictFile {
  recheck: string;
  parameters: Parameters;
  /** sha256 of `flags/source`, sorted: the patterns recheck called safe. */
  safe: string[];
}

/** The key of a pattern in the file: a digest, so the file holds no pattern text. */
export function verdictKey(source: string, flags: string): string {
  return createHash('sha256').update(`${flags}/${source}`).digest('hex');
}

/**
 * The stored safe keys when the file is valid for this recheck version and these
 * parameters; otherwise an empty set and why (the caller checks every pattern).
 */
export function readSafeVerdicts(
  path: string,
  recheckVersion: string,
  parameters: Parameters,
): { safe: Set<string>; ignored?: string } {
  let file: unknown;
  try {
    file = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { safe: new Set(), ignored: `cannot read ${path}: ${String(error)}` };
  }
  if (!isVerdictFile(file)) return { safe: new Set(), ignored: `${path}: not a verdict file` };
  if (file.recheck !== recheckVersion) {
    return { safe: new Set(), ignored: `${path}: recheck ${file.recheck}, not ${recheckVersion}` };
  }
  if (JSON.stringify(file.parameters) !== JSON.stringify(parameters)) {
    return { safe: new Set(), ignored: `${path}: other recheck parameters` };
  }
  return { safe: new Set(file.safe) };
}

export function writeSafeVerdicts(
  path: string,
  recheckVersion: string,
  parameters: Parameters,
  safe: Iterable<string>,
): void {
  const file: RecheckVerdictFile = {
    recheck: recheckVersion,
    parameters,
    safe: [...new Set(safe)].sort(),
  };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}

function isVerdictFile(value: unknown): value is RecheckVerdictFile {
  if (typeof value !== 'object' || value === null) return false;
  const { recheck, parameters, safe } = value as Record<string, unknown>;
  return (
    typeof recheck === 'string' &&
    typeof parameters === 'object' &&
    parameters !== null &&
    Array.isArray(safe) &&
    safe.every((key) => typeof key === 'string' && /^[0-9a-f]{64}$/.test(key))
  );
}

/** Whether this run stores its new verdicts (RECHECK_VERDICTS_WRITE=1). */
export function writingVerdicts(): boolean {
  return process.env.RECHECK_VERDICTS_WRITE === '1';
}
