import { describe, expect, it } from 'vitest';
import { createRecordDecoder, FORMAT_NAMES, HARD_MAX_RECORD_BYTES, textRecord } from './index';

/**
 * Records shaped to trigger super-linear regex behaviour, just under the 1 MiB
 * hard cap. The guard is the test time-out: a quadratic path on 1 MiB takes
 * minutes, a linear one milliseconds. (Regexes of operator formats are checked
 * by recheck instead.)
 */
const SIZE = HARD_MAX_RECORD_BYTES - 1024;
const fill = (prefix: string, unit: string, suffix = ''): string =>
  prefix + unit.repeat(Math.floor((SIZE - prefix.length - suffix.length) / unit.length)) + suffix;

const SHAPES: [string, string][] = [
  ['letters', fill('', 'a')],
  ['spaces', fill('x', ' ', 'x')],
  ['newlines', fill('x', '\n', 'x')],
  ['CR LF NUL runs', fill('x', '\r\n\0', 'x')],
  ['audit key run', fill('type=EXECVE msg=audit(1.000:1): ', 'a')],
  ['audit equals', fill('type=EXECVE msg=audit(1.000:1): ', 'a=')],
  ['audit open quote', fill('type=EXECVE msg=audit(1.000:1): a0="', 'x')],
  ['snoopy header', fill('[', 'uid:0 ', ']: ls')],
  ['snoopy word run', fill('[', 'a b', ']')],
  ['bash logger', fill('alice [1]: ', ' [0', ']')],
  ['history number', fill('alice [1]: ', ' ', '1')],
  ['syslog tag', fill('<13>Nov 25 16:34:43 host ', 'a', ': x')],
  ['syslog 5424 SD', fill('<13>1 2026-11-25T16:34:43Z h a p m ', '[a b="\\"]', ' x')],
  ['bastion names', fill('{"input":"ls","asset":"', '(a', ')"}')],
  ['json command', fill('{"command":"', 'a', '"}')],
  ['json client ip', fill('{"command":"ls","client_ip":"', ':', '"}')],
  ['json deep', fill('', '[', '')],
  ['filebeat fields', fill('{"agent":{},"message":"ls","fields":', '{"a":', '1')],
];

describe('adversarial records near the size cap', () => {
  it.each(SHAPES)('decodes %s in linear time under every format', (_name, text) => {
    const record = textRecord(text);
    for (const format of FORMAT_NAMES) {
      const outcome = createRecordDecoder({ format, clock: () => 0 }).decode(record);
      expect(['events', 'pending', 'error']).toContain(outcome.kind);
      if (outcome.kind === 'events') {
        for (const event of outcome.events)
          expect(event.process.command_line.length).toBeLessThanOrEqual(64 * 1024);
      }
    }
  });
});
