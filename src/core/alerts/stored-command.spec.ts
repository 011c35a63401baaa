import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { buildCommandDocument } from './build-alert';
import { commandEventFromDocument } from './stored-command';

const FORMATS = join(__dirname, '../../../test/fixtures/formats');

/** Every event the golden decoder fixtures expect: each format, each shape of event. */
function fixtureEvents(): CommandEvent[] {
  const events: CommandEvent[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    const process = record['process'] as { command_line?: unknown } | undefined;
    if (typeof process?.command_line === 'string' && typeof record['log'] === 'object') {
      events.push(value as CommandEvent);
      return;
    }
    Object.values(record).forEach(visit);
  };
  for (const file of readdirSync(FORMATS).filter((name) => name.endsWith('.expected.json'))) {
    visit(JSON.parse(readFileSync(join(FORMATS, file), 'utf8')));
  }
  return events;
}

/** The document as Elasticsearch gives it back: JSON, through buildCommandDocument. */
function stored(event: CommandEvent): unknown {
  const document = buildCommandDocument(
    event,
    [],
    { topic: 'shell.commands', partition: 0, offset: '7' },
    '2026-12-07T10:00:00.000Z',
  );
  return JSON.parse(JSON.stringify(document));
}

describe('commandEventFromDocument', () => {
  const events = fixtureEvents();

  it('finds events of every format in the fixtures', () => {
    const formats = new Set(events.map((event) => event.log.source));
    expect(formats.size).toBeGreaterThanOrEqual(10);
  });

  it('gives back the event of every fixture exactly, from its command document', () => {
    for (const event of events) {
      expect(commandEventFromDocument(stored(event))).toEqual({
        ok: true,
        event: JSON.parse(JSON.stringify(event)) as CommandEvent,
      });
    }
  });

  it('leaves out arguments the document split from the line, keeps those of the input', () => {
    const base: CommandEvent = {
      '@timestamp': '2026-12-01T08:00:00.000Z',
      process: { command_line: 'tar czf /tmp/x.tgz /etc' },
      event: { original: '{}', module: 'ecs' },
      log: { source: 'ecs' },
    };
    const own = {
      ...base,
      process: { ...base.process, args: ['tar', 'czf', '/tmp/x.tgz', '/etc'] },
    };
    const filled = commandEventFromDocument(stored(base));
    const kept = commandEventFromDocument(stored(own));
    expect(filled.ok && filled.event.process.args).toBe(undefined);
    expect(kept.ok && kept.event.process.args).toEqual(['tar', 'czf', '/tmp/x.tgz', '/etc']);
  });

  it('reads documents older than args_from_command_line by their format', () => {
    const older = (source: string, args: string[]): unknown => ({
      '@timestamp': '2026-12-01T08:00:00.000Z',
      process: { command_line: 'id -u', args, name: 'id', args_count: args.length },
      event: { original: 'id -u', kind: 'event' },
      shellwatch: { log: { source } },
    });
    const argsOf = (document: unknown): string[] | undefined => {
      const result = commandEventFromDocument(document);
      return result.ok ? result.event.process.args : ['not ok'];
    };
    expect(argsOf(older('snoopy', ['id', '-u']))).toBe(undefined);
    expect(argsOf(older('auditd', ['id', '-u']))).toEqual(['id', '-u']);
    expect(argsOf(older('ecs', ['id', '-u']))).toBe(undefined);
    expect(argsOf(older('ecs', ['/usr/bin/id', '-u']))).toEqual(['/usr/bin/id', '-u']);
  });

  it('reads session, tty and log at the top level of documents before ECS 8.17', () => {
    const result = commandEventFromDocument({
      '@timestamp': '2026-11-20T08:00:00.000Z',
      process: { command_line: 'whoami' },
      event: { original: 'whoami', module: 'lines' },
      log: { source: 'lines' },
      session: { id: 's1' },
      tty: 'pts/1',
    });
    expect(result).toEqual({
      ok: true,
      event: {
        '@timestamp': '2026-11-20T08:00:00.000Z',
        process: { command_line: 'whoami' },
        event: { original: 'whoami', module: 'lines' },
        log: { source: 'lines' },
        session: { id: 's1' },
        tty: 'pts/1',
      },
    });
  });

  it('says why a document is not a command event', () => {
    expect(commandEventFromDocument(null)).toEqual({
      ok: false,
      problem: 'the document is not an object',
    });
    expect(commandEventFromDocument({ '@timestamp': 'x', process: {} })).toEqual({
      ok: false,
      problem: 'no process.command_line',
    });
    expect(commandEventFromDocument({ process: { command_line: 'ls' } })).toEqual({
      ok: false,
      problem: 'no @timestamp',
    });
  });
});
