import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  capMessage,
  isMinimal,
  minimalMessage,
  recordBytes,
  RECORD_BATCH_OVERHEAD_BYTES,
  splitIntoRequests,
} from './dead-letter-requests';
import type { DeadLetterMessage } from './dead-letter-requests';

/**
 * kafkajs's own record-batch encoder (what goes on the wire in a produce
 * request, and what the broker compares with max.message.bytes): the estimates
 * are checked against it, not against themselves.
 */
const requireKafkajs = createRequire(require.resolve('kafkajs'));
type EncoderLike = { buffer: Buffer };
const encodeRecord = requireKafkajs('./src/protocol/recordBatch/record/v0') as (record: {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}) => EncoderLike;
const { RecordBatch: encodeBatch } = requireKafkajs('./src/protocol/recordBatch/v0') as {
  RecordBatch: (batch: { records: EncoderLike[]; lastOffsetDelta: number }) => Promise<EncoderLike>;
};

/** Bytes of the record batch kafkajs would send for these messages. */
async function encodedBatchBytes(messages: DeadLetterMessage[]): Promise<number> {
  const records = messages.map((m, i) =>
    encodeRecord({
      offsetDelta: i,
      timestampDelta: 0,
      key: Buffer.from(m.key),
      value: m.value,
      headers: m.headers,
    }),
  );
  const batch = await encodeBatch({ records, lastOffsetDelta: records.length - 1 });
  return batch.buffer.length;
}

const ownHeaders = (offset: number): Record<string, string> => ({
  'shellwatch.reason': 'UNKNOWN_FORMAT',
  'shellwatch.error':
    'record at offset ' + String(offset) + ': no known command format recognized (auto)',
  'shellwatch.source.topic': 'shell.commands',
  'shellwatch.source.partition': '0',
  'shellwatch.source.offset': String(offset),
});

/** A dead letter shaped like those of the issue: a 230-byte value, about 250 bytes of headers. */
function letter(offset: number, value: Buffer | null, headers: Record<string, string> = {}) {
  const own = ownHeaders(offset);
  return {
    key: `shell.commands:0:${offset}`,
    value,
    headers: { ...headers, ...own },
    ownHeaders: own,
  } satisfies DeadLetterMessage;
}

const UNDECODABLE = Buffer.from('not json, not a known format: ' + 'x'.repeat(200));
const BUDGET = 1_000_000;

describe('recordBytes', () => {
  it('never falls short of the size kafkajs encodes', async () => {
    const samples = [
      letter(0, null),
      letter(1, Buffer.alloc(0)),
      letter(12_345_678, UNDECODABLE, { 'x-trace': 'é'.repeat(300) }),
      letter(2, Buffer.alloc(300_000, 'z')),
    ];
    for (const sample of samples) {
      const alone = (await encodedBatchBytes([sample])) - RECORD_BATCH_OVERHEAD_BYTES;
      expect(recordBytes(sample)).toBeGreaterThanOrEqual(alone);
    }
    const all = samples.reduce((n, s) => n + recordBytes(s), RECORD_BATCH_OVERHEAD_BYTES);
    expect(all).toBeGreaterThanOrEqual(await encodedBatchBytes(samples));
  });
});

describe('splitIntoRequests', () => {
  it('cuts 3,500 letters of one batch into requests the broker accepts, in order, none lost', async () => {
    const letters = Array.from({ length: 3500 }, (_, i) => letter(i, UNDECODABLE));
    // The bug: all of them in one request, over the broker's 1,048,588 bytes.
    expect(await encodedBatchBytes(letters)).toBeGreaterThan(1_048_588);

    const requests = splitIntoRequests(letters, BUDGET);
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.flat()).toEqual(letters);
    for (const request of requests) {
      expect(await encodedBatchBytes(request)).toBeLessThanOrEqual(BUDGET);
    }
  });

  it('gives a letter larger than the budget a request of its own', () => {
    const big = letter(1, Buffer.alloc(BUDGET));
    const requests = splitIntoRequests(
      [letter(0, UNDECODABLE), big, letter(2, UNDECODABLE)],
      BUDGET,
    );
    expect(requests.map((r) => r.map((m) => m.key))).toEqual([
      ['shell.commands:0:0'],
      ['shell.commands:0:1'],
      ['shell.commands:0:2'],
    ]);
  });
});

describe('capMessage', () => {
  it('leaves a letter that fits untouched', () => {
    const small = letter(0, UNDECODABLE);
    expect(capMessage(small, BUDGET)).toBe(small);
  });

  it('cuts a 5 MB value to a prefix that fits, and says so', async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 'y');
    const capped = capMessage(letter(7, huge, { 'x-shipper': 'filebeat' }), BUDGET);
    expect(capped.headers).toMatchObject({
      'x-shipper': 'filebeat',
      'shellwatch.reason': 'UNKNOWN_FORMAT',
      'shellwatch.source.offset': '7',
      'shellwatch.truncated': 'value',
      'shellwatch.original.size': String(huge.length),
    });
    const value = capped.value ?? Buffer.alloc(0);
    expect(value.length).toBeGreaterThan(BUDGET - 2000);
    expect(Buffer.compare(value, huge.subarray(0, value.length))).toBe(0);
    expect(await encodedBatchBytes([capped])).toBeLessThanOrEqual(BUDGET);
  });

  it("leaves out the record's own headers when they alone are over the budget", async () => {
    const capped = capMessage(letter(3, UNDECODABLE, { 'x-huge': 'h'.repeat(BUDGET) }), BUDGET);
    expect(capped.headers['x-huge']).toBeUndefined();
    expect(capped.headers).toMatchObject({
      'shellwatch.reason': 'UNKNOWN_FORMAT',
      'shellwatch.truncated': 'value,headers',
      'shellwatch.original.size': String(UNDECODABLE.length),
    });
    // The value still fits beside Shellwatch's headers: it is carried whole.
    expect(capped.value).toEqual(UNDECODABLE);
    expect(await encodedBatchBytes([capped])).toBeLessThanOrEqual(BUDGET);
  });
});

describe('minimalMessage', () => {
  it("keeps only Shellwatch's headers, the original size and why the full letter was refused", () => {
    const capped = capMessage(letter(9, Buffer.alloc(2 * BUDGET, 'q'), { 'x-a': 'b' }), BUDGET);
    expect(isMinimal(capped)).toBe(false);
    const minimal = minimalMessage(
      capped,
      'MESSAGE_TOO_LARGE: The request included a message larger…',
    );
    expect(isMinimal(minimal)).toBe(true);
    expect(minimal.key).toBe('shell.commands:0:9');
    expect(minimal.value).toBeNull();
    expect(minimal.headers).toEqual({
      ...ownHeaders(9),
      'shellwatch.truncated': 'value,headers',
      'shellwatch.original.size': String(2 * BUDGET),
      'shellwatch.dlq.refused': 'MESSAGE_TOO_LARGE: The request included a message larger…',
    });
  });
});
