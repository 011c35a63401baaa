import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDocuments, testElasticsearch, uniqueIndex } from '../support/elasticsearch';
import { createTopic, uniqueName } from '../support/kafka';
import { ServiceProcess } from '../support/service';
import { REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * Issue 22, access and audit, against the built service, Kafka and Elasticsearch:
 * named keys with roles (API_KEYS_FILE beside the single API_KEY), reads behind a
 * key unless opened, one audit document per change naming the key, and the
 * filters and pages of GET /rules over the bundled rule set.
 */
const DEFAULT_KEY = 'e2e-default-key-2c8e41f07b';
const WRITE_KEY = 'e2e-ci-deploy-key-93d1a5e6c0';
const READ_KEY = 'e2e-grafana-key-51f0b7d2a4';
const KEYS_FILE = {
  'ci-deploy': { key: WRITE_KEY, roles: ['write'] },
  grafana: { key: READ_KEY, roles: ['read'] },
};

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

interface RuleEntry {
  id: string;
  etag: string;
  rule: {
    id: string;
    name: string;
    description?: string;
    severity: string;
    tags?: string[];
    enabled: boolean;
  };
}

interface AuditSource {
  '@timestamp': string;
  event: { kind: string; category: string[]; type: string[]; action: string };
  user: { name: string };
  rule: { id: string };
  shellwatch: {
    audit: { version_before: string | null; version_after: string | null; change: unknown };
  };
}

const NETCAT_RULE = {
  id: 'SW-NET-0001',
  name: 'Netcat listener',
  description: 'nc started in listen mode, a bind shell or an exfiltration sink.',
  severity: 'high',
  tags: ['command-and-control'],
  conditions: {
    all: [
      {
        fact: 'commands',
        operator: 'anyCommand',
        value: { program: 'nc', hasFlags: ['l|listen'] },
      },
    ],
  },
  examples: { match: ['nc -lvp 4444'], noMatch: ['nc example.com 80'] },
};

/** A service with its own topic, indices, rules folder and keys file. */
async function startService(
  rulesSource: string,
  extra: Record<string, string>,
): Promise<{ service: ServiceProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'shellwatch-access-'));
  cpSync(resolve(REPO_ROOT, rulesSource), join(dir, 'rules'), { recursive: true });
  writeFileSync(join(dir, 'keys.json'), JSON.stringify(KEYS_FILE));
  const topic = uniqueName('e2e-access');
  await createTopic(topic, 1);
  const service = new ServiceProcess({
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: uniqueName('e2e-access-group'),
    KAFKA_DLQ_TOPIC: `${topic}.dlq`,
    ES_ALERTS_INDEX: uniqueIndex('e2e-access-alerts'),
    ES_COMMANDS_INDEX: uniqueIndex('e2e-access-commands'),
    RULES_DIR: join(dir, 'rules'),
    API_KEY: DEFAULT_KEY,
    API_KEYS_FILE: join(dir, 'keys.json'),
    ...extra,
  }).start();
  await service.waitReady();
  return { service, dir };
}

function client(service: () => ServiceProcess) {
  return async (
    method: string,
    path: string,
    key: string | null,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${service().baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  };
}

function expectStatus(answer: Answer, status: number, message?: RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  if (message) expect(answer.body.message).toMatch(message);
}

describe('named keys with roles, and the audit trail', () => {
  const auditIndex = uniqueIndex('e2e-access-audit');
  let service: ServiceProcess;
  let dir: string;
  const api = client(() => service);

  beforeAll(async () => {
    ({ service, dir } = await startService('test/fixtures/rules/basic', {
      ES_AUDIT_INDEX: auditIndex,
    }));
  });

  afterAll(async () => {
    await service?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lets a read key read, validate and test, and refuses it every change with 403', async () => {
    expectStatus(await api('GET', '/rules', READ_KEY), 200);
    expectStatus(await api('GET', '/rules/SW-DST-0001', READ_KEY), 200);
    expectStatus(await api('GET', '/rules/status', READ_KEY), 200);
    const validate = await api('POST', '/rules/validate', READ_KEY, { body: NETCAT_RULE });
    expectStatus(validate, 200);
    expect(validate.body.valid).toBe(true);
    const test = await api('POST', '/rules/test', READ_KEY, {
      body: { ruleId: 'SW-DST-0001', commands: ['rm -rf /'] },
    });
    expectStatus(test, 200);

    const file = join(dir, 'rules/destruction/SW-DST-0001.json');
    const before = readFileSync(file, 'utf8');
    const refused = /the key "grafana" has the role read; this needs write/;
    expectStatus(await api('POST', '/rules', READ_KEY, { body: NETCAT_RULE }), 403, refused);
    expectStatus(
      await api('PUT', '/rules/SW-DST-0001', READ_KEY, {
        body: { ...NETCAT_RULE, id: 'SW-DST-0001' },
      }),
      403,
      refused,
    );
    expectStatus(
      await api('PATCH', '/rules/SW-DST-0001', READ_KEY, { body: { enabled: false } }),
      403,
      refused,
    );
    expectStatus(await api('DELETE', '/rules/SW-DST-0001', READ_KEY), 403, refused);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expectStatus(await api('GET', '/rules/SW-NET-0001', READ_KEY), 404);
  });

  it('answers 401 without a key or with an unknown one, on reads as on changes; health stays open', async () => {
    for (const [method, path] of [
      ['GET', '/rules'],
      ['GET', '/rules/SW-DST-0001'],
      ['GET', '/rules/status'],
      ['POST', '/rules/validate'],
      ['DELETE', '/rules/SW-DST-0001'],
    ] as const) {
      const none = await api(method, path, null, method === 'POST' ? { body: NETCAT_RULE } : {});
      expectStatus(none, 401, /missing API key/);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectStatus(await api(method, path, `${READ_KEY}x`), 401, /invalid API key/);
    }
    expectStatus(await api('GET', '/health/ready', null), 200);
    expect((await fetch(`${service.baseUrl}/metrics`)).status).toBe(200);
  });

  it('records exactly one audit document per change, with the name of the key used', async () => {
    // Every kind of change, by the two write keys; refused changes in between record nothing.
    const created = await api('POST', '/rules', WRITE_KEY, { body: NETCAT_RULE });
    expectStatus(created, 201);
    expectStatus(await api('POST', '/rules', READ_KEY, { body: NETCAT_RULE }), 403);
    expectStatus(await api('POST', '/rules', WRITE_KEY, { body: NETCAT_RULE }), 409);
    const replacement = { ...NETCAT_RULE, name: 'Netcat in listen mode' };
    expectStatus(await api('PUT', '/rules/SW-NET-0001', DEFAULT_KEY, { body: replacement }), 200);
    expectStatus(
      await api('PATCH', '/rules/SW-NET-0001', WRITE_KEY, { body: { severity: 'critical' } }),
      200,
    );
    expectStatus(
      await api('PATCH', '/rules/SW-NET-0001', WRITE_KEY, { body: { severity: 'severe' } }),
      400,
    );
    expectStatus(
      await api('PATCH', '/rules/SW-NET-0001', WRITE_KEY, { body: { enabled: false } }),
      200,
    );
    const enabled = await api('PATCH', '/rules/SW-NET-0001', DEFAULT_KEY, {
      body: { enabled: true },
    });
    expectStatus(enabled, 200);
    expectStatus(await api('DELETE', '/rules/SW-NET-0001', WRITE_KEY), 204);
    expectStatus(await api('DELETE', '/rules/SW-NET-0001', WRITE_KEY), 404);

    const documents = await waitFor(
      'the audit document of the deletion',
      () => allDocuments<AuditSource>(auditIndex),
      (docs) => docs.some((doc) => doc.source.event.action === 'rule-deleted'),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const trail = documents
      .map((doc) => doc.source)
      .sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
    expect(trail.map((doc) => [doc.event.action, doc.event.type[0], doc.user.name])).toEqual([
      ['rule-created', 'creation', 'ci-deploy'],
      ['rule-replaced', 'change', 'default'],
      ['rule-patched', 'change', 'ci-deploy'],
      ['rule-disabled', 'change', 'ci-deploy'],
      ['rule-enabled', 'change', 'default'],
      ['rule-deleted', 'deletion', 'ci-deploy'],
    ]);
    expect(new Set(documents.map((doc) => doc.id)).size).toBe(6);
    for (const doc of trail) {
      expect(doc.event.kind).toBe('event');
      expect(doc.event.category).toEqual(['configuration']);
      expect(doc.rule.id).toBe('SW-NET-0001');
    }
    // The versions chain: each change starts from the version the previous one left.
    expect(trail[0]!.shellwatch.audit.version_before).toBeNull();
    expect(trail[0]!.shellwatch.audit.version_after).toBe(created.body.etag);
    for (let i = 1; i < trail.length; i++) {
      expect(trail[i]!.shellwatch.audit.version_before).toBe(
        trail[i - 1]!.shellwatch.audit.version_after,
      );
    }
    expect(trail[4]!.shellwatch.audit.version_after).toBe(enabled.body.etag);
    expect(trail[5]!.shellwatch.audit.version_after).toBeNull();
    // The change itself: the new document, or the patch; never a key.
    expect(trail[0]!.shellwatch.audit.change).toEqual(NETCAT_RULE);
    expect(trail[1]!.shellwatch.audit.change).toEqual(replacement);
    expect(trail[2]!.shellwatch.audit.change).toEqual({ severity: 'critical' });
    expect(trail[3]!.shellwatch.audit.change).toEqual({ enabled: false });
    expect(trail[5]!.shellwatch.audit.change).toBeNull();
    const text = JSON.stringify(documents);
    for (const key of [DEFAULT_KEY, WRITE_KEY, READ_KEY]) expect(text).not.toContain(key);

    // The index template gave the index its mapping: names are keywords, changes are not indexed.
    const mapping = await testElasticsearch.indices.getMapping({ index: auditIndex });
    const properties = mapping[auditIndex]!.mappings.properties!;
    expect(properties.user).toMatchObject({ properties: { name: { type: 'keyword' } } });
    expect(properties.shellwatch).toMatchObject({
      properties: { audit: { properties: { change: { type: 'object', enabled: false } } } },
    });
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^shellwatch_audit_documents_total\{outcome="written"\} 6$/m);
    expect(metrics).toMatch(/^shellwatch_audit_documents_total\{outcome="dropped"\} 0$/m);
  });
});

describe('reads opened (API_READS_OPEN=true), filters and pages over the bundled rules', () => {
  let service: ServiceProcess;
  let dir: string;
  const api = client(() => service);
  let all: RuleEntry[] = [];

  beforeAll(async () => {
    ({ service, dir } = await startService('rules', { API_READS_OPEN: 'true' }));
    // One disabled rule, so that enabled=false has something to find.
    expectStatus(
      await api('PATCH', '/rules/SW-DST-0001', WRITE_KEY, { body: { enabled: false } }),
      200,
    );
    all = await readAllPages(100);
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Every rule, following nextOffset from the first page. */
  async function readAllPages(limit: number, query = ''): Promise<RuleEntry[]> {
    const rules: RuleEntry[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const page = await api('GET', `/rules?limit=${limit}&offset=${offset}${query}`, null);
      expectStatus(page, 200);
      expect(page.body.offset).toBe(offset);
      rules.push(...(page.body.rules as RuleEntry[]));
      offset = page.body.nextOffset as number | null;
    }
    return rules;
  }

  it('lets anyone read the rules, and no one change or dry-run without a key', async () => {
    expectStatus(await api('GET', '/rules/SW-DST-0001', null), 200);
    expectStatus(await api('GET', '/rules/status', null), 200);
    expectStatus(await api('PATCH', '/rules/SW-DST-0001', null, { body: { enabled: true } }), 401);
    expectStatus(await api('POST', '/rules/validate', null, { body: NETCAT_RULE }), 401);
    expectStatus(
      await api('PATCH', '/rules/SW-DST-0001', READ_KEY, { body: { enabled: true } }),
      403,
    );
  });

  it('pages through every rule exactly once, in id order', async () => {
    const status = await api('GET', '/rules/status', null);
    const count = status.body.ruleCount as number;
    expect(count).toBeGreaterThan(50);
    expect(all.map((rule) => rule.id)).toHaveLength(count);
    const ids = all.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(count);
    expect([...ids].sort()).toEqual(ids);
    const paged = await readAllPages(7);
    expect(paged.map((rule) => rule.id)).toEqual(ids);
    const first = await api('GET', '/rules', null);
    expect(first.body).toMatchObject({ total: count, limit: 100, offset: 0 });
  });

  it('filters by severity, tag, enabled and text, as the rules say', async () => {
    const expectIds = async (query: string, keep: (rule: RuleEntry['rule']) => boolean) => {
      const expected = all.filter((entry) => keep(entry.rule)).map((entry) => entry.id);
      expect(
        expected.length,
        `no rule for ${query}: a filter test must be able to fail`,
      ).toBeGreaterThan(0);
      const got = await readAllPages(500, `&${query}`);
      expect(
        got.map((entry) => entry.id),
        query,
      ).toEqual(expected);
      const first = await api('GET', `/rules?${query}&limit=1`, null);
      expect(first.body.total).toBe(expected.length);
    };
    await expectIds('severity=critical', (rule) => rule.severity === 'critical');
    await expectIds('severity=low,medium', (rule) => ['low', 'medium'].includes(rule.severity));
    await expectIds('severity=low&severity=medium', (rule) =>
      ['low', 'medium'].includes(rule.severity),
    );
    const tag = all.find((entry) => (entry.rule.tags ?? []).length > 0)!.rule.tags![0]!;
    await expectIds(`tag=${encodeURIComponent(tag)}`, (rule) => (rule.tags ?? []).includes(tag));
    await expectIds('enabled=false', (rule) => !rule.enabled);
    await expectIds(
      'enabled=true&severity=critical',
      (rule) => rule.enabled && rule.severity === 'critical',
    );
    await expectIds('q=SUDO', (rule) =>
      [rule.id, rule.name, rule.description ?? ''].join('\n').toLowerCase().includes('sudo'),
    );
    const none = await api('GET', '/rules?q=no-rule-says-this-xyzzy', null);
    expect(none.body).toMatchObject({ count: 0, total: 0, rules: [], nextOffset: null });
  });

  it('refuses a malformed filter or page with a 400 that says what is expected', async () => {
    expectStatus(
      await api('GET', '/rules?severity=severe', null),
      400,
      /severity="severe": expected one of/,
    );
    expectStatus(
      await api('GET', '/rules?limit=100000', null),
      400,
      /limit="100000": expected a whole number from 1 to 500/,
    );
    expectStatus(await api('GET', '/rules?offset=-3', null), 400, /offset="-3"/);
    expectStatus(
      await api('GET', '/rules?enabled=maybe', null),
      400,
      /enabled="maybe": expected true or false/,
    );
    expectStatus(await api('GET', '/rules?sort=name', null), 400, /unknown query parameter "sort"/);
  });
});

describe('the audit trail while Elasticsearch refuses its writes', () => {
  const auditIndex = uniqueIndex('e2e-access-audit-blocked');
  let service: ServiceProcess;
  let dir: string;
  const api = client(() => service);

  beforeAll(async () => {
    ({ service, dir } = await startService('test/fixtures/rules/basic', {
      ES_AUDIT_INDEX: auditIndex,
      RETRY_MAX_DELAY_MS: '1000',
    }));
  });

  afterAll(async () => {
    await testElasticsearch.indices
      .putSettings({ index: auditIndex, settings: { 'index.blocks.write': false } })
      .catch(() => undefined);
    await service?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${service.baseUrl}/metrics`)).text();
    const match = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text);
    return match ? Number(match[1]) : Number.NaN;
  }

  it('answers the change, keeps its document while writes are blocked, and writes it once after', async () => {
    await testElasticsearch.indices.putSettings({
      index: auditIndex,
      settings: { 'index.blocks.write': true },
    });
    const disabled = await api('PATCH', '/rules/SW-DST-0001', WRITE_KEY, {
      body: { enabled: false },
    });
    expectStatus(disabled, 200);
    await waitFor(
      'two failed attempts to write the audit document',
      () => metric('shellwatch_audit_write_failures_total'),
      (failures) => failures >= 2,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(await metric('shellwatch_audit_queue_documents')).toBe(1);
    expect(await metric('shellwatch_audit_documents_total{outcome="written"}')).toBe(0);
    expect(service.logs()).toMatch(/audit trail: cannot write to e2e-access-audit-blocked/);

    await testElasticsearch.indices.putSettings({
      index: auditIndex,
      settings: { 'index.blocks.write': false },
    });
    await waitFor(
      'the queued audit document to be written',
      () => metric('shellwatch_audit_queue_documents'),
      (queued) => queued === 0,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const documents = await allDocuments<AuditSource>(auditIndex);
    expect(documents.map((doc) => [doc.source.event.action, doc.source.user.name])).toEqual([
      ['rule-disabled', 'ci-deploy'],
    ]);
    expect(documents[0]!.source.shellwatch.audit.version_after).toBe(disabled.body.etag);
    expect(await metric('shellwatch_audit_documents_total{outcome="written"}')).toBe(1);
    expect(await metric('shellwatch_audit_documents_total{outcome="dropped"}')).toBe(0);
  });
});
