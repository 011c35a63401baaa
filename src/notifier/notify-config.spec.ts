import { describe, expect, it } from 'vitest';
import { NotifyConfigError, parseNotifyConfig } from './notify-config';

const FILES: Record<string, string> = {
  '/s/slack-url': 'https://hooks.slack.example/services/T000/B000/SECRETSECRET\n',
  '/s/hook-url': 'http://127.0.0.1:20001/hook',
  '/s/token': 'tok-0123456789',
  '/s/empty': '  \n',
  '/s/not-a-url': 'hooks.example/nope',
};

function read(path: string): string {
  const content = FILES[path];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return content;
}

function parse(config: unknown): ReturnType<typeof parseNotifyConfig> {
  return parseNotifyConfig('/etc/notify.json', JSON.stringify(config), read);
}

function problems(config: unknown): string[] {
  try {
    parse(config);
  } catch (error) {
    if (error instanceof NotifyConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

const GOOD = {
  outputs: {
    'ops-slack': { type: 'slack', urlFile: '/s/slack-url' },
    siem: { type: 'webhook', urlFile: '/s/hook-url', tokenFile: '/s/token', timeoutMs: 2000 },
  },
  routes: [
    { name: 'critical', match: { severity: ['critical'] }, outputs: ['ops-slack', 'siem'] },
    { outputs: ['siem'] },
  ],
  rateLimit: { max: 5, windowSeconds: 30 },
};

describe('parseNotifyConfig', () => {
  it('reads a valid file, its secrets from their files, and fills defaults', () => {
    const config = parse(GOOD);
    const slack = config.outputs.get('ops-slack');
    expect(slack).toMatchObject({
      type: 'slack',
      url: 'https://hooks.slack.example/services/T000/B000/SECRETSECRET',
      token: undefined,
      timeoutMs: 10_000,
      rateLimit: { max: 5, windowMs: 30_000 },
    });
    expect(config.outputs.get('siem')).toMatchObject({ token: 'tok-0123456789', timeoutMs: 2000 });
    expect(config.secrets).toContain('tok-0123456789');
    expect(config.retryMaxDelayMs).toBe(20_000);
  });

  it('lists every schema problem with its place', () => {
    expect(
      problems({
        outputs: { 'Bad Name': { type: 'pager', urlFile: '' }, ok: { type: 'slack' } },
        routes: [{ match: { severity: ['urgent'], colour: ['red'] }, outputs: [] }],
        extra: true,
      }),
    ).toEqual(
      expect.arrayContaining([
        '/etc/notify.json#/: unknown property "extra"',
        expect.stringMatching(/^\/etc\/notify\.json#\/outputs\/Bad Name: an output name is/),
        expect.stringMatching(/#\/outputs\/Bad Name\/type: must be one of "webhook", "slack"/),
        '/etc/notify.json#/outputs/ok: missing required property "urlFile"',
        expect.stringMatching(/#\/routes\/0\/match\/severity\/0: must be one of "informational"/),
        '/etc/notify.json#/routes/0/match: unknown property "colour"',
        '/etc/notify.json#/routes/0/outputs: must NOT have fewer than 1 items',
      ]),
    );
  });

  it('rejects unreadable, empty or non-URL secret files and unknown outputs, never showing a secret', () => {
    const found = problems({
      outputs: {
        a: { type: 'webhook', urlFile: '/s/missing' },
        b: { type: 'webhook', urlFile: '/s/empty' },
        c: { type: 'mattermost', urlFile: '/s/not-a-url' },
        d: { type: 'teams', urlFile: '/s/slack-url', tokenFile: '/s/missing-token' },
      },
      routes: [{ outputs: ['a', 'nope'] }],
    });
    expect(found).toEqual([
      '/etc/notify.json#/outputs/a/urlFile: cannot read /s/missing (ENOENT)',
      '/etc/notify.json#/outputs/b/urlFile: /s/empty is empty',
      '/etc/notify.json#/outputs/c/urlFile: /s/not-a-url does not hold an http:// or https:// URL',
      '/etc/notify.json#/outputs/d/tokenFile: cannot read /s/missing-token (ENOENT)',
      '/etc/notify.json#/routes/0/outputs/1: no output named "nope" (outputs: a, b, c, d)',
    ]);
    expect(found.join('\n')).not.toContain('SECRETSECRET');
  });

  it('says when the file is not JSON', () => {
    expect(() => parseNotifyConfig('/etc/notify.json', '{ outputs', read)).toThrow(
      /\/etc\/notify\.json: not JSON/,
    );
  });
});
