import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRules } from '../../../test/support/repo-rules';
import { createRecordDecoder } from '../decode';
import type { CommandEvent, Severity } from '../event';
import { maxSeverity } from '../event';
import { formatRuleProblems, loadRuleSet } from '../rules';
import type { RuleMatch } from '../rules';
import {
  buildAlert,
  buildCommandDocument,
  kafkaFields,
  ruleFields,
  SEVERITY_SCORE,
} from './build-alert';
import type { RecordPosition } from './document-ids';
import { commandArgs, ECS_VERSION, PROCESS_START, processName, relatedFields } from './ecs';

/**
 * The document builders add fields in place instead of spreading copies (the record
 * path's cost, docs/performance.md "Record path"). Stored documents must not change:
 * every event of test/fixtures/formats, with the repo rules' matches, gives the same
 * JSON — same keys in the same order — as the spread-based definition below.
 */
const ROOT = join(__dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/formats');
const NOW = Date.UTC(2027, 0, 1, 0, 5, 0);
const CREATED = new Date(NOW).toISOString();

/** The definition the builders must keep to: how they were written with spreads. */
function spreadCommandFields(event: CommandEvent): {
  body: Record<string, unknown>;
  shellwatch: Record<string, unknown>;
} {
  const { session, tty, log, labels, process, event: own, ...rest } = event;
  const args = process.args ?? commandArgs(process.command_line);
  const name = processName(process.executable, args);
  const body: Record<string, unknown> = {
    ...rest,
    ecs: { version: ECS_VERSION },
    process: {
      ...process,
      ...(name === undefined ? {} : { name }),
      ...(args.length === 0 ? {} : { args, args_count: args.length }),
    },
    event: { ...own, ...PROCESS_START },
  };
  const related = relatedFields(event);
  if (related) body.related = related;
  if (labels) body.labels = labels;
  const shellwatch: Record<string, unknown> = { log: { source: log.source } };
  if (session) shellwatch.session = session;
  if (tty !== undefined) shellwatch.tty = tty;
  return { body, shellwatch };
}

function spreadAlert(event: CommandEvent, match: RuleMatch, position: RecordPosition): unknown {
  const command = spreadCommandFields(event);
  const described = ruleFields(match.rule);
  return {
    ...command.body,
    event: {
      ...(command.body.event as object),
      kind: 'alert',
      created: CREATED,
      severity: SEVERITY_SCORE[match.rule.severity],
    },
    ...described.body,
    shellwatch: {
      ...command.shellwatch,
      ...described.shellwatch,
      matched: match.matched,
      kafka: kafkaFields(position),
    },
  };
}

function spreadCommandDocument(
  event: CommandEvent,
  matches: RuleMatch[],
  position: RecordPosition,
): unknown {
  let severity: Severity | undefined;
  for (const match of matches) severity = maxSeverity(severity, match.rule.severity);
  const command = spreadCommandFields(event);
  const args = (command.body.process as { args?: unknown }).args;
  return {
    ...command.body,
    event: { ...(command.body.event as object), kind: 'event', created: CREATED },
    shellwatch: {
      ...command.shellwatch,
      ...(args === undefined ? {} : { args_from_command_line: event.process.args === undefined }),
      rule_ids: matches.map((m) => m.rule.id),
      alert_count: matches.length,
      ...(severity === undefined ? {} : { severity }),
      kafka: kafkaFields(position),
    },
  };
}

describe('document builders', async () => {
  const folder = await repoRules();
  const loaded = loadRuleSet(folder.rules, folder.lists);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const evaluator = loaded.evaluator;
  const encoder = new TextEncoder();

  function eventsOf(file: string): CommandEvent[] {
    const decoder = createRecordDecoder({
      clock: () => NOW,
      format: file === 'lines.input' ? 'lines' : 'auto',
      auditd: { timeoutMs: 1000 },
    });
    const events: CommandEvent[] = [];
    readFileSync(join(FIXTURES, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .forEach((line, i) => {
        const outcome = decoder.decode({ offset: String(i), value: encoder.encode(line) });
        if (outcome.kind === 'events') events.push(...outcome.events);
      });
    events.push(...decoder.flush(NOW + 60_000, true).events.map(({ event }) => event));
    return events;
  }

  const files = readdirSync(FIXTURES).filter(
    (file) => !file.endsWith('.expected.json') && file !== 'custom.input',
  );

  it.each(files)('builds the same JSON as the spread definition for %s', (file) => {
    const events = eventsOf(file);
    expect(events.length).toBeGreaterThan(0);
    events.forEach((event, i) => {
      const position: RecordPosition = { topic: 't', partition: 3, offset: String(i) };
      const matches = evaluator.evaluate(event);
      expect(JSON.stringify(buildCommandDocument(event, matches, position, CREATED))).toBe(
        JSON.stringify(spreadCommandDocument(event, matches, position)),
      );
      for (const match of matches) {
        expect(JSON.stringify(buildAlert(event, match, position, CREATED))).toBe(
          JSON.stringify(spreadAlert(event, match, position)),
        );
      }
    });
  });

  it('covers alerts, labels, sessions and given args among the fixtures', () => {
    const events = files.flatMap(eventsOf);
    expect(events.some((event) => evaluator.evaluate(event).length > 0)).toBe(true);
    expect(events.some((event) => event.labels !== undefined)).toBe(true);
    expect(events.some((event) => event.session !== undefined)).toBe(true);
    expect(events.some((event) => event.process.args !== undefined)).toBe(true);
  });
});
