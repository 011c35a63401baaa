/**
 * Where documents go: data streams with a lifecycle where the cluster offers them,
 * plain indices otherwise. Pure: decided from what detectCapabilities read from the
 * nodes (modules and versions), so it is unit-tested without a cluster.
 *
 * - Data streams need the `data-streams` module on every node: it serves the
 *   `_data_stream` APIs and runs the data stream lifecycle. The minimal distribution
 *   (integ-test-zip, used by the tests) lacks it: a template can declare a data stream
 *   there and a write even creates one, but nothing can then list, delete or age it
 *   out, so Shellwatch keeps plain indices on such a cluster.
 * - The data stream lifecycle (retention on the stream, no policy object) is GA from
 *   8.14; before that, or when an operator prefers it, ILM (the `x-pack-ilm` module).
 */
export interface ClusterCapabilities {
  wildcardField: boolean;
  ilm: boolean;
  dataStreams: boolean;
  dataStreamLifecycle: boolean;
}

export type StorageMode = 'data-stream-lifecycle' | 'data-stream-ilm' | 'indices';
export type DataStreamsSetting = 'auto' | 'off';

export interface StorageChoice {
  mode: StorageMode;
  /** Why plain indices, in words for the start-up log; undefined for data streams. */
  reason?: string;
}

/** The modules on every node and the lowest node version → what the cluster offers. */
export function capabilitiesFrom(
  modules: ReadonlySet<string>,
  lowestVersion: string | undefined,
): ClusterCapabilities {
  const dataStreams = modules.has('data-streams');
  return {
    wildcardField: modules.has('wildcard'),
    ilm: modules.has('x-pack-ilm'),
    dataStreams,
    dataStreamLifecycle: dataStreams && versionAtLeast(lowestVersion, 8, 14),
  };
}

export function chooseStorage(
  capabilities: ClusterCapabilities,
  setting: DataStreamsSetting,
): StorageChoice {
  if (setting === 'off') return { mode: 'indices', reason: 'ES_DATA_STREAMS=off' };
  if (!capabilities.dataStreams) {
    return {
      mode: 'indices',
      reason: 'the cluster has no data-streams module (minimal distribution)',
    };
  }
  if (capabilities.dataStreamLifecycle) return { mode: 'data-stream-lifecycle' };
  if (capabilities.ilm) return { mode: 'data-stream-ilm' };
  return {
    mode: 'indices',
    reason: 'the cluster offers neither the data stream lifecycle (8.14+) nor ILM',
  };
}

/** True when `version` (`8.19.2`, `8.14.0-SNAPSHOT`) is at least major.minor; false when unknown. */
export function versionAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!match) return false;
  const [vMajor, vMinor] = [Number(match[1]), Number(match[2])];
  return vMajor > major || (vMajor === major && vMinor >= minor);
}

/** The lower of two versions by major.minor.patch (undefined counts as unknown, not low). */
export function lowerVersion(a: string | undefined, b: string): string {
  if (a === undefined) return b;
  const parts = (v: string): number[] =>
    v
      .split(/[.-]/)
      .slice(0, 3)
      .map((p) => Number(p) || 0);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0) ? a : b;
  }
  return a;
}
