import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateOpenApiDocument } from './openapi-document';

describe('openapi.json', () => {
  it('is what the controllers and DTOs describe (run `npm run openapi` after an API change)', async () => {
    const committed: unknown = JSON.parse(
      readFileSync(resolve(__dirname, '../openapi.json'), 'utf8'),
    );
    const generated: unknown = JSON.parse(JSON.stringify(await generateOpenApiDocument()));
    expect(generated).toEqual(committed);
  });

  it('documents every rules endpoint and the bearer scheme', async () => {
    const document = await generateOpenApiDocument();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/rules',
        '/rules/status',
        '/rules/validate',
        '/rules/test',
        '/rules/{id}',
      ]),
    );
    expect(Object.keys(document.paths['/rules/{id}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'patch',
      'put',
    ]);
    expect(document.components?.securitySchemes).toHaveProperty('bearer');
  });
});
