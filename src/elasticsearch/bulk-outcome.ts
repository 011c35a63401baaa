/**
 * Why a bulk item is held (sent again with back-off, its partition reported stuck at
 * once, nothing dead-lettered): not the document's fault, the same for every record,
 * so a person must act on the cluster.
 * - denied: the service may not write there (401, 403: a missing privilege, an
 *   expired key, a write block on the index);
 * - unwritable: the target of a `create` cannot take documents at all, whatever they
 *   hold: it does not exist and may not be created (404 `index_not_found_exception`:
 *   `action.auto_create_index` false, or a template's `allow_auto_create: false`), it
 *   is closed (400 `index_closed_exception`), or it is an alias without a write index
 *   (400 "no write index is defined for alias"). An `update` (a suppression count)
 *   aimed at a missing or closed index is `rejected` instead: its first alert is gone
 *   (its backing index deleted by the retention), which holding would never cure.
 */
export type HeldCause = 'denied' | 'unwritable';

/**
 * How one bulk item ended, from Elasticsearch's per-item status. `_bulk`
 * answers 200 even when items failed, so every item is read.
 * - written: created now (201) or already there (409 on `create` — a redelivery);
 * - retry: the cluster is overloaded or failing (429, 5xx): send it again later;
 * - held: the cluster's configuration refuses it (`cause`, see HeldCause): the
 *   pipeline holds the partition rather than dead-letter the whole stream;
 * - rejected: the document itself is unacceptable (other 4xx, e.g. a mapping
 *   conflict): sending it again cannot help, so its record is dead-lettered.
 */
export type BulkItemOutcome =
  | { kind: 'written' }
  | { kind: 'retry'; status: number; reason: string }
  | { kind: 'held'; cause: HeldCause; status: number; reason: string }
  | { kind: 'rejected'; status: number; reason: string };

/** The bulk action of an item: documents are created, suppression counts updated. */
export type BulkAction = 'create' | 'update';

export interface BulkItemResponse {
  status: number;
  error?: { type?: string; reason?: string | null } | string;
}

export function classifyBulkItem(
  item: BulkItemResponse,
  action: BulkAction = 'create',
): BulkItemOutcome {
  const { status } = item;
  if ((status >= 200 && status < 300) || status === 409) return { kind: 'written' };
  const reason = describeError(item.error) ?? `status ${status}`;
  if (status === 429 || status >= 500) return { kind: 'retry', status, reason };
  if (status === 401 || status === 403) return { kind: 'held', cause: 'denied', status, reason };
  if (action === 'create' && targetCannotTakeDocuments(item)) {
    return { kind: 'held', cause: 'unwritable', status, reason };
  }
  return { kind: 'rejected', status, reason };
}

/**
 * Whether a failed `create` says the target, not the document, is the problem. A 404
 * on a `create` always does (the index is missing; documents are never looked up).
 * The two 400s are named by their type, and the alias case by Elasticsearch's
 * message, since its type (`illegal_argument_exception`) is also a document's
 * (e.g. the total fields limit).
 */
function targetCannotTakeDocuments({ status, error }: BulkItemResponse): boolean {
  if (status === 404) return true;
  if (status !== 400 || error === undefined || typeof error === 'string') return false;
  if (error.type === 'index_closed_exception') return true;
  return (
    error.type === 'illegal_argument_exception' &&
    (error.reason ?? '').startsWith('no write index is defined for')
  );
}

function describeError(error: BulkItemResponse['error']): string | undefined {
  if (error === undefined) return undefined;
  if (typeof error === 'string') return error;
  return [error.type, error.reason].filter(Boolean).join(': ') || undefined;
}
