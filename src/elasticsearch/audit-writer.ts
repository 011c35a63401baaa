import type { Client } from '@elastic/elasticsearch';
import type { AuditWriteResult, AuditWriter, QueuedAudit } from '../audit/audit-trail';
import { classifyBulkItem } from './bulk-outcome';
import type { BulkItemResponse } from './bulk-outcome';

/**
 * Writes audit documents to `index` with `create` and the id each keeps in the
 * queue: a retry after a time-out that had in fact succeeded finds the document
 * there (409, counted as written) instead of writing it twice. Throws when the
 * request as a whole fails; each item is classified as the sink classifies alerts,
 * except that a blocked index (a write block, the flood-stage disk watermark: an
 * operator's condition that passes) is retried: for an audit record, waiting is
 * better than dropping.
 */
export function auditWriter(client: Client, index: string): AuditWriter {
  return async (entries: QueuedAudit[]): Promise<AuditWriteResult> => {
    const operations = entries.flatMap((entry) => [
      { create: { _index: index, _id: entry.id } },
      entry.document,
    ]);
    const response = await client.bulk({ operations });
    const result: AuditWriteResult = { retry: [], rejected: [] };
    entries.forEach((entry, i) => {
      const item = response.items[i]?.create as BulkItemResponse | undefined;
      const outcome = item
        ? classifyBulkItem(item)
        : { kind: 'retry' as const, reason: 'missing bulk item in the response' };
      if (outcome.kind === 'written') return;
      if (outcome.kind === 'retry' || isBlock(outcome.reason)) result.retry.push(entry);
      else result.rejected.push({ entry, reason: outcome.reason });
    });
    return result;
  };
}

function isBlock(reason: string): boolean {
  return reason.startsWith('cluster_block_exception');
}
