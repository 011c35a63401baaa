import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from '../src/api/http-api';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/config';

/**
 * The OpenAPI document of the service, built without running it: the app is
 * created in Nest's preview mode, where modules are scanned but no provider is
 * constructed, so nothing connects to Kafka or Elasticsearch and no rules folder
 * is read. Configuration is the defaults; the environment is not read.
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule.forRoot(loadConfig({})), {
    preview: true,
    logger: false,
  });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
