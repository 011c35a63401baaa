import { describe, expect, it } from 'vitest';
import { createRecordDecoder } from '../core/decode';
import { PartitionStreams } from './partition-streams';

describe('PartitionStreams', () => {
  const streams = (): PartitionStreams =>
    new PartitionStreams(() => createRecordDecoder({ format: 'auditd', clock: () => 0 }));

  it('keeps one decoder per partition while the stream moves forward, gaps included', () => {
    const s = streams();
    const first = s.decoderFor('t', 0, '0');
    s.fed('t', 0, '9');
    expect(s.decoderFor('t', 0, '10')).toBe(first);
    s.fed('t', 0, '19');
    // Offsets may skip (transaction markers, compaction): not a redelivery.
    expect(s.decoderFor('t', 0, '25')).toBe(first);
    expect(s.decoderFor('t', 1, '25')).not.toBe(first);
  });

  it('starts a fresh decoder when a batch goes back to an offset already fed (redelivery)', () => {
    const s = streams();
    const first = s.decoderFor('t', 0, '0');
    s.fed('t', 0, '9');
    expect(s.decoderFor('t', 0, '4')).not.toBe(first);
  });

  it('commits the first held record, else the one after the last fed, and nothing before any', () => {
    const s = streams();
    s.decoderFor('t', 0, '0');
    expect(s.commitOffset('t', 0, undefined)).toBeUndefined();
    s.fed('t', 0, '9');
    expect(s.commitOffset('t', 0, '3')).toBe('3');
    expect(s.commitOffset('t', 0, undefined)).toBe('10');
  });

  it('says an idle partition is due only once a held event reached its time-out', () => {
    let now = 1000;
    const s = new PartitionStreams(() =>
      createRecordDecoder({ format: 'auditd', clock: () => now, auditd: { timeoutMs: 500 } }),
    );
    const decoder = s.decoderFor('t', 0, '0');
    expect(s.due('t', 0, now)).toBe(false);
    decoder.decode({
      value: new TextEncoder().encode('type=SYSCALL msg=audit(1.000:1): syscall=59 items=0'),
      offset: '0',
    });
    expect(s.due('t', 0, 1499)).toBe(false);
    now = 1500;
    expect(s.due('t', 0, 1500)).toBe(true);
  });
});
