import type { ClientOptions } from '@elastic/elasticsearch';

/** What the configuration says about reaching Elasticsearch (see ES_* in config.schema.ts). */
export interface ElasticsearchConnectionSettings {
  node: string;
  apiKey: string | null;
  username: string | null;
  password: string | null;
  caFile: string | null;
  tlsVerify: boolean;
}

/** The connection part of the client's options: where, who, and which certificates to trust. */
export interface ElasticsearchConnectionOptions {
  node: string;
  auth?: ClientOptions['auth'];
  tls?: ClientOptions['tls'];
}

/**
 * Turns validated settings into client options. Credentials written in ES_NODE
 * (`https://user:pass@host`) are moved out of the URL into `auth`, so the URL the
 * client keeps (and may quote in an error) carries no secret. An API key given as
 * `id:api_key` is passed as its two parts; otherwise as the encoded value.
 * `readFile` reads the CA file (validated readable at start).
 */
export function elasticsearchConnectionOptions(
  settings: ElasticsearchConnectionSettings,
  readFile: (path: string) => string,
): ElasticsearchConnectionOptions {
  const url = new URL(settings.node);
  let auth: ClientOptions['auth'];
  if (url.username !== '' || url.password !== '') {
    auth = {
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    };
    url.username = '';
    url.password = '';
  }
  if (settings.apiKey !== null) {
    const separator = settings.apiKey.indexOf(':');
    auth = {
      apiKey:
        separator > 0
          ? {
              id: settings.apiKey.slice(0, separator),
              api_key: settings.apiKey.slice(separator + 1),
            }
          : settings.apiKey,
    };
  } else if (settings.username !== null) {
    auth = { username: settings.username, password: settings.password ?? '' };
  }
  const options: ElasticsearchConnectionOptions = { node: url.toString().replace(/\/+$/, '') };
  if (auth) options.auth = auth;
  if (settings.caFile !== null || !settings.tlsVerify) {
    options.tls = {
      ...(settings.caFile !== null ? { ca: readFile(settings.caFile) } : {}),
      ...(settings.tlsVerify ? {} : { rejectUnauthorized: false }),
    };
  }
  return options;
}
