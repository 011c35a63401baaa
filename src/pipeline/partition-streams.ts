import type { RecordDecoder } from '../core/decode';

interface Stream {
  decoder: RecordDecoder;
  /** The last offset fed to the decoder, once any was. */
  lastOffset?: bigint;
}

/**
 * The decoder of each partition and how far it has read. A decoder holds auditd
 * records across batches (see `RecordDecoder`), and the source never commits past
 * the first of them; so whenever the stream goes back (a batch starting at or
 * before an offset already fed: a redelivery after a crash, a rebalance or an
 * abandoned batch, all of which restart from the committed offset), every held
 * record is read again, and the decoder is replaced by a fresh one instead of
 * seeing those records twice.
 */
export class PartitionStreams {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly createDecoder: () => RecordDecoder) {}

  /** The decoder for a batch starting at `firstOffset` (undefined: an idle tick). */
  decoderFor(topic: string, partition: number, firstOffset: string | undefined): RecordDecoder {
    const key = `${topic}:${partition}`;
    let stream = this.streams.get(key);
    const rewound =
      stream?.lastOffset !== undefined &&
      firstOffset !== undefined &&
      BigInt(firstOffset) <= stream.lastOffset;
    if (stream === undefined || rewound) {
      stream = { decoder: this.createDecoder() };
      this.streams.set(key, stream);
    }
    return stream.decoder;
  }

  /** Records that the decoder was fed up to `lastOffset`. */
  fed(topic: string, partition: number, lastOffset: string): void {
    const stream = this.streams.get(`${topic}:${partition}`);
    if (stream) stream.lastOffset = BigInt(lastOffset);
  }

  /** True when a held event of the partition reached its time-out by `nowMs`. */
  due(topic: string, partition: number, nowMs: number): boolean {
    const deadline = this.streams.get(`${topic}:${partition}`)?.decoder.nextDeadline();
    return deadline !== undefined && deadline <= nowMs;
  }

  /** The last offset fed, or undefined when none was. */
  lastOffset(topic: string, partition: number): string | undefined {
    return this.streams.get(`${topic}:${partition}`)?.lastOffset?.toString();
  }

  /**
   * The offset to commit (the next to read) once the records fed so far are written:
   * the first record still held, else the one after the last fed.
   */
  commitOffset(topic: string, partition: number, heldFrom: string | undefined): string | undefined {
    if (heldFrom !== undefined) return heldFrom;
    const last = this.streams.get(`${topic}:${partition}`)?.lastOffset;
    return last === undefined ? undefined : (last + 1n).toString();
  }
}
