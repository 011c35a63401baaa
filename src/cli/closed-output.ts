import type { EventEmitter } from 'node:events';

/**
 * Ends the process quietly when the reader of stdout goes away (`shellwatch eval … | head`):
 * a closed pipe means nobody wants the rest, as for any Unix filter, not that the command
 * failed. Any other write error is still thrown, so it is reported as before.
 */
export function exitWhenReaderCloses(
  output: EventEmitter,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  output.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exit(0);
    else throw error;
  });
}
