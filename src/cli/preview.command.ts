import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { formatRuleProblems, isSingleEventRule } from '../core/rules';
import type { LoadedRule, RuleSet } from '../core/rules';
import { PREVIEW_PAGE_SIZE, previewAnswer } from '../core/preview/preview-answer';
import type { PreviewAnswer } from '../core/preview/preview-answer';
import { previewEvaluator, ruleNotes } from '../core/preview/preview-rule';
import { parsePreviewTime, PREVIEW_TIME_FORMS } from '../core/preview/preview-time';
import { runPreview } from '../core/preview/run-preview';
import type { PreviewProgress } from '../core/preview/run-preview';
import { CommandsScan } from '../elasticsearch/commands-scan';
import { elasticsearchConnectionOptions } from '../elasticsearch/elasticsearch-options';
import { ANALYSIS_CONCURRENCY, loadCheckedRuleSet } from '../regex-check/load-checked-rule-set';
import { RegexChecker } from '../regex-check/regex-checker';
import { readRuleFolder } from '../rules-store/rule-files';
import { loadServiceConfig } from './service-config';
import { CliUsageError, loadRulesOrExplain } from './load-rules';
import { errorMessage } from '../core/errors';

/** The options of `shellwatch rules preview`, as commander gives them. */
export interface PreviewCliOptions {
  rule?: string;
  id?: string;
  rules: string;
  from: string;
  to: string;
  es?: string;
  index?: string;
  maxDocuments: string;
  maxSeconds: string;
  maxMatches: string;
  json?: boolean;
  /** false with --no-pit: page with search_after alone. */
  pit: boolean;
}

/** Where the command writes, and what it reads the connection from. */
export interface PreviewCliIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

/** Progress lines on long runs: none in the first second, then at most one a second. */
const PROGRESS_EVERY_MS = 1_000;

/**
 * `shellwatch rules preview`: a rule (a file, or an id of the rules folder) over a
 * time range of the commands index, read from Elasticsearch directly with the
 * service's configuration (ES_NODE, ES_COMMANDS_INDEX and the ES_* credentials;
 * --es and --index override). The same scan, evaluator and answer as POST
 * /rules/preview: a readable summary, or the API's JSON with --json. Exit 0 when the
 * preview ran, 1 for a bad rule or an unreachable cluster, 2 for bad usage.
 */
export async function previewCommand(
  options: PreviewCliOptions,
  io: PreviewCliIo,
): Promise<number> {
  const nowMs = Date.now();
  const from = requireTime('--from', options.from, nowMs);
  const to = requireTime('--to', options.to, nowMs);
  if (from.getTime() >= to.getTime()) {
    throw new CliUsageError(`--to ${options.to}: must be after --from (${from.toISOString()})`);
  }
  const budget = {
    maxDocuments: requireNumber('--max-documents', options.maxDocuments, 1, true),
    maxMs: requireNumber('--max-seconds', options.maxSeconds, 0.001, false) * 1000,
    maxMatches: requireNumber('--max-matches', options.maxMatches, 0, true),
    maxHosts: 100,
  };
  const loaded = await loadRule(options);
  if ('problems' in loaded) {
    io.err.write(`${loaded.problems}\n`);
    return 1;
  }
  const { rule, ruleSet } = loaded;
  if (!isSingleEventRule(rule)) {
    io.err.write(
      `${rule.file}: ${rule.definition.id} is a ${rule.definition.type ?? 'single'} rule: preview runs single-event rules (try shellwatch eval)\n`,
    );
    return 1;
  }
  const { client, index } = connection(options, io.env);
  try {
    const scan = await CommandsScan.open(client, {
      index,
      from,
      to,
      pageSize: PREVIEW_PAGE_SIZE,
      limit: budget.maxDocuments,
      deadline: Date.now() + budget.maxMs,
      paging: options.pit ? 'auto' : 'search-after',
    });
    try {
      const outcome = await runPreview(scan, previewEvaluator(ruleSet, rule), {
        budget,
        now: () => performance.now(),
        onProgress: progressWriter(io.err),
      });
      const answer = previewAnswer({
        rule,
        index,
        range: { from, to },
        budget,
        paging: scan.mode,
        outcome,
        notes: ruleNotes(rule),
      });
      io.out.write(
        options.json === true ? `${JSON.stringify(answer, null, 2)}\n` : summary(answer),
      );
      return 0;
    } finally {
      await scan.close();
    }
  } catch (error) {
    io.err.write(`shellwatch: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

function requireTime(flag: string, text: string, nowMs: number): Date {
  const time = parsePreviewTime(text, nowMs);
  if (time === undefined)
    throw new CliUsageError(`${flag} ${text}: expected ${PREVIEW_TIME_FORMS}`);
  return time;
}

function requireNumber(flag: string, text: string, min: number, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new CliUsageError(
      `${flag} ${text}: expected ${integer ? 'an integer' : 'a number'} >= ${min}`,
    );
  }
  return value;
}

/** The client and index from the service's configuration, --es and --index winning. */
function connection(
  options: PreviewCliOptions,
  env: Readonly<Record<string, string | undefined>>,
): { client: Client; index: string } {
  const config = loadServiceConfig(env);
  const index = options.index ?? config.elasticsearch.commandsIndex;
  if (index === null || index === '') {
    throw new CliUsageError('no commands index: ES_COMMANDS_INDEX is empty; name one with --index');
  }
  let connectionOptions;
  try {
    connectionOptions = elasticsearchConnectionOptions(
      {
        node: options.es ?? config.elasticsearch.node,
        apiKey: config.elasticsearch.apiKey,
        username: config.elasticsearch.username,
        password: config.elasticsearch.password,
        caFile: config.elasticsearch.caFile,
        tlsVerify: config.elasticsearch.tlsVerify,
      },
      (path) => readFileSync(path, 'utf8'),
    );
  } catch (error) {
    throw new CliUsageError(`--es ${options.es ?? ''}: ${errorMessage(error)}`);
  }
  const client = new Client({ ...connectionOptions, maxRetries: 0, requestTimeout: 30_000 });
  return { client, index };
}

type LoadedPreviewRule = { rule: LoadedRule; ruleSet: RuleSet } | { problems: string };

/** The rule of --id (from the rules folder) or --rule (a file, with the folder's lists). */
async function loadRule(options: PreviewCliOptions): Promise<LoadedPreviewRule> {
  if ((options.rule === undefined) === (options.id === undefined)) {
    throw new CliUsageError('give either --rule FILE or --id ID');
  }
  if (options.id !== undefined) {
    const loaded = await loadRulesOrExplain(options.rules);
    if ('problems' in loaded) return loaded;
    const rule = loaded.rules.find((r) => r.definition.id === options.id);
    if (rule === undefined) throw new CliUsageError(`no rule ${options.id} in ${options.rules}`);
    return { rule, ruleSet: loaded.ruleSet };
  }
  const path = options.rule as string;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`cannot read ${path}: ${errorMessage(error)}`);
  }
  // Named lists come from the rules folder when there is one, as for a file inside it.
  const lists = await readRuleFolder(options.rules).then(
    (folder) => folder.lists,
    () => [],
  );
  const checker = new RegexChecker({ concurrency: ANALYSIS_CONCURRENCY });
  try {
    const result = await loadCheckedRuleSet(checker, [{ path: basename(path), text }], lists);
    if (!result.ok) return { problems: formatRuleProblems(result.errors) };
    const rule = result.rules[0];
    if (rule === undefined) return { problems: `${path}: no rule` };
    return { rule, ruleSet: result.ruleSet };
  } finally {
    checker.close();
  }
}

/** Writes a progress line at most once a second, after the first second. */
function progressWriter(err: PreviewCliIo['err']): (progress: PreviewProgress) => void {
  let last = 0;
  return (progress) => {
    if (progress.elapsedMs - last < PROGRESS_EVERY_MS) return;
    last = progress.elapsedMs;
    const of = progress.total === null ? '' : ` of ${count(progress.total)}`;
    const rate = count(Math.round((progress.scanned / progress.elapsedMs) * 1000));
    const line = `scanned ${count(progress.scanned)}${of} documents, ${count(progress.matched)} matches, ${(progress.elapsedMs / 1000).toFixed(1)} s (${rate}/s)`;
    err.write(err.isTTY === true ? `\r${line}\u001b[K` : `${line}\n`);
  };
}

/** The answer for a person: what was read, how fast, what matched where, and the notes. */
export function summary(answer: PreviewAnswer): string {
  const lines: string[] = [];
  const seconds = answer.tookMs / 1000;
  const rate = seconds > 0 ? ` (${count(Math.round(answer.scanned / seconds))} documents/s)` : '';
  lines.push(
    `${answer.ruleId}${answer.enabled ? '' : ' (disabled)'} over ${answer.index}, ${answer.from} to ${answer.to}`,
    `scanned ${count(answer.scanned)}${answer.total === null ? '' : ` of ${count(answer.total)}`} documents in ${seconds.toFixed(1)} s${rate}, paging: ${answer.paging}`,
    answer.stoppedBy === null
      ? 'read the whole range'
      : answer.stoppedBy === 'documents'
        ? `STOPPED by the document budget (${count(answer.budget.maxDocuments)}): the counts cover part of the range`
        : `STOPPED by the time budget (${answer.budget.maxSeconds} s): the counts cover part of the range`,
    `matched ${count(answer.matched)}`,
  );
  if (answer.perDay.length > 0) {
    lines.push('per day:');
    for (const { day, count: n } of answer.perDay) lines.push(`  ${day}  ${count(n)}`);
  }
  if (answer.perHost.length > 0) {
    lines.push('per host:');
    const width = Math.max(...answer.perHost.map((h) => h.host.length));
    for (const { host, count: n } of answer.perHost)
      lines.push(`  ${host.padEnd(width)}  ${count(n)}`);
    if (answer.otherHosts.hosts > 0) {
      lines.push(`  (${answer.otherHosts.hosts} more hosts: ${count(answer.otherHosts.matches)})`);
    }
  }
  if (answer.matches.length > 0) {
    lines.push(`first ${answer.matches.length} matches:`);
    for (const match of answer.matches) {
      lines.push(
        `  ${match['@timestamp']}  ${match.host ?? '-'}  ${match.user ?? '-'}  ${match.commandLine}`,
      );
    }
  }
  if (answer.notes.length > 0) {
    lines.push('notes:');
    for (const note of answer.notes) lines.push(`  - ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
