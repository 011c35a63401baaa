import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `presented` equals `expected`, in time that does not depend on where
 * they differ or on their lengths: both are hashed to SHA-256 digests of equal
 * length first, which `timingSafeEqual` requires.
 */
export function apiKeyMatches(expected: string, presented: string): boolean {
  const want = createHash('sha256').update(expected, 'utf8').digest();
  const got = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(want, got);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}
