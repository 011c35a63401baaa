import { describe, expect, it } from 'vitest';
import { alertFields } from '../core/alerts/alert-fields';
import type { OutputSettings, OutputType } from './notify-config';
import { buildPayload } from './payloads';
import type { Notification } from './payloads';

const DOCUMENT = {
  '@timestamp': '2026-11-25T12:00:00.000Z',
  host: { name: 'web-1.example.internal' },
  user: { name: 'alice' },
  process: { command_line: 'rm -rf /etc' },
  rule: { id: 'SW-DST-0001', name: 'Forced delete', severity: 'critical', tags: [] },
};
const BODY = Buffer.from(JSON.stringify(DOCUMENT));
const ALERT: Notification = {
  kind: 'alert',
  id: 'shell.commands:0:42:SW-DST-0001',
  fields: alertFields(DOCUMENT),
  body: BODY,
};
const DIGEST: Notification = {
  kind: 'digest',
  digest: {
    output: 'chat',
    ruleId: 'SW-DST-0001',
    ruleName: 'Forced delete',
    windowStart: Date.UTC(2026, 11, 7, 8, 0, 0),
    windowEnd: Date.UTC(2026, 11, 7, 8, 1, 0),
    sent: 5,
    suppressed: 37,
    hosts: ['web-1', 'web-2'],
    holds: [],
  },
};

function output(type: OutputType, extra: Partial<OutputSettings> = {}): OutputSettings {
  return {
    name: type,
    type,
    url: 'http://127.0.0.1:1/x',
    token: undefined,
    headers: {},
    timeoutMs: 1000,
    rateLimit: { max: 1, windowMs: 1000 },
    channel: undefined,
    username: undefined,
    ...extra,
  };
}

const TEXT =
  '[CRITICAL] SW-DST-0001 Forced delete on web-1.example.internal by alice at 2026-11-25T12:00:00.000Z\n`rm -rf /etc`\nalert id: shell.commands:0:42:SW-DST-0001';
const DIGEST_TEXT =
  'SW-DST-0001 Forced delete: 37 more alerts between 2026-12-07T08:00:00.000Z and 2026-12-07T08:01:00.000Z, not sent one by one (rate limit: 5 sent in that window). Hosts: web-1, web-2.';

describe('buildPayload', () => {
  it('webhook: the alert document byte for byte; a digest as a kind=digest object', () => {
    expect(buildPayload(output('webhook'), ALERT)).toBe(BODY.toString());
    expect(JSON.parse(buildPayload(output('webhook'), DIGEST))).toEqual({
      kind: 'digest',
      rule: { id: 'SW-DST-0001', name: 'Forced delete' },
      count: 37,
      sent: 5,
      window: { start: '2026-12-07T08:00:00.000Z', end: '2026-12-07T08:01:00.000Z' },
      hosts: ['web-1', 'web-2'],
    });
  });

  it('slack: text plus a section block', () => {
    expect(JSON.parse(buildPayload(output('slack'), ALERT))).toEqual({
      text: TEXT,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: TEXT } }],
    });
    expect(JSON.parse(buildPayload(output('slack'), DIGEST))).toMatchObject({ text: DIGEST_TEXT });
  });

  it('mattermost: text, with channel and username when configured', () => {
    expect(
      JSON.parse(buildPayload(output('mattermost', { channel: 'sec', username: 'sw' }), ALERT)),
    ).toEqual({ text: TEXT, channel: 'sec', username: 'sw' });
  });

  it('teams: one Adaptive Card holding the text', () => {
    const payload = JSON.parse(buildPayload(output('teams'), ALERT)) as {
      type: string;
      attachments: { contentType: string; content: { type: string; body: { text: string }[] } }[];
    };
    expect(payload.type).toBe('message');
    expect(payload.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(payload.attachments[0]?.content.type).toBe('AdaptiveCard');
    expect(payload.attachments[0]?.content.body[0]?.text).toBe(TEXT);
  });

  it('keeps a multi-line command on one line in chat text', () => {
    const fields = alertFields({ ...DOCUMENT, process: { command_line: 'echo a\nrm -rf /`x' } });
    const text = (
      JSON.parse(buildPayload(output('slack'), { ...ALERT, fields })) as {
        text: string;
      }
    ).text;
    expect(text).toContain('`echo a rm -rf / x`');
  });
});
