import type { ServiceProcess } from './service';

/** A rules API answer: status, parsed JSON body (`{}` when empty) and ETag. */
export interface RulesApiAnswer {
  status: number;
  body: Record<string, unknown>;
  etag: string | null;
}

/** A request to the service's rules API with a bearer key, an optional JSON body and If-Match. */
export async function callRulesApi(
  service: ServiceProcess,
  apiKey: string,
  request: { method: string; path: string; body?: unknown; ifMatch?: string; timeoutMs?: number },
): Promise<RulesApiAnswer> {
  const { method, path, body, ifMatch, timeoutMs } = request;
  const response = await fetch(`${service.baseUrl}${path}`, {
    method,
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    etag: response.headers.get('etag'),
  };
}
