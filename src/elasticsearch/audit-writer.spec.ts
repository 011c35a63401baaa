import type { Client } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { auditDocument } from '../audit/audit-document';
import type { QueuedAudit } from '../audit/audit-trail';
import { auditWriter } from './audit-writer';

function entry(id: string): QueuedAudit {
  const document = auditDocument({
    action: 'rule-deleted',
    ruleId: 'SW-NET-0001',
    user: 'ci-deploy',
    versionBefore: '"a"',
    versionAfter: null,
    change: null,
    file: 'custom/SW-NET-0001.json',
    at: new Date(0),
  });
  return { id, document, bytes: 1 };
}

/** A client whose bulk answers one item per operation with the given statuses and errors. */
function clientAnswering(items: { status: number; error?: { type: string; reason: string } }[]) {
  const requests: unknown[][] = [];
  const client = {
    bulk: ({ operations }: { operations: unknown[] }) => {
      requests.push(operations);
      return Promise.resolve({ items: items.map((item) => ({ create: item })) });
    },
  } as unknown as Client;
  return { client, requests };
}

describe('auditWriter', () => {
  it('creates each document under the id it keeps in the queue', async () => {
    const { client, requests } = clientAnswering([{ status: 201 }, { status: 409 }]);
    const result = await auditWriter(client, 'audit')([entry('a'), entry('b')]);
    expect(result).toEqual({ retry: [], rejected: [] });
    expect(requests[0]).toEqual([
      { create: { _index: 'audit', _id: 'a' } },
      entry('a').document,
      { create: { _index: 'audit', _id: 'b' } },
      entry('b').document,
    ]);
  });

  it('retries overload and blocked indices, and gives up only on the document itself', async () => {
    const { client } = clientAnswering([
      { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } },
      {
        status: 403,
        error: {
          type: 'cluster_block_exception',
          reason: 'index [audit] blocked by: [FORBIDDEN/8/index write (api)]',
        },
      },
      { status: 400, error: { type: 'document_parsing_exception', reason: 'strict mapping' } },
    ]);
    const result = await auditWriter(client, 'audit')([entry('a'), entry('b'), entry('c')]);
    expect(result.retry.map((e) => e.id)).toEqual(['a', 'b']);
    expect(result.rejected.map(({ entry: e, reason }) => [e.id, reason])).toEqual([
      ['c', 'document_parsing_exception: strict mapping'],
    ]);
  });
});
