import { decodeAuditd } from './auditd.decoder';
import { decodeBashHistory } from './bash-history.decoder';
import { decodeBastion } from './bastion.decoder';
import type { FormatDecoder } from './context';
import { decodeEcs } from './ecs.decoder';
import { decodeFilebeat } from './filebeat.decoder';
import { decodeLines } from './lines.decoder';
import { decodeOsquery } from './osquery.decoder';
import { decodeSnoopy } from './snoopy.decoder';
import { decodeSyslog } from './syslog.decoder';
import { decodeTeleport } from './teleport.decoder';
import { decodeVssh } from './vssh.decoder';

/**
 * The built-in formats, in the order `--format` help lists them. `auto`
 * detects per record; the others pin one decoder.
 */
export const FORMAT_NAMES = [
  'auto',
  'lines',
  'ecs',
  'vssh',
  'filebeat',
  'syslog',
  'snoopy',
  'bash-history',
  'auditd',
  'bastion',
  'teleport',
  'osquery',
] as const;

/** A built-in format name. */
export type BuiltinFormat = (typeof FORMAT_NAMES)[number];

/** The decoder of each built-in format except `auto` (which picks one of these). */
export const BUILTIN_DECODERS: Readonly<Record<Exclude<BuiltinFormat, 'auto'>, FormatDecoder>> = {
  lines: decodeLines,
  ecs: decodeEcs,
  vssh: decodeVssh,
  filebeat: decodeFilebeat,
  syslog: decodeSyslog,
  snoopy: decodeSnoopy,
  'bash-history': decodeBashHistory,
  auditd: decodeAuditd,
  bastion: decodeBastion,
  teleport: decodeTeleport,
  osquery: decodeOsquery,
};

/** True for a built-in format name. */
export function isBuiltinFormat(name: string): name is BuiltinFormat {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}
