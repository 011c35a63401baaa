import { describe, expect, it } from 'vitest';
import { elasticsearchConnectionOptions } from './elasticsearch-options';
import type { ElasticsearchConnectionSettings } from './elasticsearch-options';

const NONE: ElasticsearchConnectionSettings = {
  node: 'http://127.0.0.1:9200',
  apiKey: null,
  username: null,
  password: null,
  caFile: null,
  tlsVerify: true,
};
const readFile = (path: string): string => `PEM of ${path}`;

describe('elasticsearchConnectionOptions', () => {
  it('passes a plain URL through, with no auth and no TLS options', () => {
    expect(elasticsearchConnectionOptions(NONE, readFile)).toEqual({
      node: 'http://127.0.0.1:9200',
    });
  });

  it('moves credentials out of the URL into basic auth', () => {
    const options = elasticsearchConnectionOptions(
      { ...NONE, node: 'https://elastic:p%40ss@es.example:9200/' },
      readFile,
    );
    expect(options.node).toBe('https://es.example:9200');
    expect(options.auth).toEqual({ username: 'elastic', password: 'p@ss' });
  });

  it('uses ES_USERNAME/ES_PASSWORD as basic auth', () => {
    expect(
      elasticsearchConnectionOptions({ ...NONE, username: 'sw', password: 'pw' }, readFile).auth,
    ).toEqual({ username: 'sw', password: 'pw' });
  });

  it('passes an encoded API key as is and id:api_key as its parts', () => {
    expect(elasticsearchConnectionOptions({ ...NONE, apiKey: 'aWQ6a2V5' }, readFile).auth).toEqual({
      apiKey: 'aWQ6a2V5',
    });
    expect(elasticsearchConnectionOptions({ ...NONE, apiKey: 'id1:key1' }, readFile).auth).toEqual({
      apiKey: { id: 'id1', api_key: 'key1' },
    });
  });

  it('reads the CA file and turns verification off only when asked', () => {
    const https = { ...NONE, node: 'https://es.example:9200' };
    expect(
      elasticsearchConnectionOptions({ ...https, caFile: '/etc/ca.pem' }, readFile).tls,
    ).toEqual({ ca: 'PEM of /etc/ca.pem' });
    expect(elasticsearchConnectionOptions({ ...https, tlsVerify: false }, readFile).tls).toEqual({
      rejectUnauthorized: false,
    });
  });
});
