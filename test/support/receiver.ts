import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';

/** One request the receiver took. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP receiver for the notifier's outputs, on 127.0.0.1 in the tests'
 * port range (20000–25000). Records every request per path (when it arrives);
 * answers 200, or what `answer` says for a path, at once or after `delay`; can go down (connections refused) and come
 * back on the same port.
 */
export class Receiver {
  readonly received: Received[] = [];
  private server: Server | undefined;
  private readonly answers = new Map<string, { status: number; body: string }>();
  private readonly delays = new Map<string, number>();

  private constructor(readonly port: number) {}

  static async start(): Promise<Receiver> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const receiver = new Receiver(20_000 + Math.floor(Math.random() * 5_000));
      try {
        await receiver.up();
        return receiver;
      } catch {
        // port taken: try another
      }
    }
    throw new Error('no free port for the receiver in 20000-25000');
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** `path` answers `status` with `body` from now on. */
  answer(path: string, status: number, body = ''): void {
    this.answers.set(path, { status, body });
  }

  /** `path` answers only `ms` after the request's end from now on (a slow webhook). */
  delay(path: string, ms: number): void {
    this.delays.set(path, ms);
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  up(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        const answer = this.answers.get(path) ?? { status: 200, body: 'ok' };
        if (answer.status >= 200 && answer.status < 300) {
          this.received.push({
            path,
            headers: request.headers,
            body: Buffer.concat(chunks).toString(),
          });
        }
        const respond = (): void => {
          response.writeHead(answer.status, { 'content-type': 'text/plain' });
          response.end(answer.body);
        };
        const delay = this.delays.get(path);
        if (delay === undefined) respond();
        else setTimeout(respond, delay);
      });
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.server = server;
        resolve();
      });
    });
  }

  /** Stops listening and drops open connections: the notifier sees ECONNREFUSED. */
  down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
