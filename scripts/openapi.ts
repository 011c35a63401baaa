/**
 * `npm run openapi`: writes openapi.json, the OpenAPI document of the HTTP API,
 * from the controllers and DTOs themselves (the same document /docs-json serves).
 * scripts/openapi.spec.ts fails when the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateOpenApiDocument } from './openapi-document';

const ROOT = resolve(__dirname, '../..');

async function main(): Promise<void> {
  const document = await generateOpenApiDocument();
  const target = resolve(ROOT, 'openapi.json');
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`wrote ${target}: ${Object.keys(document.paths).length} paths\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `openapi: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
