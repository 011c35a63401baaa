import { createHash } from 'node:crypto';

/** A strong entity tag for a rule file: the SHA-256 of its exact bytes. */
export function etagOf(text: string): string {
  return `"${createHash('sha256').update(text, 'utf8').digest('base64url')}"`;
}

/**
 * RFC 9110 If-Match with strong comparison: true when the header is absent (the
 * API accepts unconditional writes), `*` and the resource exists, or one of the
 * listed tags equals `current`. Weak tags (`W/"..."`) never match.
 */
export function ifMatchSatisfied(header: string | undefined, current: string | undefined): boolean {
  if (header === undefined || header.trim() === '') return true;
  if (header.trim() === '*') return current !== undefined;
  if (current === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === current);
}
