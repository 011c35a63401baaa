import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadRuleSet } from '../core/rules';
import { loadConfig } from './config';
import { CONFIG_VARIABLES } from './config.schema';

/**
 * The Kubernetes manifests (deploy/kubernetes) against the configuration they
 * feed: every variable the Deployment sets exists and, with the Secret's files,
 * passes loadConfig; the rules ConfigMap holds a valid rule set; the pod is
 * locked down and probed. (Schema validation against the Kubernetes API is
 * `pip install kubernetes-validate && kubernetes-validate --strict deploy/kubernetes/*.yaml`,
 * see docs/operations.md; it needs Python, so it is not part of this test.)
 */
const DIR = resolve(__dirname, '../../deploy/kubernetes');

interface Manifest {
  kind: string;
  metadata: { name: string };
  [key: string]: unknown;
}

interface Container {
  name: string;
  env?: { name: string; value: string }[];
  ports?: { name: string; containerPort: number }[];
  securityContext: Record<string, unknown>;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  startupProbe?: { httpGet: { path: string; port: string } };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}

interface PodSpec {
  securityContext: Record<string, unknown>;
  initContainers: Container[];
  containers: Container[];
  volumes: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
}

function load(file: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(resolve(DIR, file), 'utf8'));
  return documents.map((document) => {
    expect(document.errors, file).toEqual([]);
    return document.toJS() as Manifest;
  });
}

const all = ['deployment.yaml', 'service.yaml', 'secret.yaml', 'rules-configmap.yaml', 'hpa.yaml']
  .flatMap(load)
  .filter((m) => m !== null);
const byKind = (kind: string, name?: string): Manifest => {
  const found = all.find(
    (m) => m.kind === kind && (name === undefined || m.metadata.name === name),
  );
  if (!found) throw new Error(`no ${kind} ${name ?? ''}`);
  return found;
};
const pod = (byKind('Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec
  .template.spec;
const main = pod.containers.find((c) => c.name === 'shellwatch')!;
const secret = byKind('Secret') as unknown as {
  metadata: { name: string };
  stringData: Record<string, string>;
};

describe('deploy/kubernetes', () => {
  it('lists only files that exist in kustomization.yaml', () => {
    const [kustomization] = load('kustomization.yaml') as unknown as { resources: string[] }[];
    for (const file of kustomization!.resources)
      expect(existsSync(resolve(DIR, file)), file).toBe(true);
  });

  it('sets only known variables, and they pass loadConfig with the Secret mounted', () => {
    const known = new Set<string>(Object.values(CONFIG_VARIABLES).map((v) => v.name));
    const env: Record<string, string> = {};
    for (const { name, value } of main.env ?? []) {
      env[name] = value;
      if (name === 'NODE_OPTIONS') continue;
      expect(known.has(name.replace(/_FILE$/, '')) || known.has(name), name).toBe(true);
    }
    const secretMount = main.volumeMounts.find((m) => m.name === 'secrets')!;
    expect(secretMount.readOnly).toBe(true);
    const readFile = (path: string): string => {
      const key = path.slice(secretMount.mountPath.length + 1);
      const value = path.startsWith(`${secretMount.mountPath}/`)
        ? secret.stringData[key]
        : undefined;
      if (value === undefined) throw new Error(`${path} is not in the Secret`);
      return value;
    };
    const config = loadConfig(env, readFile);
    expect(config.http.apiKey).toBe(secret.stringData['api-key']);
    expect(config.elasticsearch.password).toBe(secret.stringData['es-password']);
    expect(config.rules.dir).toBe(main.volumeMounts.find((m) => m.name === 'rules')!.mountPath);
    // Secrets come from files, never from the environment.
    for (const variable of Object.values(CONFIG_VARIABLES)) {
      if ('secret' in variable && variable.secret && variable.name !== 'ES_NODE') {
        expect(env[variable.name], variable.name).toBeUndefined();
      }
    }
    expect(pod.volumes.find((v) => v.name === 'secrets')?.secret?.secretName).toBe(
      secret.metadata.name,
    );
  });

  it('runs the kafka rule store, seeded from the ConfigMap by an init container on the same topic', () => {
    const env = Object.fromEntries((main.env ?? []).map((e) => [e.name, e.value]));
    expect(env['RULES_STORE']).toBe('kafka');
    const seed = pod.initContainers.find((c) => c.name === 'rules-seed') as
      (Container & { command: string[] }) | undefined;
    expect(seed?.command).toEqual([
      'node',
      'bin/shellwatch.js',
      'rules',
      'push',
      '--seed',
      env['RULES_DIR'],
    ]);
    const seedEnv = Object.fromEntries((seed?.env ?? []).map((e) => [e.name, e.value]));
    expect(seedEnv['RULES_TOPIC']).toBe(env['RULES_TOPIC']);
    expect(seedEnv['KAFKA_BROKERS']).toBe(env['KAFKA_BROKERS']);
    // The copy into the folder runs first.
    expect(pod.initContainers.map((c) => c.name)).toEqual(['rules', 'rules-seed']);
  });

  it('ships a valid rule set in the ConfigMaps', () => {
    const rules = byKind('ConfigMap', 'shellwatch-rules') as unknown as {
      data: Record<string, string>;
    };
    const lists = byKind('ConfigMap', 'shellwatch-rule-lists') as unknown as {
      data: Record<string, string>;
    };
    const result = loadRuleSet(
      Object.entries(rules.data).map(([path, text]) => ({ path, text })),
      Object.entries(lists.data).map(([name, text]) => ({ path: `lists/${name}`, text })),
    );
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('probes liveness and readiness on the HTTP port and locks the pod down', () => {
    expect(main.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(main.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(main.startupProbe?.httpGet.path).toBe('/health/live');
    expect(main.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: expect.any(Number) as unknown,
    });
    for (const container of [...pod.initContainers, ...pod.containers]) {
      expect(container.securityContext, container.name).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.resources.requests, container.name).toBeDefined();
      expect(container.resources.limits?.memory, container.name).toBeDefined();
    }
  });

  it('scales on consumer lag only up to a partition count (optional HPA)', () => {
    const hpa = byKind('HorizontalPodAutoscaler') as unknown as {
      spec: { maxReplicas: number; metrics: { external: { metric: { name: string } } }[] };
    };
    expect(hpa.spec.metrics[0]?.external.metric.name).toMatch(/^shellwatch_consumer_lag/);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(1);
  });
});
