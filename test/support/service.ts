import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { ES_NODE, KAFKA_BROKER, REPO_ROOT } from './stack';
import { waitFor } from './wait-for';
import { errorMessage } from '../../src/core/errors';

/**
 * Ports for the services tests start, from a range where fetch refuses none: fetch (undici)
 * blocks the WHATWG "bad ports", and the old range 3900–4400 held two of them (4045,
 * 4190). A service that landed there listened fine while every readiness probe failed
 * with "fetch failed (bad port)": the rsyslog failure of 2026-11-26 14:09 (port 4190),
 * and most likely the crash-recovery failure of stop 15, whose third start timed out
 * on the same bare "fetch failed" although the service had listened and done its work.
 */
let nextPort = 20_000 + Math.floor(Math.random() * 5_000);

/**
 * The service started as a user starts it: the built dist/src/main.js (or another
 * entry point of the build, e.g. the notifier), configured by environment only.
 */
export class ServiceProcess {
  readonly port = nextPort++;
  /**
   * The audit index of this service, its own like its topic and indices, so that no
   * test writes to the default `shellwatch-audit` of the shared cluster; ES_AUDIT_INDEX
   * in the test's environment overrides it.
   */
  readonly auditIndex = `e2e-audit-${this.port}-${Date.now().toString(36)}`;
  readonly output: string[] = [];
  private child: ChildProcess | undefined;
  private exitCode: number | null | undefined;

  constructor(
    private readonly env: Record<string, string>,
    private readonly script = 'dist/src/main.js',
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The operating system's process id, while the process runs. */
  get pid(): number | undefined {
    return this.exitCode === undefined ? this.child?.pid : undefined;
  }

  /** Whether the process has exited. */
  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  start(): this {
    this.exitCode = undefined;
    this.child = spawn(process.execPath, [resolve(REPO_ROOT, this.script)], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: KAFKA_BROKER,
        ES_NODE,
        HTTP_PORT: String(this.port),
        HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        ES_AUDIT_INDEX: this.auditIndex,
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString());
      if (this.output.length > 2000) this.output.splice(0, 1000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('exit', (code) => {
      this.exitCode = code;
    });
    return this;
  }

  async readiness(): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.baseUrl}/health/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async waitReady(timeoutMs = 90_000): Promise<void> {
    await waitFor(
      `service on port ${this.port} to be ready`,
      async () => {
        if (this.exitCode !== undefined) {
          throw new Error(`service exited with ${String(this.exitCode)}:\n${this.logs()}`);
        }
        // The whole answer, so a timeout says which component was not ready and why.
        return this.readiness();
      },
      ({ status }) => status === 200,
      { timeoutMs },
    ).catch((error: unknown) => {
      throw new Error(`${errorMessage(error)}\n--- service output ---\n${this.logs()}`);
    });
  }

  /** SIGKILL: a crash, nothing gets to clean up. */
  kill(): Promise<void> {
    return this.stopWith('SIGKILL');
  }

  /** SIGTERM: a graceful stop. */
  stop(): Promise<void> {
    return this.stopWith('SIGTERM');
  }

  /**
   * Sends `signal` and resolves with how the process ended. If it is still alive
   * `withinMs` later it is killed and the promise rejects: the shutdown contract
   * (SHUTDOWN_TIMEOUT_MS) was broken.
   */
  terminate(
    withinMs: number,
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) {
      return Promise.reject(new Error('the service is not running'));
    }
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`still alive ${withinMs} ms after ${signal}:\n${this.logs()}`));
      }, withinMs);
      child.once('exit', (code, exitSignal) => {
        clearTimeout(timer);
        done({ code, signal: exitSignal });
      });
      child.kill(signal);
    });
  }

  /** The end of the output (20,000 characters), for a failure's message. */
  logs(): string {
    return this.output.join('').slice(-20_000);
  }

  /** All the output kept (the last 1,000 to 2,000 chunks), to search for a line. */
  allLogs(): string {
    return this.output.join('');
  }

  private stopWith(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) return Promise.resolve();
    return new Promise((done) => {
      child.once('exit', () => done());
      child.kill(signal);
    });
  }
}

/** Runs a program to its end and returns its exit code and its stdout and stderr, interleaved. */
export function runProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', fail);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command} did not exit within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

/** Runs the service binary once and returns its exit code and output (bad-configuration tests). */
export function runToExit(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  return runProcess(
    process.execPath,
    [resolve(REPO_ROOT, 'dist/src/main.js')],
    { PATH: process.env.PATH ?? '', ...env },
    timeoutMs,
  );
}
