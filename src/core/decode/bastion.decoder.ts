import { sourceAddress } from './address';
import { fail, one, type FormatDecoder } from './context';
import { mergeFields, type EventFields } from './event-fields';
import { decodeSyslog, looksLikeSyslog } from './syslog.decoder';
import { JsonFields, parseJsonObject, type JsonObject } from './json';

/**
 * `bastion`: the bastion host's command audit record, exported through
 * syslog as `… session_command_log - {json}` (the JSON alone is accepted too).
 *
 * | field         | event field |
 * | ------------- | ----------- |
 * | `input`       | `process.command_line` (required) |
 * | `user`        | `user.name`; `Alice Doe(alice)` → `alice`, display name in `labels.user_display` |
 * | `account`     | `user.effective.name`; `root(root)` → `root` |
 * | `asset`       | `host.name`; `web01(10.0.0.5)` → `web01`, address in `labels.asset_address` |
 * | `remote_addr` | `source.ip` |
 * | `session`     | `session.id` |
 * | `risk_level`  | `labels.risk_level` |
 * | `timestamp`   | `@timestamp` (epoch seconds or any accepted shape) |
 *
 * `output` (the command's output) is dropped: it is large and may hold secrets.
 * Other scalar fields are kept in `labels`.
 */
export const decodeBastion: FormatDecoder = (text, ctx, json) => {
  // Pinned to `bastion` but still wrapped in syslog: let syslog read its header first.
  if (json === undefined && looksLikeSyslog(text)) return decodeSyslog(text, ctx);
  const obj = json ?? parseJsonObject(bastionJson(text), 'bastion');
  const r = new JsonFields(obj, 'bastion');
  r.ignore(['output']);
  const user = splitNamed(r.string(['user']));
  const account = splitNamed(r.string(['account', 'system_user']));
  const asset = splitNamed(r.string(['asset', 'asset_name', 'hostname']));
  const fields: EventFields = {
    'process.command_line': r.required(['input', 'command']),
    '@timestamp': r.timestamp(['timestamp', 'date_created', 'time'], ctx.referenceMs),
    'user.name': user.name,
    'user.effective.name': account.name,
    'host.name': asset.name,
    'session.id': r.string(['session', 'session_id']),
    labels: {
      ...(user.detail === undefined ? {} : { user_display: user.detail }),
      ...(asset.detail === undefined ? {} : { asset_address: asset.detail }),
    },
  };
  const address = sourceAddress(r.string(['remote_addr', 'client_ip']));
  return one(mergeFields({ labels: r.rest() }, fields, address), 'bastion', ctx);
};

/** True when the text is a bastion export line (checked before generic detection). */
export function looksLikeBastion(text: string): boolean {
  return text.includes('session_command_log - {');
}

/** True for the bastion JSON alone (checked after the JSON is parsed). */
export function isBastionJson(obj: JsonObject): boolean {
  return typeof obj.input === 'string' && ('asset' in obj || 'risk_level' in obj);
}

function bastionJson(text: string): string {
  const marker = text.indexOf('session_command_log - ');
  if (marker >= 0) return text.slice(marker + 'session_command_log - '.length);
  if (text.startsWith('{')) return text;
  return fail('INVALID_FIELD', 'bastion: expected "session_command_log - {json}"', {
    format: 'bastion',
  });
}

/**
 * `Display Name(login)` → `{ name: login, detail: Display Name }`, and for
 * assets `web01(10.0.0.5)` → `{ name: web01, detail: 10.0.0.5 }`.
 */
function splitNamed(value: string | undefined): { name?: string; detail?: string } {
  if (value === undefined) return {};
  const m = /^(.*)\(([^()]*)\)$/.exec(value.trim());
  if (!m) return { name: value };
  const [, outer = '', inner = ''] = m;
  if (/^[\d.:a-fA-F]+$/.test(inner) && inner.includes('.')) return { name: outer, detail: inner };
  if (outer === inner) return { name: inner };
  return { name: inner, detail: outer };
}
