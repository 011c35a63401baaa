/**
 * Renders the configuration reference (README.md and docs/operations.md) from
 * the one table in src/config/config.schema.ts, between the markers
 * `<!-- config:start -->` and `<!-- config:end -->`. `--check` fails when a
 * document is out of date (run by a unit test), otherwise the files are updated.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from 'prettier';
import { CONFIG_VARIABLES } from '../src/config/config.schema';

const START = '<!-- config:start -->';
const END = '<!-- config:end -->';

export function configTable(): string {
  const rows = Object.values(CONFIG_VARIABLES).map((v) => {
    const shown = v.default === undefined || v.default === '' ? '(empty)' : `\`${v.default}\``;
    return `| \`${v.name}\` | ${shown} | ${v.doc} |`;
  });
  return [
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'Every variable can also be read from a file: `NAME_FILE=/run/secrets/name` (for secrets).',
  ].join('\n');
}

export function renderInto(text: string): string {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return text;
  return `${text.slice(0, start + START.length)}\n${configTable()}\n${text.slice(end)}`;
}

export const DOCUMENTS = ['README.md', 'docs/operations.md'];

/** The document with the table rendered in, formatted as Prettier (which CI checks) formats it. */
export async function rendered(text: string): Promise<string> {
  return format(renderInto(text), { parser: 'markdown', proseWrap: 'preserve' });
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '../..');
  const check = process.argv.includes('--check');
  let stale = false;
  for (const document of DOCUMENTS) {
    const path = resolve(root, document);
    const text = readFileSync(path, 'utf8');
    const updated = await rendered(text);
    if (updated !== text) {
      stale = true;
      if (!check) writeFileSync(path, updated);
      process.stdout.write(`${check ? 'out of date' : 'updated'}: ${document}\n`);
    }
  }
  if (check && stale) process.exitCode = 1;
}

if (require.main === module) void main();
