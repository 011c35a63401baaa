import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';

export const KAFKA_BROKER = process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092';
export const ES_NODE = process.env.TEST_ES_NODE ?? 'http://127.0.0.1:9200';
export const REPO_ROOT = resolve(__dirname, '../..');

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** Brings the local stack up when it is not already running (a running one is reused). */
export async function ensureStack(): Promise<void> {
  const stack = resolve(REPO_ROOT, 'scripts/stack.sh');
  // `up` prunes too; a running stack still needs the indices of old runs removed.
  const running = (await portOpen(9092)) && (await portOpen(9200));
  execFileSync('bash', [stack, running ? 'prune' : 'up'], { stdio: 'inherit' });
}

/**
 * An Elasticsearch of the test's own, on another port and data folder, that the
 * test may stop and start without disturbing the shared stack other tests use.
 */
export class PrivateElasticsearch {
  readonly url: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly port: number,
    /** Node settings: `httpMaxContentLength` (e.g. `100kb`), `heap` (e.g. `512m`; default 1g). */
    settings: { httpMaxContentLength?: string; heap?: string } = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.env = {
      ...process.env,
      SHELLWATCH_STACK_DIR: `/var/tmp/shellwatch-private-es-${port}`,
      SHELLWATCH_ES_PORT: String(port),
      SHELLWATCH_ES_TRANSPORT_PORT: String(port + 100),
      ...(settings.httpMaxContentLength === undefined
        ? {}
        : { SHELLWATCH_ES_HTTP_MAX_CONTENT_LENGTH: settings.httpMaxContentLength }),
      ...(settings.heap === undefined ? {} : { SHELLWATCH_ES_HEAP: settings.heap }),
    };
  }

  start(): void {
    execFileSync('bash', [resolve(REPO_ROOT, 'scripts/stack.sh'), 'es-start'], {
      stdio: 'inherit',
      env: this.env,
    });
  }

  stop(): void {
    execFileSync('bash', [resolve(REPO_ROOT, 'scripts/stack.sh'), 'es-stop'], {
      stdio: 'inherit',
      env: this.env,
    });
  }
}

/** A Kafka broker of the test's own (same idea as PrivateElasticsearch). */
export class PrivateKafka {
  readonly broker: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(readonly port: number) {
    this.broker = `127.0.0.1:${port}`;
    this.env = {
      ...process.env,
      SHELLWATCH_STACK_DIR: `/var/tmp/shellwatch-private-kafka-${port}`,
      SHELLWATCH_KAFKA_PORT: String(port),
      SHELLWATCH_KAFKA_CONTROLLER_PORT: String(port + 1),
    };
  }

  start(): void {
    execFileSync('bash', [resolve(REPO_ROOT, 'scripts/stack.sh'), 'kafka-start'], {
      stdio: 'inherit',
      env: this.env,
    });
  }

  stop(): void {
    execFileSync('bash', [resolve(REPO_ROOT, 'scripts/stack.sh'), 'kafka-stop'], {
      stdio: 'inherit',
      env: this.env,
    });
  }
}
