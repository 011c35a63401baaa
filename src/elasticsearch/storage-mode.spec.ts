import { describe, expect, it } from 'vitest';
import { alertsTemplate, commandsTemplate, lifecyclePolicy } from './index-templates';
import { capabilitiesFrom, chooseStorage, lowerVersion, versionAtLeast } from './storage-mode';

/** The modules the local minimal distribution (integ-test-zip 8.19) reports, as read from it. */
const MINIMAL = new Set(['apm', 'transport-netty4', 'x-pack-core', 'x-pack-security']);
const FULL = new Set(['data-streams', 'wildcard', 'x-pack-ilm', 'x-pack-core']);

describe('what the cluster offers', () => {
  it('the minimal distribution: no data streams, plain indices, and why', () => {
    const capabilities = capabilitiesFrom(MINIMAL, '8.19.21');
    expect(capabilities).toEqual({
      wildcardField: false,
      ilm: false,
      dataStreams: false,
      dataStreamLifecycle: false,
    });
    expect(chooseStorage(capabilities, 'auto')).toEqual({
      mode: 'indices',
      reason: 'the cluster has no data-streams module (minimal distribution)',
    });
  });

  it('a full 8.14+ cluster: data streams with the data stream lifecycle', () => {
    expect(chooseStorage(capabilitiesFrom(FULL, '8.19.2'), 'auto')).toEqual({
      mode: 'data-stream-lifecycle',
    });
    expect(chooseStorage(capabilitiesFrom(FULL, '9.1.0'), 'auto').mode).toBe(
      'data-stream-lifecycle',
    );
  });

  it('before 8.14, ILM ages the data streams; without ILM, plain indices', () => {
    expect(chooseStorage(capabilitiesFrom(FULL, '8.11.4'), 'auto').mode).toBe('data-stream-ilm');
    const noIlm = new Set(['data-streams']);
    expect(chooseStorage(capabilitiesFrom(noIlm, '8.11.4'), 'auto').mode).toBe('indices');
    // An unknown version (nodes API forbidden) never assumes the lifecycle.
    expect(capabilitiesFrom(FULL, undefined).dataStreamLifecycle).toBe(false);
  });

  it('ES_DATA_STREAMS=off keeps plain indices on any cluster', () => {
    expect(chooseStorage(capabilitiesFrom(FULL, '8.19.2'), 'off')).toEqual({
      mode: 'indices',
      reason: 'ES_DATA_STREAMS=off',
    });
  });

  it('compares versions by major.minor.patch; the lowest node decides', () => {
    expect(versionAtLeast('8.14.0-SNAPSHOT', 8, 14)).toBe(true);
    expect(versionAtLeast('8.9.0', 8, 14)).toBe(false);
    expect(versionAtLeast('garbage', 8, 14)).toBe(false);
    expect(lowerVersion(lowerVersion(undefined, '8.19.2'), '8.13.4')).toBe('8.13.4');
    expect(lowerVersion('8.10.0', '8.9.9')).toBe('8.9.9');
  });
});

describe('template and policy bodies', () => {
  const full = capabilitiesFrom(FULL, '8.19.2');

  it('plain indices: no data_stream, no lifecycle (as before)', () => {
    const body = alertsTemplate('shellwatch-alerts', full);
    expect(body).not.toHaveProperty('data_stream');
    expect(body.template).not.toHaveProperty('lifecycle');
    expect(body.template).not.toHaveProperty('settings');
    expect(body.index_patterns).toEqual(['shellwatch-alerts', 'shellwatch-alerts-*']);
  });

  it('data stream lifecycle: data_stream and the retention of each kind', () => {
    const alerts = alertsTemplate('a', full, { mode: 'data-stream-lifecycle', retention: '365d' });
    const commands = commandsTemplate('c', full, {
      mode: 'data-stream-lifecycle',
      retention: '30d',
    });
    expect(alerts).toMatchObject({
      data_stream: {},
      template: { lifecycle: { data_retention: '365d' } },
    });
    expect(commands).toMatchObject({
      data_stream: {},
      template: { lifecycle: { data_retention: '30d' } },
    });
    const kept = alertsTemplate('a', full, { mode: 'data-stream-lifecycle', retention: null });
    expect((kept.template as Record<string, unknown>).lifecycle).toEqual({});
  });

  it('ILM: data_stream and the policy named after the template; the policy deletes at retention', () => {
    const body = commandsTemplate('shellwatch-commands', full, {
      mode: 'data-stream-ilm',
      retention: '30d',
    });
    expect(body).toMatchObject({
      data_stream: {},
      template: { settings: { 'index.lifecycle.name': 'shellwatch-shellwatch-commands' } },
    });
    expect(lifecyclePolicy('30d')).toEqual({
      phases: {
        hot: { actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } },
        delete: { min_age: '30d', actions: { delete: {} } },
      },
      _meta: { managed_by: 'shellwatch' },
    });
    expect(lifecyclePolicy(null).phases).not.toHaveProperty('delete');
  });
});
