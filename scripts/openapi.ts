/**
 * `npm run openapi`: writes openapi.json, the OpenAPI document of the HTTP API,
 * from the controllers and DTOs themselves (the same document /docs-json serves).
 *
 * The app is created in Nest's preview mode: modules are scanned but no provider
 * is constructed, so nothing connects to Kafka or Elasticsearch and no rules
 * folder is read. Configuration is the defaults; the environment is not read.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { buildOpenApiDocument } from '../src/api/http-api';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/config';

const ROOT = resolve(__dirname, '../..');

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule.forRoot(loadConfig({})), {
    preview: true,
    logger: false,
  });
  const document = buildOpenApiDocument(app);
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
