import type { AlertFields } from '../core/alerts/alert-fields';
import type { OutputSettings, OutputType } from './notify-config';
import type { Digest } from './rate-limiter';

/**
 * The request bodies each output type expects. Pure: an alert (its bytes and
 * fields) or a digest in, a JSON body out.
 *
 * - webhook: the alert document itself, byte for byte as on the alerts topic;
 *   a digest as `{"kind":"digest", …}`.
 * - slack: `{"text": …, "blocks": […]}` (text is the fallback shown in
 *   notifications; blocks give the layout).
 * - mattermost: `{"text": …}` plus `channel`/`username` when configured.
 * - teams: a message with one Adaptive Card (what Teams workflows' "post to a
 *   channel when a webhook request is received" expects).
 */

/** What a notification is about. */
export type Notification =
  | { kind: 'alert'; id: string; fields: AlertFields; body: Buffer }
  | { kind: 'digest'; digest: Digest<unknown> };

/** The JSON body for `output`, as the bytes to POST. */
export function buildPayload(output: OutputSettings, notification: Notification): string {
  if (output.type === 'webhook') {
    return notification.kind === 'alert'
      ? notification.body.toString('utf8')
      : JSON.stringify(digestDocument(notification.digest));
  }
  const text =
    notification.kind === 'alert'
      ? alertText(notification.fields, notification.id)
      : digestText(notification.digest);
  return JSON.stringify(CHAT_PAYLOADS[output.type](text, output));
}

const CHAT_PAYLOADS: Record<
  Exclude<OutputType, 'webhook'>,
  (text: string, output: OutputSettings) => Record<string, unknown>
> = {
  slack: (text, output) => ({
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
    ...(output.username ? { username: output.username } : {}),
  }),
  mattermost: (text, output) => ({
    text,
    ...(output.channel ? { channel: output.channel } : {}),
    ...(output.username ? { username: output.username } : {}),
  }),
  teams: (text) => ({
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [{ type: 'TextBlock', text, wrap: true }],
        },
      },
    ],
  }),
};

/** One line (plus the command) for chat: severity, rule, host, user, time, id. */
export function alertText(fields: AlertFields, id: string): string {
  const severity = (fields.severity ?? 'unknown').toUpperCase();
  const rule = [fields.ruleId ?? 'unknown rule', fields.ruleName].filter(Boolean).join(' ');
  const where = [
    fields.host ? `on ${fields.host}` : undefined,
    fields.user ? `by ${fields.user}` : undefined,
    fields.timestamp ? `at ${fields.timestamp}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const command = fields.commandLine ? `\n\`${oneLine(fields.commandLine, 500)}\`` : '';
  return `[${severity}] ${rule}${where ? ` ${where}` : ''}${command}\nalert id: ${id}`;
}

/** The digest sentence: how many alerts of a rule were held back in which window. */
export function digestText(digest: Digest<unknown>): string {
  const rule = [digest.ruleId, digest.ruleName].filter(Boolean).join(' ');
  const hosts = digest.hosts.length > 0 ? ` Hosts: ${digest.hosts.join(', ')}.` : '';
  return `${rule}: ${digest.suppressed} more alert${digest.suppressed === 1 ? '' : 's'} between ${iso(digest.windowStart)} and ${iso(digest.windowEnd)}, not sent one by one (rate limit: ${digest.sent} sent in that window).${hosts}`;
}

/** The generic webhook's body for a digest. */
export function digestDocument(digest: Digest<unknown>): Record<string, unknown> {
  return {
    kind: 'digest',
    rule: { id: digest.ruleId, name: digest.ruleName },
    count: digest.suppressed,
    sent: digest.sent,
    window: { start: iso(digest.windowStart), end: iso(digest.windowEnd) },
    hosts: digest.hosts,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/[\r\n`]+/g, ' ');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
