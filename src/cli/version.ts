import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version of the installed package, read from its package.json: the CLI runs
 * from dist/src/cli (installed) or src/cli (tests), so the file is looked up
 * rather than imported, which would copy it into dist/.
 */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'shellwatch' && typeof manifest.version === 'string')
        return manifest.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
