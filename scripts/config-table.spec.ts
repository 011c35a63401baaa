import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config/config.schema';
import { DOCUMENTS, rendered } from './config-table';

describe('configuration reference in the docs', () => {
  it.each(DOCUMENTS)('%s lists every variable as config.schema.ts defines it', async (document) => {
    const text = readFileSync(resolve(__dirname, '..', document), 'utf8');
    expect(text, `run: npm run docs:config`).toBe(await rendered(text));
    for (const variable of Object.values(CONFIG_VARIABLES))
      expect(text).toContain(`\`${variable.name}\``);
  });
});
