/**
 * The records of the rule topic (RULES_STORE=kafka): what a replica produces for
 * one change, and how every replica reads it back. Pure: no I/O.
 *
 * key: a rule id (`SW-DST-0001`), or a named list's path (`lists/shells.json`;
 * a rule id never holds `/`).
 * value: a JSON {@link RuleRecordValue}; null (a tombstone) deletes the key, and
 * then the change's metadata travels in the {@link CHANGE_HEADER} header.
 */
import { RULE_ID_PATTERN } from '../rules/rule-id';
import { errorMessage } from '../errors';

/** The schema version this build writes and reads; a record with a higher one is not applied. */
export const RULE_RECORD_SCHEMA_VERSION = 1;

/** Header of a tombstone carrying its change's metadata (JSON of {@link ChangeMeta}). */
export const CHANGE_HEADER = 'shellwatch-change';

export const RULE_CHANGE_KINDS = [
  'rule-created',
  'rule-replaced',
  'rule-patched',
  'rule-enabled',
  'rule-disabled',
  'rule-deleted',
  'rule-pushed',
  'list-pushed',
  'restated',
] as const;
export type RuleChangeKind = (typeof RULE_CHANGE_KINDS)[number];

/**
 * What the key must be at this point of the log for the record to apply.
 * `versions`: one of these versions (If-Match, or the version a patch was made on).
 */
export type Expectation =
  { state: 'absent' } | { state: 'present' } | { state: 'version'; versions: string[] };

/**
 * A re-statement of the key's state after a rejected record: compaction keeps the
 * LAST record of a key, so a rejected record must never be the last one (a replica
 * reading the compacted log would never see what it lost to). `version` is the
 * version of the content re-stated (null: the key was absent); `rejected` is the
 * offset of the rejected record.
 */
export interface Restatement {
  rejected: string;
  version: string | null;
}

/** Everything of a change but its content. */
export interface ChangeMeta {
  schemaVersion: number;
  kind: RuleChangeKind;
  expect: Expectation | null;
  /** Unique per change: the replica that produced it waits for this id to come back. */
  changeId: string;
  /** Name of the API key (or `cli`); never the key. */
  user: string;
  at: string;
  restates?: Restatement;
}

export type JsonObject = { [key: string]: unknown };

export interface RuleRecordValue extends ChangeMeta {
  /** File path relative to the rules folder (`execution/SW-EXE-0001.json`, `lists/shells.json`). */
  path: string;
  /** The rule document (rule keys) … */
  rule?: JsonObject;
  /** … or the list document (list keys). */
  list?: JsonObject;
}

/** A record as read from the topic. */
export interface TopicRecord {
  offset: string;
  key: string | null;
  value: string | null;
  /** The {@link CHANGE_HEADER} header, if any. */
  header?: string | undefined;
}

/** A record understood: a put of a document or a delete, with its metadata (none for a bare tombstone). */
export type DecodedChange =
  | {
      op: 'put';
      key: string;
      kind: 'rule' | 'list';
      path: string;
      document: JsonObject;
      meta: ChangeMeta;
    }
  | { op: 'delete'; key: string; meta: ChangeMeta | null };

/** Folders of a rules folder that hold something other than rules (as the folder store reads it). */
const NOT_RULES = new Set(['lists', 'schema', 'formats']);
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const MAX_DEPTH = 8;

/** True when `key` names a list (`lists/….json`) rather than a rule. */
export function isListKey(key: string): boolean {
  return key.startsWith('lists/');
}

/** Why `key` is not a key of the rule topic, or undefined. */
export function keyProblem(key: string): string | undefined {
  if (isListKey(key)) return pathProblem(key, 'list');
  return RULE_ID_PATTERN.test(key)
    ? undefined
    : 'the key is neither a rule id nor lists/<name>.json';
}

/**
 * Why `path` cannot be the file of `key`, or undefined: relative, `/`-separated, no
 * hidden or `..` segment, at most 8 folders deep, named `<id>.json` outside
 * lists/, schema/ and formats/ for a rule; the key itself for a list.
 */
export function pathProblem(path: string, kind: 'rule' | 'list', id?: string): string | undefined {
  const segments = path.split('/');
  if (segments.length > MAX_DEPTH + 1 || !segments.every((s) => SEGMENT.test(s)))
    return `path ${JSON.stringify(path.slice(0, 200))} is not a safe relative path`;
  if (!path.endsWith('.json')) return `path ${JSON.stringify(path)} does not end in .json`;
  if (kind === 'list')
    return segments[0] === 'lists' && segments.length >= 2
      ? undefined
      : 'a list lives under lists/';
  if (segments.length > 1 && NOT_RULES.has(segments[0] ?? ''))
    return `path ${JSON.stringify(path)} is in ${segments[0]}/, which holds no rules`;
  if (id !== undefined && segments[segments.length - 1] !== `${id}.json`)
    return `path ${JSON.stringify(path)} is not named after the rule id ${id}`;
  return undefined;
}

/** The record value of a put. */
export function encodeRuleRecord(value: RuleRecordValue): string {
  return JSON.stringify(value);
}

/** The header of a tombstone. */
export function encodeChangeHeader(meta: ChangeMeta): string {
  return JSON.stringify(meta);
}

/** A record understood, or why it cannot be applied by this build. */
export function decodeRuleRecord(
  record: TopicRecord,
): { ok: true; change: DecodedChange } | { ok: false; reason: string } {
  if (record.key === null) return { ok: false, reason: 'the record has no key' };
  const key = record.key;
  const badKey = keyProblem(key);
  if (badKey !== undefined) return { ok: false, reason: badKey };
  if (record.value === null) {
    if (record.header === undefined) return { ok: true, change: { op: 'delete', key, meta: null } };
    const meta = parseObject(record.header, `the ${CHANGE_HEADER} header`);
    if ('reason' in meta) return meta;
    const checked = checkMeta(meta.value);
    return 'reason' in checked
      ? checked
      : { ok: true, change: { op: 'delete', key, meta: checked.meta } };
  }
  const parsed = parseObject(record.value, 'the value');
  if ('reason' in parsed) return parsed;
  const checked = checkMeta(parsed.value);
  if ('reason' in checked) return checked;
  const value = parsed.value;
  const kind = isListKey(key) ? 'list' : 'rule';
  const path = value['path'];
  if (typeof path !== 'string') return { ok: false, reason: 'the value has no path' };
  const badPath = pathProblem(path, kind, kind === 'rule' ? key : undefined);
  if (badPath !== undefined) return { ok: false, reason: badPath };
  if (kind === 'list' && path !== key)
    return { ok: false, reason: `a list's path must be its key (${key})` };
  const document = value[kind];
  if (!isObject(document)) return { ok: false, reason: `the value has no ${kind} object` };
  if (kind === 'rule' && document['id'] !== key)
    return { ok: false, reason: `the rule's id is not the record's key ${key}` };
  return { ok: true, change: { op: 'put', key, kind, path, document, meta: checked.meta } };
}

function parseObject(
  text: string,
  what: string,
): { value: JsonObject } | { ok: false; reason: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return { value };
    return { ok: false, reason: `${what} is not a JSON object` };
  } catch (error) {
    return {
      ok: false,
      reason: `${what} is not JSON: ${errorMessage(error)}`,
    };
  }
}

function checkMeta(value: JsonObject): { meta: ChangeMeta } | { ok: false; reason: string } {
  const version = value['schemaVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    return { ok: false, reason: 'schemaVersion is missing or not a positive whole number' };
  if (version > RULE_RECORD_SCHEMA_VERSION)
    return {
      ok: false,
      reason: `schemaVersion ${version} is newer than this build reads (${RULE_RECORD_SCHEMA_VERSION}); upgrade this replica`,
    };
  const kind = value['kind'];
  if (typeof kind !== 'string' || !(RULE_CHANGE_KINDS as readonly string[]).includes(kind))
    return { ok: false, reason: `unknown change kind ${JSON.stringify(kind)}` };
  const expect = checkExpectation(value['expect']);
  if (expect === 'bad') return { ok: false, reason: 'expect is not a valid expectation' };
  const restates = value['restates'];
  if (restates !== undefined && !isRestatement(restates))
    return { ok: false, reason: 'restates is not a valid restatement' };
  return {
    meta: {
      schemaVersion: version,
      kind: kind as RuleChangeKind,
      expect,
      changeId: typeof value['changeId'] === 'string' ? value['changeId'] : '',
      user: typeof value['user'] === 'string' ? value['user'] : '',
      at: typeof value['at'] === 'string' ? value['at'] : '',
      ...(restates === undefined ? {} : { restates }),
    },
  };
}

function checkExpectation(value: unknown): Expectation | null | 'bad' {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return 'bad';
  if (value['state'] === 'absent') return { state: 'absent' };
  if (value['state'] === 'present') return { state: 'present' };
  const versions = value['versions'];
  if (
    value['state'] === 'version' &&
    Array.isArray(versions) &&
    versions.every((v) => typeof v === 'string')
  )
    return { state: 'version', versions };
  return 'bad';
}

function isRestatement(value: unknown): value is Restatement {
  return (
    isObject(value) &&
    typeof value['rejected'] === 'string' &&
    (value['version'] === null || typeof value['version'] === 'string')
  );
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The file text of a document as the rule store serves and pulls it: two-space JSON and a final newline. */
export function documentText(document: JsonObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
