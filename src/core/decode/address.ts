import type { EventFields } from './event-fields';

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_RE = /^[0-9A-Fa-f:]{2,39}(?:\d+\.\d+\.\d+\.\d+)?(?:%[\w.-]+)?$/;
/** A character that the general path of `sourceAddress` splits or strips at. */
const NEEDS_SPLITTING = /[\s[:]/;

/** True for a literal IPv4 or IPv6 address (zone ids allowed), the values an ES `ip` field accepts. */
export function isIp(value: string): boolean {
  if (value.length > 64) return false;
  if (IPV4_RE.test(value)) return true;
  if (!value.includes(':') || !IPV6_RE.test(value)) return false;
  const doubleColons = value.split('::').length - 1;
  return doubleColons <= 1;
}

/**
 * Turns a client address as formats write it (`10.0.0.5`, `10.0.0.5:51234`,
 * `[2001:db8::1]:22`, `10.0.0.5 51234 10.0.0.1 22` from SSH_CONNECTION) into
 * `source.ip`. A value that is not an address goes to `labels.source_address`
 * instead: Elasticsearch rejects a whole document whose `ip` field does not parse.
 */
export function sourceAddress(value: string | undefined): EventFields {
  if (value === undefined) return {};
  // The usual value, one address with no port: what the general path below makes of it,
  // without splitting it and trying two patterns that need a space, `[` or `:`.
  if (!NEEDS_SPLITTING.test(value)) {
    return isIp(value) ? { 'source.ip': value } : { labels: { source_address: value } };
  }
  return splitAddress(value);
}

/**
 * `sourceAddress` for any value: the first word, `[v6]:port` or `v4:port` split, the
 * definition the fast path above must agree with.
 */
export function splitAddress(value: string): EventFields {
  const first = value.trim().split(/\s+/)[0] ?? '';
  let host = first;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(first);
  const v4port = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(first);
  if (bracketed) {
    host = bracketed[1] ?? '';
    port = bracketed[2];
  } else if (v4port) {
    host = v4port[1] ?? '';
    port = v4port[2];
  }
  if (!isIp(host)) return { labels: { source_address: value } };
  return port === undefined
    ? { 'source.ip': host }
    : { 'source.ip': host, labels: { source_port: port } };
}
