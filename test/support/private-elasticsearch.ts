import { Client } from '@elastic/elasticsearch';
import { afterAll } from 'vitest';
import { ServiceProcess } from './service';
import { PrivateElasticsearch } from './stack';

/** A test's own Elasticsearch node, its client, and the services started against it. */
export interface PrivateElasticsearchWorld {
  elasticsearch: PrivateElasticsearch;
  client: Client;
  /** Starts the service with `env` against this node (ES_NODE); stopped after the block. */
  startService: (env: Record<string, string>) => ServiceProcess;
}

/**
 * For a describe block that needs an Elasticsearch it may stop or configure (outage,
 * http.max_content_length): the node (started by the test, when it wants), its client,
 * and after the block every service started through it, the client and the node stopped.
 */
export function usePrivateElasticsearch(
  port: number,
  settings: ConstructorParameters<typeof PrivateElasticsearch>[1] = {},
): PrivateElasticsearchWorld {
  const elasticsearch = new PrivateElasticsearch(port, settings);
  const client = new Client({ node: elasticsearch.url });
  const services: ServiceProcess[] = [];
  afterAll(async () => {
    // stop() is a no-op for a service that has exited already.
    for (const service of services) await service.stop();
    await client.close();
    elasticsearch.stop();
  });
  return {
    elasticsearch,
    client,
    startService: (env) => {
      const service = new ServiceProcess({ ...env, ES_NODE: elasticsearch.url }).start();
      services.push(service);
      return service;
    },
  };
}
