import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { refuseDeepJson } from './json-depth';
import { controllerRoutes, methodNotAllowed, methodTable } from './method-not-allowed';
import {
  describeHealth,
  nullableToTypeArrays,
  OPENAPI_VERSION,
  requestSchemas,
} from './openapi-schemas';

/** Largest JSON request body accepted; a larger one is answered 413. A rule is a few KiB. */
export const JSON_BODY_LIMIT_BYTES = 256 * 1024;

/** JSON media types the API reads: plain JSON and `application/merge-patch+json` (PATCH). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/**
 * What the HTTP API needs from the application, called once before it listens:
 * 405 with `Allow` for a method no route has on a known path, the JSON body
 * parser with our limits (size, and nesting depth checked on the raw bytes before
 * parsing) and media types (installed before Nest's default 100 KiB parser, which
 * then stands aside), and the OpenAPI document at `/docs` (UI) and `/docs-json`.
 */
export function configureHttpApi(app: NestExpressApplication): void {
  app.use(methodNotAllowed(methodTable(controllerRoutes(app))));
  app.useBodyParser('json', {
    limit: JSON_BODY_LIMIT_BYTES,
    type: JSON_MEDIA_TYPES,
    verify: refuseDeepJson,
  });
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
  });
}

/** The OpenAPI document of every controller of the app (also written to openapi.json by `npm run openapi`). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Shellwatch')
    .setDescription(
      'Rules, health and readiness of the Shellwatch shell-audit service. Rule changes need `Authorization: Bearer <API_KEY>`; see docs/api.md.',
    )
    .setVersion('1')
    .setOpenAPIVersion(OPENAPI_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The API_KEY of the service' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  nullableToTypeArrays(document);
  describeHealth(document);
  document.components = {
    ...document.components,
    // JSON Schema 2020-12 (OpenAPI 3.1) beyond the 3.0 SchemaObject type Nest declares.
    schemas: {
      ...document.components?.schemas,
      ...(requestSchemas() as Record<string, SchemaObject>),
    },
  };
  return document;
}
