import ipaddr from 'ipaddr.js';
import type { CommandEvent } from '../event';
import { ATTACK_TACTICS, ATTACK_TECHNIQUES } from './mitre-attack';
import type { TacticId } from './mitre-attack';

/**
 * The ECS version whose field definitions the documents follow. 8.17 is the last 8.x
 * schema, the one the Elasticsearch 8.19 stack (client and local cluster) ships with;
 * test/support/ecs-fields.ts encodes the subset used here and the unit test
 * ecs-documents.spec.ts checks every document against it.
 */
export const ECS_VERSION = '8.17.0';

/**
 * Where a CommandEvent path lands in a document. The event keeps its own names (rules
 * and correlation keys read them: `session.id`, `tty`, `log.source`), but ECS has no
 * `session.*`, `log.source` or string `tty` (its `process.tty` is an object of device
 * numbers), so those go under the vendor namespace `shellwatch.*`.
 */
export function documentPath(eventPath: string): string {
  if (eventPath === 'tty' || eventPath === 'log.source') return `shellwatch.${eventPath}`;
  if (eventPath === 'session' || eventPath.startsWith('session.')) return `shellwatch.${eventPath}`;
  return eventPath;
}

/** `event.*` values every document shares: a process started (ECS allowed values). */
export const PROCESS_START = {
  category: ['process'],
  type: ['start'],
  action: 'exec',
} as const;

/**
 * The ECS body of a command event: its ECS fields, `process.name`/`process.args` filled
 * from the command line when the input had none, `related.*` for pivoting, and the
 * non-ECS fields in `shellwatch` (returned apart, for the caller to merge with its own).
 * `body`, `body.event` and `shellwatch` are new objects on every call: the document
 * builders add their own fields to them in place.
 */
export function ecsCommandFields(event: CommandEvent): {
  body: Record<string, unknown>;
  shellwatch: Record<string, unknown>;
} {
  const { session, tty, log, labels, process, event: own } = event;
  const args = process.args ?? commandArgs(process.command_line);
  const name = processName(process.executable, args);
  // Built by assignment, not by object rest and spread: a spread copy that then gets
  // more keys costs V8 several times a plain copy (5 µs of this function's 7 µs on the
  // bench's events, docs/performance.md "Record path"), and this runs for every
  // document. Assigning in the same order gives the same keys in the same order.
  const body = ownFields(event, MOVED_EVENT_KEYS);
  body.ecs = { version: ECS_VERSION };
  const ecsProcess = ownFields(process);
  if (name !== undefined) ecsProcess.name = name;
  if (args.length > 0) {
    ecsProcess.args = args;
    ecsProcess.args_count = args.length;
  }
  body.process = ecsProcess;
  const ecsEvent = ownFields(own);
  ecsEvent.category = PROCESS_START.category;
  ecsEvent.type = PROCESS_START.type;
  ecsEvent.action = PROCESS_START.action;
  body.event = ecsEvent;
  const related = relatedFields(event);
  if (related) body.related = related;
  if (labels) body.labels = labels;
  const shellwatch: Record<string, unknown> = { log: { source: log.source } };
  if (session) shellwatch.session = session;
  if (tty !== undefined) shellwatch.tty = tty;
  return { body, shellwatch };
}

/**
 * A new object with `value`'s own enumerable fields but `skip`, in order (what
 * `{ ...value }` copies; no `delete` after, which would make the copy a slow dictionary).
 */
function ownFields(value: object | undefined, skip?: ReadonlySet<string>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  if (value === undefined) return copy;
  for (const key in value) {
    if (Object.hasOwn(value, key) && skip?.has(key) !== true)
      copy[key] = (value as Record<string, unknown>)[key];
  }
  return copy;
}

/** The event's own keys that ecsCommandFields places elsewhere (or rebuilds). */
const MOVED_EVENT_KEYS: ReadonlySet<string> = new Set([
  'session',
  'tty',
  'log',
  'labels',
  'process',
  'event',
]);

/**
 * `ipaddr.isValid`, remembering the last address: a stream's records come from few
 * clients in a row, and parsing the address was about 0.5 µs of every document.
 */
function isValidIp(ip: string): boolean {
  if (ip !== lastIp.ip) lastIp = { ip, valid: ipaddr.isValid(ip) };
  return lastIp.valid;
}

let lastIp: { ip: string | undefined; valid: boolean } = { ip: undefined, valid: false };

/** `related.user` / `related.hosts` / `related.ip`: every user, host and address named. */
export function relatedFields(event: {
  user?: CommandEvent['user'];
  host?: CommandEvent['host'];
  source?: CommandEvent['source'];
}): Record<string, string[]> | undefined {
  const users = distinct([event.user?.name, event.user?.effective?.name]);
  const hosts = distinct([event.host?.name]);
  const ip = event.source?.ip;
  const ips = ip !== undefined && isValidIp(ip) ? [ip] : [];
  const related: Record<string, string[]> = {};
  if (users.length > 0) related.user = users;
  if (hosts.length > 0) related.hosts = hosts;
  if (ips.length > 0) related.ip = ips;
  return Object.keys(related).length > 0 ? related : undefined;
}

/**
 * The words of the first simple command of a line, quotes and redirections removed: ECS
 * `process.args` for inputs that carry only the line (snoopy, ECS without args, plain
 * lines). A cheap split, not the rules' shell parser: it runs for every command document.
 */
export function commandArgs(line: string, max = 256): string[] {
  return NOT_PLAIN.test(line) ? characterArgs(line, max) : plainArgs(line, max);
}

/**
 * `commandArgs` one character at a time: the definition, which handles quotes, escapes
 * and redirections; `plainArgs` gives the same words faster for lines without them.
 */
export function characterArgs(line: string, max = 256): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length && words.length < max; i++) {
    const c = line[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '|' || c === ';' || c === '&' || c === '\n') {
      break;
    } else if (c === '<' || c === '>') {
      // A redirection is not an argument of the process: drop its file descriptor
      // (`2>`), its operator (`>&`, `>>`, `<<<`) and its target (`/dev/null`, `&1`).
      if (inWord && !/^[0-9]+$/.test(word)) words.push(word);
      word = '';
      inWord = false;
      while (i + 1 < line.length && '<>&'.includes(line[i + 1] as string)) i++;
      while (i + 1 < line.length && (line[i + 1] === ' ' || line[i + 1] === '\t')) i++;
      while (i + 1 < line.length && !' \t|;&<>\n'.includes(line[i + 1] as string)) i++;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord && words.length < max) words.push(word);
  return words;
}

/** What only the general loop of `commandArgs` handles: quotes, escapes, redirections. */
const NOT_PLAIN = /["'\\<>]/;

/**
 * `commandArgs` of a line with none of `NOT_PLAIN`: words are runs between spaces and
 * tabs up to the first `|`, `;`, `&` or newline, taken as slices of the line rather
 * than built character by character (most command lines are like this).
 */
function plainArgs(line: string, max: number): string[] {
  const words: string[] = [];
  let start = -1;
  let i = 0;
  for (; i < line.length && words.length < max; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x20 || c === 0x09) {
      if (start >= 0) words.push(line.slice(start, i));
      start = -1;
    } else if (c === 0x7c || c === 0x3b || c === 0x26 || c === 0x0a) {
      break;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0 && words.length < max) words.push(line.slice(start, i));
  return words;
}

/** ECS `process.name`: the executable's file name, else the first argument's. */
export function processName(
  executable: string | undefined,
  args: readonly string[],
): string | undefined {
  const path = executable ?? args[0];
  if (path === undefined || path === '') return undefined;
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name === '' ? undefined : name;
}

/**
 * ECS `threat.*` for a rule's ATT&CK ids. A sub-technique (T1059.004) goes to
 * `threat.technique.subtechnique` and its parent (T1059) to `threat.technique`; the
 * tactics are the techniques' own. An id the table does not know keeps its place with
 * no name (a rule pushed through the API may name a newer id).
 */
export function threatFields(ids: readonly string[]): Record<string, unknown> {
  const technique = { id: [] as string[], name: [] as string[], reference: [] as string[] };
  const sub = { id: [] as string[], name: [] as string[], reference: [] as string[] };
  const tactics = new Set<TacticId>();
  const addTechnique = (id: string): void => {
    if (technique.id.includes(id)) return;
    technique.id.push(id);
    technique.reference.push(`https://attack.mitre.org/techniques/${id}/`);
    const known = ATTACK_TECHNIQUES[id];
    if (known) technique.name.push(known.name);
    for (const tactic of known?.tactics ?? []) tactics.add(tactic);
  };
  for (const id of ids) {
    const dot = id.indexOf('.');
    if (dot < 0) {
      addTechnique(id);
      continue;
    }
    const parent = id.slice(0, dot);
    addTechnique(parent);
    if (sub.id.includes(id)) continue;
    sub.id.push(id);
    sub.reference.push(`https://attack.mitre.org/techniques/${parent}/${id.slice(dot + 1)}/`);
    const known = ATTACK_TECHNIQUES[id];
    if (known) sub.name.push(known.name);
  }
  const tacticIds = [...tactics];
  return {
    framework: 'MITRE ATT&CK',
    ...(tacticIds.length === 0
      ? {}
      : {
          tactic: {
            id: tacticIds,
            name: tacticIds.map((id) => ATTACK_TACTICS[id]),
            reference: tacticIds.map((id) => `https://attack.mitre.org/tactics/${id}/`),
          },
        }),
    ...(technique.id.length === 0
      ? {}
      : {
          technique: {
            ...compactLists(technique),
            ...(sub.id.length === 0 ? {} : { subtechnique: compactLists(sub) }),
          },
        }),
  };
}

function compactLists(lists: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(lists).filter(([, values]) => values.length > 0));
}

function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
}
