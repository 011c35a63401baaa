import { randomUUID } from 'node:crypto';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  documentText,
  encodeChangeHeader,
  encodeRuleRecord,
  keyProblem,
  pathProblem,
  RULE_RECORD_SCHEMA_VERSION,
} from '../core/rule-log';
import type { ChangeMeta, JsonObject, RuleChangeKind, RuleLogState } from '../core/rule-log';
import type { RuleTopic, RuleTopicMessage } from '../kafka/rule-topic';
import { readRuleLog } from '../rules-store/read-rule-log';
import { readRuleFolder } from '../rules-store/rule-files';
import type { RuleFolderContents } from '../rules-store/rule-files';
import { resolveInside } from '../rules-store/rule-paths';
import { CliUsageError, loadRulesOrExplain } from './load-rules';
import { errorMessage } from '../core/errors';

/** How long push and pull may take to read the rule topic to its end. */
export const TOPIC_READ_TIMEOUT_MS = 60_000;

export interface TopicCommandOptions {
  /** push: delete from the topic what DIR does not hold; pull: delete from DIR what the topic does not hold. */
  prune: boolean;
  /** Who the records name (`user`): `cli:<login>`. */
  user: string;
  /** push: only into a topic that holds no rule yet (a first start); never over what the API changed since. */
  seed?: boolean;
}

interface Wanted {
  key: string;
  kind: 'rule' | 'list';
  path: string;
  document: JsonObject;
}

/**
 * `shellwatch rules push DIR [--prune]`: validates DIR as `rules validate` does
 * (nothing is produced when any file is invalid), reads the rule topic, and
 * produces one record per rule or list that is new or differs (unconditional,
 * in one ordered request). Reports each change and the counts.
 */
export async function pushCommand(
  dir: string,
  topic: RuleTopic,
  options: TopicCommandOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const loaded = await loadRulesOrExplain(dir);
  if ('problems' in loaded) {
    err.write(`${loaded.problems}\nnothing was pushed: fix the files above first\n`);
    return 1;
  }
  const folder = await readRuleFolder(dir);
  const wanted = wantedOf(folder);
  const unfit = [...wanted.values()].flatMap((item) => {
    const problem =
      keyProblem(item.key) ??
      pathProblem(item.path, item.kind, item.kind === 'rule' ? item.key : undefined);
    return problem === undefined ? [] : [`${item.path}: ${problem}`];
  });
  if (unfit.length > 0) {
    err.write(`${unfit.join('\n')}\nnothing was pushed: the rule topic cannot hold these files\n`);
    return 1;
  }
  out.write(`${dir}: ${folder.rules.length} rules and ${folder.lists.length} lists valid\n`);
  out.write(`reading the rule topic ${topic.topic}…\n`);
  await topic.ensureTopic();
  const state = await readRuleLog(topic, TOPIC_READ_TIMEOUT_MS);
  warnUnreadable(state, err);
  const held = state.all().filter((entry) => entry.kind === 'rule').length;
  if (options.seed === true && held > 0) {
    out.write(
      `${topic.topic} already holds ${held} rules: nothing pushed (--seed only fills an empty topic; push without it to overwrite)\n`,
    );
    return 0;
  }
  const messages: RuleTopicMessage[] = [];
  const counts = { created: 0, updated: 0, unchanged: 0, deleted: 0, kept: 0 };
  const meta = (kind: RuleChangeKind): ChangeMeta => ({
    schemaVersion: RULE_RECORD_SCHEMA_VERSION,
    kind,
    expect: null,
    changeId: randomUUID(),
    user: options.user,
    at: new Date().toISOString(),
  });
  for (const item of wanted.values()) {
    const current = state.get(item.key);
    const same =
      current !== undefined &&
      current.path === item.path &&
      documentText(current.document) === documentText(item.document);
    if (same) {
      counts.unchanged += 1;
      continue;
    }
    const what = current === undefined ? 'created' : 'updated';
    counts[what] += 1;
    out.write(`${what} ${item.key} (${item.path})\n`);
    messages.push({
      key: item.key,
      value: encodeRuleRecord({
        ...meta(item.kind === 'rule' ? 'rule-pushed' : 'list-pushed'),
        path: item.path,
        [item.kind]: item.document,
      }),
    });
  }
  for (const entry of state.all()) {
    if (wanted.has(entry.key)) continue;
    if (!options.prune) {
      counts.kept += 1;
      continue;
    }
    counts.deleted += 1;
    out.write(`deleted ${entry.key} (${entry.path})\n`);
    messages.push({
      key: entry.key,
      value: null,
      header: encodeChangeHeader(meta(entry.kind === 'rule' ? 'rule-deleted' : 'list-pushed')),
    });
  }
  if (messages.length > 0) await topic.produce(messages);
  out.write(
    `pushed to ${topic.topic}: ${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.deleted} deleted${
      counts.kept > 0
        ? `; ${counts.kept} in the topic but not in ${dir} kept (--prune deletes them)`
        : ''
    }\n`,
  );
  return 0;
}

/**
 * `shellwatch rules pull DIR [--prune]`: reads the rule topic to its end and writes
 * each rule and list as a file of DIR, at the path it has in the topic (the layout
 * the folder store reads). Files of DIR the topic does not hold are listed, and
 * removed with --prune. Exit 1 when the topic holds records this build cannot read.
 */
export async function pullCommand(
  dir: string,
  topic: RuleTopic,
  options: TopicCommandOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  out.write(`reading the rule topic ${topic.topic}…\n`);
  let state: RuleLogState;
  try {
    state = await readRuleLog(topic, TOPIC_READ_TIMEOUT_MS);
  } catch (error) {
    const message = errorMessage(error);
    if (/does not host this topic-partition|UNKNOWN_TOPIC/i.test(message)) {
      throw new CliUsageError(`the rule topic ${topic.topic} does not exist (RULES_TOPIC)`);
    }
    throw error;
  }
  const unreadable = warnUnreadable(state, err);
  await mkdir(dir, { recursive: true });
  const existing = await readRuleFolder(dir);
  const held = new Set<string>();
  const counts = { written: 0, unchanged: 0, removed: 0, foreign: 0 };
  for (const entry of state.all()) {
    const target = resolveInside(dir, entry.path);
    held.add(entry.path);
    const text = documentText(entry.document);
    const before = await readFile(target, 'utf8').catch(() => undefined);
    if (before === text) {
      counts.unchanged += 1;
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text, 'utf8');
    counts.written += 1;
    out.write(`${before === undefined ? 'wrote' : 'updated'} ${entry.path}\n`);
  }
  for (const file of [...existing.rules, ...existing.lists]) {
    if (held.has(file.path)) continue;
    if (options.prune) {
      await unlink(resolveInside(dir, file.path));
      counts.removed += 1;
      out.write(`removed ${file.path}\n`);
    } else {
      counts.foreign += 1;
      err.write(`${file.path} is not in the topic (kept; --prune removes it)\n`);
    }
  }
  const rules = state.all().filter((e) => e.kind === 'rule').length;
  out.write(
    `pulled ${rules} rules and ${state.all().length - rules} lists from ${topic.topic} into ${dir}: ${counts.written} written, ${counts.unchanged} unchanged, ${counts.removed} removed\n`,
  );
  return unreadable > 0 ? 1 : 0;
}

/** The folder's rules (keyed by id) and lists (keyed by path), as the topic keys them. */
function wantedOf(folder: RuleFolderContents): Map<string, Wanted> {
  const wanted = new Map<string, Wanted>();
  for (const file of folder.rules) {
    const document = JSON.parse(file.text) as JsonObject;
    const key = String(document['id']);
    wanted.set(key, { key, kind: 'rule', path: file.path, document });
  }
  for (const file of folder.lists) {
    const document = JSON.parse(file.text) as JsonObject;
    wanted.set(file.path, { key: file.path, kind: 'list', path: file.path, document });
  }
  return wanted;
}

function warnUnreadable(state: RuleLogState, err: NodeJS.WritableStream): number {
  const problems = state.problems();
  for (const problem of problems) {
    err.write(
      `warning: offset ${problem.offset} (key ${String(problem.key)}) of the topic cannot be read by this build: ${problem.reason}\n`,
    );
  }
  return problems.length;
}
