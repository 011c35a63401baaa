/**
 * How one bulk item ended, from Elasticsearch's per-item status. `_bulk`
 * answers 200 even when items failed, so every item is read.
 * - written: created now (201) or already there (409 on `create` — a redelivery);
 * - retry: the cluster is overloaded or failing (429, 5xx): send it again later;
 * - denied: the service may not write there (401, 403: a missing privilege, an
 *   expired key, a write block on the index): not the document's fault, and the
 *   same for every record, so a person must act; the pipeline holds the partition
 *   (retried, reported stuck at once) rather than dead-letter the whole stream;
 * - rejected: the document itself is unacceptable (other 4xx, e.g. a mapping
 *   conflict): sending it again cannot help, so its record is dead-lettered.
 */
export type BulkItemOutcome =
  | { kind: 'written' }
  | { kind: 'retry'; status: number; reason: string }
  | { kind: 'denied'; status: number; reason: string }
  | { kind: 'rejected'; status: number; reason: string };

export interface BulkItemResponse {
  status: number;
  error?: { type?: string; reason?: string | null } | string;
}

export function classifyBulkItem(item: BulkItemResponse): BulkItemOutcome {
  const { status } = item;
  if ((status >= 200 && status < 300) || status === 409) return { kind: 'written' };
  const reason = describeError(item.error) ?? `status ${status}`;
  if (status === 429 || status >= 500) return { kind: 'retry', status, reason };
  if (status === 401 || status === 403) return { kind: 'denied', status, reason };
  return { kind: 'rejected', status, reason };
}

function describeError(error: BulkItemResponse['error']): string | undefined {
  if (error === undefined) return undefined;
  if (typeof error === 'string') return error;
  return [error.type, error.reason].filter(Boolean).join(': ') || undefined;
}
