/**
 * Consecutive chunks of `items`, in order, whose sizes (per `sizeOf`, plus
 * `overhead` once per chunk) add up to at most `limit`; an item larger than
 * that on its own gets a chunk of its own. What the broker limits is the size
 * of a produce request's record batch (max.message.bytes, about 1 MiB by
 * default), so whatever is sent in bulk is cut this way first.
 */
export function chunkByBytes<T>(
  items: readonly T[],
  limit: number,
  sizeOf: (item: T) => number,
  overhead = 0,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = overhead;
  for (const item of items) {
    const bytes = sizeOf(item);
    if (current.length > 0 && size + bytes > limit) {
      chunks.push(current);
      current = [];
      size = overhead;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
