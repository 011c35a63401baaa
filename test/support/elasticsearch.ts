import { Client } from '@elastic/elasticsearch';
import { ES_NODE } from './stack';
import { uniqueName } from './kafka';

export const testElasticsearch = new Client({ node: ES_NODE });

/** An index name no other test uses (lowercase, as Elasticsearch requires). */
export function uniqueIndex(prefix: string): string {
  return uniqueName(prefix).toLowerCase();
}

export async function countDocuments(
  index: string,
  client: Client = testElasticsearch,
): Promise<number> {
  await client.indices.refresh({ index, ignore_unavailable: true });
  const exists = await client.indices.exists({ index });
  if (!exists) return 0;
  const { count } = await client.count({ index });
  return count;
}

/** Every document of an index (up to 10,000), refreshed first. */
export async function allDocuments<T = Record<string, unknown>>(
  index: string,
): Promise<{ id: string; source: T }[]> {
  await testElasticsearch.indices.refresh({ index });
  const response = await testElasticsearch.search<T>({
    index,
    size: 10_000,
    query: { match_all: {} },
  });
  return response.hits.hits.map((hit) => ({ id: hit._id ?? '', source: hit._source as T }));
}

/** Every document id of an index, sorted (scrolls past the 10,000 hit limit). */
export async function allIds(index: string, client: Client = testElasticsearch): Promise<string[]> {
  await client.indices.refresh({ index });
  const ids: string[] = [];
  let response = await client.search({
    index,
    size: 5000,
    scroll: '1m',
    _source: false,
    query: { match_all: {} },
  });
  while (response.hits.hits.length > 0) {
    for (const hit of response.hits.hits) ids.push(hit._id ?? '');
    if (!response._scroll_id) break;
    response = await client.scroll({ scroll_id: response._scroll_id, scroll: '1m' });
  }
  return ids.sort();
}
