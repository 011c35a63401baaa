import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueIndex } from '../support/elasticsearch';
import { createTopic, uniqueName } from '../support/kafka';
import { ServiceProcess } from '../support/service';
import { REPO_ROOT } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * The rules REST API through HTTP, against the built service as a child process
 * with its own copy of the basic rule fixtures. Every assertion is what a client
 * sees (status, headers, body) and what lands on disk.
 */
const API_KEY = 'e2e-key-4f1c9a-7d3b2e';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

function tempRulesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shellwatch-api-'));
  const rules = join(dir, 'rules');
  cpSync(resolve(REPO_ROOT, 'test/fixtures/rules/basic'), rules, { recursive: true });
  return rules;
}

/** A service on its own topic (created first: readiness waits for it), group and indices. */
async function startService(
  rulesDir: string,
  extra: Record<string, string>,
): Promise<ServiceProcess> {
  const topic = uniqueName('e2e-api');
  await createTopic(topic, 1);
  const service = new ServiceProcess(serviceEnv(topic, rulesDir, extra)).start();
  await service.waitReady();
  return service;
}

function serviceEnv(
  topic: string,
  rulesDir: string,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: uniqueName('e2e-api-group'),
    KAFKA_DLQ_TOPIC: `${topic}.dlq`,
    ES_ALERTS_INDEX: uniqueIndex('e2e-api-alerts'),
    ES_COMMANDS_INDEX: uniqueIndex('e2e-api-commands'),
    RULES_DIR: rulesDir,
    ...extra,
  };
}

function client(service: () => ServiceProcess) {
  return async (
    method: string,
    path: string,
    options: {
      body?: unknown;
      raw?: string;
      key?: string | null;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? API_KEY : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined = options.raw;
    if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${service().baseUrl}${path}`, {
      method,
      headers,
      body: payload,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  };
}

function etagOfFile(path: string): string {
  return `"${createHash('sha256').update(readFileSync(path)).digest('base64url')}"`;
}

/** Every file under a folder, relative, sorted: what is on disk. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

const NETCAT_RULE = {
  id: 'SW-NET-0001',
  name: 'Netcat listener',
  description: 'nc started in listen mode, a bind shell or an exfiltration sink.',
  severity: 'high',
  tags: ['command-and-control'],
  mitre: ['T1095'],
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

function expectError(answer: Answer, status: number, message: RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.statusCode).toBe(status);
  expect(typeof answer.body.error).toBe('string');
  expect(answer.body.message).toMatch(message);
  expect(JSON.stringify(answer.body)).not.toMatch(/at .*\.js:\d+/);
}

describe('rules REST API', () => {
  const rulesDir = tempRulesDir();
  let service: ServiceProcess;
  const api = client(() => service);

  beforeAll(async () => {
    service = await startService(rulesDir, { API_KEY });
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(resolve(rulesDir, '..'), { recursive: true, force: true });
  });

  it('lists the active rules and their status to a key', async () => {
    const list = await api('GET', '/rules');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      count: 3,
      total: 3,
      offset: 0,
      limit: 100,
      nextOffset: null,
    });
    expect(list.body.hash).toMatch(/^[0-9a-f]{64}$/);
    const ids = (list.body.rules as { id: string }[]).map((rule) => rule.id);
    expect(ids).toEqual(['SW-DST-0001', 'SW-EXE-0001', 'SW-EXE-0002']);

    const status = await api('GET', '/rules/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      ruleCount: 3,
      enabledCount: 3,
      hash: list.body.hash,
      lastErrors: [],
    });
    expect(Date.parse(String(status.body.loadedAt))).not.toBeNaN();
  });

  it('serves the OpenAPI document at /docs-json and its UI at /docs', async () => {
    const json = await api('GET', '/docs-json', { key: null });
    expect(json.status).toBe(200);
    expect(Object.keys(json.body.paths as object)).toEqual(
      expect.arrayContaining(['/rules', '/rules/{id}', '/rules/status', '/rules/test']),
    );
    const ui = await fetch(`${service.baseUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
  });

  it('answers a method a known path does not have with 405 and Allow, OPTIONS with 204', async () => {
    // (fetch refuses TRACE; src/api/method-not-allowed.spec.ts has it.)
    const patch = await api('PATCH', '/rules/status', { body: {}, key: null });
    expectError(patch, 405, /PATCH is not allowed on \/rules\/status/);
    expect(patch.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    const put = await api('PUT', '/rules/status', { body: NETCAT_RULE });
    expectError(put, 405, /not allowed/);
    const post = await api('POST', '/rules/SW-DST-0001', { body: NETCAT_RULE });
    expectError(post, 405, /not allowed/);
    expect(post.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PATCH, PUT');
    const options = await api('OPTIONS', '/rules', { key: null });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
    expectError(await api('PATCH', '/nowhere', { key: null }), 404, /Cannot PATCH/);
  });

  it('answers a rule with the ETag of its file', async () => {
    const answer = await api('GET', '/rules/SW-DST-0001');
    expect(answer.status).toBe(200);
    const etag = etagOfFile(join(rulesDir, 'destruction/SW-DST-0001.json'));
    expect(answer.headers.get('etag')).toBe(etag);
    expect(answer.body).toMatchObject({
      id: 'SW-DST-0001',
      file: 'destruction/SW-DST-0001.json',
      etag,
      rule: { id: 'SW-DST-0001', severity: 'critical', enabled: true, version: 1 },
    });
    expectError(await api('GET', '/rules/SW-XYZ-0001'), 404, /not in the active rule set/);
  });

  describe('authentication of changes and dry runs', () => {
    const writes: [string, string, unknown][] = [
      ['POST', '/rules', NETCAT_RULE],
      ['PUT', '/rules/SW-DST-0001', { name: 'x' }],
      ['PATCH', '/rules/SW-DST-0001', { enabled: false }],
      ['DELETE', '/rules/SW-DST-0001', undefined],
      // Reading the detection logic needs a key since issue 22 (test/e2e/access-audit.e2e-spec.ts).
      ['GET', '/rules', undefined],
      ['GET', '/rules/SW-DST-0001', undefined],
      ['GET', '/rules/status', undefined],
      // Their regex analysis costs seconds of CPU: behind the key since issue 20.
      ['POST', '/rules/validate', NETCAT_RULE],
      ['POST', '/rules/test', { rule: NETCAT_RULE, commands: ['nc -lvp 4444'] }],
    ];

    it.each(writes)(
      '%s %s without a key is 401 and changes nothing',
      async (method, path, body) => {
        const before = filesUnder(rulesDir);
        const answer = await api(method, path, { body, key: null });
        expectError(answer, 401, /missing API key/);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(filesUnder(rulesDir)).toEqual(before);
      },
    );

    it.each(writes)('%s %s with a wrong key is 401', async (method, path, body) => {
      const before = filesUnder(rulesDir);
      expectError(await api(method, path, { body, key: `${API_KEY}x` }), 401, /invalid API key/);
      expectError(await api(method, path, { body, key: 'k' }), 401, /invalid API key/);
      expect(filesUnder(rulesDir)).toEqual(before);
    });

    it('does not take the key from another scheme', async () => {
      const answer = await api('POST', '/rules', {
        body: NETCAT_RULE,
        key: null,
        headers: { authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString('base64')}` },
      });
      expectError(answer, 401, /missing API key/);
    });
  });

  describe('request validation', () => {
    it('rejects an invalid rule with every problem and its JSON pointer (400)', async () => {
      const answer = await api('POST', '/rules', {
        body: {
          ...NETCAT_RULE,
          severity: 'severe',
          extra: 1,
          conditions: { all: [{ fact: 'nope', operator: 'equal', value: 1 }] },
        },
      });
      expectError(answer, 400, /the rule is invalid/);
      const pointers = (answer.body.problems as { pointer: string }[]).map((p) => p.pointer);
      expect(pointers).toEqual(
        expect.arrayContaining(['/severity', '/extra', '/conditions/all/0/fact']),
      );
      expect(existsSync(join(rulesDir, 'custom'))).toBe(false);
    });

    it('rejects a body without an id, or not an object', async () => {
      const { id: _id, ...noId } = NETCAT_RULE;
      const answer = await api('POST', '/rules', { body: noId });
      expectError(answer, 400, /the rule is invalid/);
      expect(answer.body.problems).toEqual(
        expect.arrayContaining([{ pointer: '', message: 'missing required property "id"' }]),
      );
      expectError(await api('POST', '/rules', { body: [NETCAT_RULE] }), 400, /JSON object/);
      expectError(await api('PATCH', '/rules/SW-DST-0001', { raw: '"enabled"' }), 400, /JSON/);
    });

    it('refuses a dry run without a JSON object, or with an unknown property (400)', async () => {
      expectError(await api('POST', '/rules/validate', {}), 400, /JSON object/);
      expectError(
        await api('POST', '/rules/validate', { body: [NETCAT_RULE] }),
        400,
        /JSON object/,
      );
      const extra = await api('POST', '/rules/test', {
        body: { ruleId: 'SW-DST-0001', commands: ['ls'], grace: 1 },
      });
      expectError(extra, 400, /unknown property: "grace"/);
      expect(extra.body.problems).toEqual([{ pointer: '/grace', message: 'unknown property' }]);
    });

    it('refuses a body nested 10,000 levels deep with 400, not a stack overflow', async () => {
      const deep = `${'{"all":['.repeat(10_000)}${']}'.repeat(10_000)}`;
      const bodies: [string, string, string][] = [
        ['POST', '/rules/validate', `{"id":"SW-NET-0001","conditions":${deep}}`],
        ['POST', '/rules/test', `{"rule":{"conditions":${deep}},"commands":["ls"]}`],
        ['POST', '/rules', `{"id":"SW-NET-0001","conditions":${deep}}`],
        ['PATCH', '/rules/SW-DST-0001', `{"conditions":${deep}}`],
      ];
      const before = filesUnder(rulesDir);
      for (const [method, path, raw] of bodies) {
        expectError(await api(method, path, { raw }), 400, /nested deeper than 64 levels/);
      }
      expect(filesUnder(rulesDir)).toEqual(before);
    });

    it('refuses a PATCH carrying __proto__ with 400, as POST does', async () => {
      const file = join(rulesDir, 'destruction/SW-DST-0001.json');
      const before = readFileSync(file, 'utf8');
      const answer = await api('PATCH', '/rules/SW-DST-0001', {
        raw: '{"__proto__": {"enabled": false}}',
      });
      expectError(answer, 400, /the rule is invalid/);
      expect(answer.body.problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ pointer: '/__proto__' })]),
      );
      expect(readFileSync(file, 'utf8')).toBe(before);
      const post = await api('POST', '/rules', {
        raw: JSON.stringify(NETCAT_RULE).replace('{', '{"__proto__":{"x":1},'),
      });
      expectError(post, 400, /the rule is invalid/);
    });

    it('answers malformed JSON with 400, not 500', async () => {
      expectError(await api('POST', '/rules', { raw: '{"id": "SW-NET-0001",' }), 400, /JSON/);
      expectError(await api('POST', '/rules/validate', { raw: '{bad' }), 400, /JSON/);
      expectError(
        await api('PATCH', '/rules/SW-DST-0001', {
          raw: '{enabled: false}',
          headers: { 'content-type': 'application/merge-patch+json' },
        }),
        400,
        /JSON/,
      );
    });

    it('refuses a body over 256 KiB with 413', async () => {
      const answer = await api('POST', '/rules', {
        body: { ...NETCAT_RULE, description: 'x'.repeat(300 * 1024) },
      });
      expectError(answer, 413, /larger than 262144 bytes/);
      const validate = await api('POST', '/rules/validate', {
        body: { ...NETCAT_RULE, description: 'x'.repeat(300 * 1024) },
      });
      expectError(validate, 413, /256 KiB/);
    });

    it('validates a rule body without saving it', async () => {
      const valid = await api('POST', '/rules/validate', { body: NETCAT_RULE });
      expect(valid.status).toBe(200);
      expect(valid.body).toEqual({ valid: true, problems: [], exampleFailures: [] });

      const invalid = await api('POST', '/rules/validate', {
        body: { ...NETCAT_RULE, severity: 'severe', conditions: { any: [] } },
      });
      expect(invalid.status).toBe(200);
      expect(invalid.body.valid).toBe(false);
      const pointers = (invalid.body.problems as { pointer: string }[]).map((p) => p.pointer);
      expect(pointers).toEqual(expect.arrayContaining(['/severity', '/conditions/any']));

      const wrongExample = await api('POST', '/rules/validate', {
        body: { ...NETCAT_RULE, examples: { match: ['nc example.com 80'] } },
      });
      expect(wrongExample.body).toMatchObject({
        valid: true,
        exampleFailures: [{ pointer: '/examples/match/0', kind: 'match' }],
      });
      expect(existsSync(join(rulesDir, 'custom'))).toBe(false);
    });
  });

  describe('path traversal in ids', () => {
    const attempts = [
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'SW-DST-0001%2F..%2F..%2F..%2Fx',
      '..%5C..%5Cwindows',
      'SW-DST-0001.json',
      '%00SW-DST-0001',
      `SW-${'A'.repeat(260)}-0001`,
    ];

    it.each(attempts)('GET, PUT, PATCH, DELETE /rules/%s are 400', async (id) => {
      const before = filesUnder(resolve(rulesDir, '..'));
      expectError(await api('GET', `/rules/${id}`), 400, /invalid rule id/);
      expectError(await api('PUT', `/rules/${id}`, { body: NETCAT_RULE }), 400, /invalid rule id/);
      expectError(
        await api('PATCH', `/rules/${id}`, { body: { enabled: false } }),
        400,
        /invalid rule id/,
      );
      expectError(await api('DELETE', `/rules/${id}`), 400, /invalid rule id/);
      expect(filesUnder(resolve(rulesDir, '..'))).toEqual(before);
    });

    it('refuses an id with a 260-character area in a body (400, not ENAMETOOLONG)', async () => {
      const before = filesUnder(resolve(rulesDir, '..'));
      const long = `SW-${'A'.repeat(260)}-0001`;
      const answer = await api('POST', '/rules', { body: { ...NETCAT_RULE, id: long } });
      expectError(answer, 400, /the rule is invalid/);
      expect(answer.body.problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ pointer: '/id' })]),
      );
      expectError(
        await api('POST', '/rules/test', { body: { ruleId: long, commands: ['ls'] } }),
        400,
        /invalid rule id/,
      );
      expect(filesUnder(resolve(rulesDir, '..'))).toEqual(before);
    });

    it('refuses an id in the body that is a path', async () => {
      const before = filesUnder(resolve(rulesDir, '..'));
      const answer = await api('POST', '/rules', {
        body: { ...NETCAT_RULE, id: '../../../tmp/SW-NET-0001' },
      });
      expectError(answer, 400, /the rule is invalid/);
      expect(answer.body.problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ pointer: '/id' })]),
      );
      expect(filesUnder(resolve(rulesDir, '..'))).toEqual(before);
    });
  });

  it('tests a rule body and an active rule on commands and events', async () => {
    const byBody = await api('POST', '/rules/test', {
      body: { rule: NETCAT_RULE, commands: ['nc -lvp 4444', 'nc example.com 80'] },
    });
    expect(byBody.status).toBe(200);
    expect(byBody.body).toMatchObject({
      ruleId: 'SW-NET-0001',
      enabled: true,
      results: [
        {
          index: 0,
          commandLine: 'nc -lvp 4444',
          matched: true,
          conditions: [{ fact: 'commands', operator: 'anyCommand' }],
        },
        { index: 1, commandLine: 'nc example.com 80', matched: false, conditions: [] },
      ],
    });

    const byId = await api('POST', '/rules/test', {
      body: {
        ruleId: 'SW-DST-0001',
        events: [
          { process: { command_line: 'sudo rm -rf /etc' }, user: { name: 'root' } },
          { process: { command_line: 'rm -rf ./build' } },
        ],
      },
    });
    expect(byId.status).toBe(200);
    expect((byId.body.results as { matched: boolean }[]).map((r) => r.matched)).toEqual([
      true,
      false,
    ]);

    const bad = await api('POST', '/rules/test', {
      body: { ruleId: 'SW-DST-0001', events: [{ process: {} }] },
    });
    expectError(bad, 400, /invalid test inputs/);
    expect(bad.body.problems).toEqual([
      expect.objectContaining({ pointer: '/events/0/process/command_line' }),
    ]);
    expectError(
      await api('POST', '/rules/test', { body: { commands: ['ls'] } }),
      400,
      /either "rule"/,
    );
  });

  it('create → GET → PATCH (disable) → PUT → DELETE, with the files on disk', async () => {
    // A new area goes under custom/.
    const created = await api('POST', '/rules', { body: NETCAT_RULE });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const file = join(rulesDir, 'custom/SW-NET-0001.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(NETCAT_RULE);
    expect(created.body).toMatchObject({
      id: 'SW-NET-0001',
      file: 'custom/SW-NET-0001.json',
      etag: etagOfFile(file),
      rule: { ...NETCAT_RULE, enabled: true, version: 1 },
    });
    expect(created.headers.get('etag')).toBe(etagOfFile(file));
    expect(filesUnder(rulesDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expectError(await api('POST', '/rules', { body: NETCAT_RULE }), 409, /already exists/);

    const read = await api('GET', '/rules/SW-NET-0001');
    expect(read.status).toBe(200);
    const firstEtag = read.headers.get('etag') ?? '';
    expect(firstEtag).toBe(etagOfFile(file));
    expect((await api('GET', '/rules/status')).body).toMatchObject({
      ruleCount: 4,
      enabledCount: 4,
    });

    const disabled = await api('PATCH', '/rules/SW-NET-0001', {
      body: { enabled: false, tags: null },
      headers: { 'content-type': 'application/merge-patch+json', 'if-match': firstEtag },
    });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    const { tags: _tags, ...untagged } = NETCAT_RULE;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...untagged, enabled: false });
    expect(disabled.body).toMatchObject({ rule: { enabled: false }, etag: etagOfFile(file) });
    expect(disabled.body.rule).not.toHaveProperty('tags');
    expect((await api('GET', '/rules/status')).body).toMatchObject({
      ruleCount: 4,
      enabledCount: 3,
    });

    // The old ETag is stale now: 412, and the file is untouched.
    const stale = await api('PUT', '/rules/SW-NET-0001', {
      body: { ...NETCAT_RULE, severity: 'critical' },
      headers: { 'if-match': firstEtag },
    });
    expectError(stale, 412, /changed since it was read/);
    expect(stale.body.etag).toBe(etagOfFile(file));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ severity: 'high' });
    // An invalid body is a 400 before any precondition is looked at (RFC 9110, 13.2.1).
    expectError(
      await api('PUT', '/rules/SW-NET-0001', {
        body: { ...NETCAT_RULE, severity: 'urgent' },
        headers: { 'if-match': firstEtag },
      }),
      400,
      /the rule is invalid/,
    );

    const { id: _id, ...withoutId } = NETCAT_RULE;
    const replaced = await api('PUT', '/rules/SW-NET-0001', {
      body: { ...withoutId, severity: 'critical', version: 2 },
      headers: { 'if-match': disabled.body.etag as string },
    });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      ...NETCAT_RULE,
      severity: 'critical',
      version: 2,
    });
    expectError(
      await api('PUT', '/rules/SW-NET-0001', { body: { ...NETCAT_RULE, id: 'SW-NET-0002' } }),
      400,
      /cannot change/,
    );

    expectError(
      await api('DELETE', '/rules/SW-NET-0001', { headers: { 'if-match': firstEtag } }),
      412,
      /changed since/,
    );
    expect(existsSync(file)).toBe(true);
    const deleted = await api('DELETE', '/rules/SW-NET-0001', {
      headers: { 'if-match': etagOfFile(file) },
    });
    expect(deleted.status).toBe(204);
    expect(existsSync(file)).toBe(false);
    expectError(await api('GET', '/rules/SW-NET-0001'), 404, /not in the active rule set/);
    expectError(await api('DELETE', '/rules/SW-NET-0001'), 404, /does not exist/);
    expect((await api('GET', '/rules/status')).body).toMatchObject({ ruleCount: 3 });
  });

  it('puts a new rule beside the rules of its id area', async () => {
    const rule = {
      ...NETCAT_RULE,
      id: 'SW-DST-0002',
      name: 'Wipe a disk',
      conditions: {
        all: [{ fact: 'commands', operator: 'anyCommand', value: { program: 'wipefs' } }],
      },
      examples: { match: ['wipefs -a /dev/sda'], noMatch: ['ls'] },
    };
    const created = await api('POST', '/rules', { body: rule });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.file).toBe('destruction/SW-DST-0002.json');
    expect(existsSync(join(rulesDir, 'destruction/SW-DST-0002.json'))).toBe(true);
    expect((await api('DELETE', '/rules/SW-DST-0002')).status).toBe(204);
  });

  it('shows a broken file in /rules/status, keeps the last good set, and blocks changes until fixed', async () => {
    const before = (await api('GET', '/rules/status')).body;
    const broken = join(rulesDir, 'execution/SW-EXE-0002.json');
    const good = readFileSync(broken, 'utf8');
    writeFileSync(broken, good.slice(0, good.length / 2));
    try {
      const status = await waitFor(
        'the broken file in /rules/status',
        async () => (await api('GET', '/rules/status')).body,
        (body) => (body.lastErrors as unknown[]).length > 0,
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(status).toMatchObject({
        ruleCount: before.ruleCount,
        hash: before.hash,
        loadedAt: before.loadedAt,
      });
      expect(status.lastErrors).toEqual([
        expect.objectContaining({ file: 'execution/SW-EXE-0002.json', pointer: '' }),
      ]);
      // The active set still has the rule that is broken on disk.
      expect((await api('GET', '/rules/SW-EXE-0002')).status).toBe(200);
      const blocked = await api('POST', '/rules', { body: NETCAT_RULE });
      expectError(blocked, 409, /other files/);
      expect(blocked.body.problems).toEqual([
        expect.objectContaining({ file: 'execution/SW-EXE-0002.json' }),
      ]);
      expect(existsSync(join(rulesDir, 'custom/SW-NET-0001.json'))).toBe(false);
    } finally {
      writeFileSync(broken, good);
    }
    await waitFor(
      'the fixed file to clear the errors',
      async () => (await api('GET', '/rules/status')).body,
      (body) => (body.lastErrors as unknown[]).length === 0,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  });
});

describe('rules REST API without any key, reads opened (API_READS_OPEN=true)', () => {
  const rulesDir = tempRulesDir();
  let service: ServiceProcess;
  const api = client(() => service);

  beforeAll(async () => {
    service = await startService(rulesDir, { API_READS_OPEN: 'true' });
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(resolve(rulesDir, '..'), { recursive: true, force: true });
  });

  it('refuses every change and dry run with 403 and says why, but reads', async () => {
    const before = filesUnder(rulesDir);
    for (const key of [null, API_KEY, '']) {
      expectError(await api('POST', '/rules', { body: NETCAT_RULE, key }), 403, /API_KEY/);
      expectError(
        await api('PATCH', '/rules/SW-DST-0001', { body: { enabled: false }, key }),
        403,
        /set API_KEY/,
      );
      expectError(await api('DELETE', '/rules/SW-DST-0001', { key }), 403, /API_KEY/);
      expectError(await api('POST', '/rules/validate', { body: NETCAT_RULE, key }), 403, /API_KEY/);
      expectError(
        await api('POST', '/rules/test', {
          body: { ruleId: 'SW-DST-0001', commands: ['ls'] },
          key,
        }),
        403,
        /API_KEY/,
      );
    }
    expect(filesUnder(rulesDir)).toEqual(before);
    expect((await api('GET', '/rules/SW-DST-0001', { key: null })).status).toBe(200);
    expect((await api('GET', '/rules', { key: null })).body.count).toBe(3);
    expect((await api('GET', '/rules/status', { key: null })).body.ruleCount).toBe(3);
  });
});

describe('rules REST API without any key, reads closed (the default)', () => {
  const rulesDir = tempRulesDir();
  let service: ServiceProcess;
  const api = client(() => service);

  beforeAll(async () => {
    service = await startService(rulesDir, {});
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(resolve(rulesDir, '..'), { recursive: true, force: true });
  });

  it('refuses reads of the rules with 403 that says how to open them; health stays open', async () => {
    for (const path of ['/rules', '/rules/SW-DST-0001', '/rules/status']) {
      expectError(await api('GET', path, { key: null }), 403, /API_READS_OPEN=true/);
    }
    expect((await api('GET', '/health/ready', { key: null })).status).toBe(200);
    expect((await fetch(`${service.baseUrl}/metrics`)).status).toBe(200);
  });
});
