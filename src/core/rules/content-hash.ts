import { createHash } from 'node:crypto';
import type { SourceFile } from './types';

/**
 * A stable fingerprint of a rule set's sources: sha256 over rule and list files sorted
 * by path (path and text of each, length-prefixed so no two sets collide by
 * concatenation). Lets the service, the API and alerts say which rule set was active,
 * and skip a reload when nothing changed.
 */
export function contentHash(rules: readonly SourceFile[], lists: readonly SourceFile[]): string {
  const hash = createHash('sha256');
  const feed = (kind: string, files: readonly SourceFile[]): void => {
    for (const file of [...files].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    )) {
      for (const part of [kind, file.path, file.text]) {
        hash.update(`${Buffer.byteLength(part)}:`);
        hash.update(part);
      }
    }
  };
  feed('rule', rules);
  feed('list', lists);
  return hash.digest('hex');
}
