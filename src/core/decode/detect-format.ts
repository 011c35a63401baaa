import { looksLikeAuditd } from './auditd-record';
import { isBastionJson, looksLikeBastion } from './bastion.decoder';
import { looksLikeBashHistory } from './bash-history.decoder';
import { fail } from './context';
import { isFilebeatEvent } from './filebeat.decoder';
import { getPath, parseJsonObject, type JsonObject } from './json';
import { isOsqueryResult } from './osquery.decoder';
import { looksLikeSnoopy } from './snoopy.decoder';
import { isRsyslogJson, looksLikeSyslog } from './syslog.decoder';
import { isTeleportEvent } from './teleport.decoder';
import type { FormatName } from './types';
import { VSSH_FIELDS } from './vssh.decoder';

/** A detected format, with the JSON already parsed when the record is JSON (parsed once). */
export interface Detection {
  format: FormatName;
  json?: JsonObject;
}

/**
 * Guesses a record's format from its first bytes, cheap enough for every
 * record: `{` → JSON, then the keys decide (osquery, Teleport, filebeat, ECS,
 * rsyslog JSON, bastion, vssh); `type=`/`node=` → auditd; `<PRI>`, a month
 * name or an RFC 3339 time → syslog; `[key:` → snoopy; `HISTORY:` or
 * `user [pid]: ` → bash-history; `session_command_log - {` → bastion.
 * Returns undefined when nothing fits: `lines` is never guessed, since any
 * text is a "command" and guessing it would hide a format we do not know.
 * Throws INVALID_JSON for a record that starts with `{` and does not parse.
 */
export function detectFormat(text: string): Detection | undefined {
  const c = text.charCodeAt(0);
  if (c === 0x7b /* { */) return detectJson(parseJsonObject(text, 'auto'));
  if (looksLikeAuditd(text)) return { format: 'auditd' };
  if (looksLikeSyslog(text)) return { format: 'syslog' };
  if (c === 0x5b /* [ */ && looksLikeSnoopy(text)) return { format: 'snoopy' };
  if (looksLikeBashHistory(text)) return { format: 'bash-history' };
  if (looksLikeBastion(text)) return { format: 'bastion' };
  return undefined;
}

/** Picks the JSON format from an object's keys (see `detectFormat`). */
export function detectJson(json: JsonObject): Detection | undefined {
  const format = jsonFormat(json);
  return format === undefined ? undefined : { format, json };
}

function jsonFormat(json: JsonObject): FormatName | undefined {
  if (isOsqueryResult(json)) return 'osquery';
  if (isTeleportEvent(json)) return 'teleport';
  if (isFilebeatEvent(json)) return 'filebeat';
  if (getPath(json, 'process.command_line') !== undefined) return 'ecs';
  if (isRsyslogJson(json)) return 'syslog';
  if (isBastionJson(json)) return 'bastion';
  if (VSSH_FIELDS.command.some((key) => key in json)) return 'vssh';
  return undefined;
}

/** The UNKNOWN_FORMAT error for text no detector recognized. */
export function unknownFormat(what: string): never {
  return fail('UNKNOWN_FORMAT', `${what}: no known command format recognized`, {});
}
