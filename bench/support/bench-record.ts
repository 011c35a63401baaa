/**
 * The vssh record (JSON) the bench and the e2e tests produce: the whole-path runs
 * produce it to Kafka, the in-process A/Bs (record-ab, scan-ab) decode the same
 * bytes, and test/support/records.ts plans the e2e streams with it. `sentMs` is
 * the latency runs' produce time.
 */
export function benchRecordValue(seq: number, command: string, sentMs?: number): string {
  return JSON.stringify({
    timestamp: new Date(Date.UTC(2026, 10, 25, 12) + seq).toISOString(),
    user: seq % 3 === 0 ? 'alice' : 'deploy',
    host: `web-${seq % 5}.example.internal`,
    client_ip: '198.51.100.23',
    session_id: String(1000 + (seq % 17)),
    cwd: '/home/alice',
    command,
    seq,
    ...(sentMs !== undefined ? { sent_ms: sentMs } : {}),
  });
}
