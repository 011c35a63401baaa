import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateOpenApiDocument } from './openapi-document';
import { RULE_ID_PATTERN } from '../src/core/rules/rule-id';

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

  it('describes a rule with rule.schema.json, an optional If-Match and an id pattern', async () => {
    const document = await generateOpenApiDocument();
    expect(document.openapi).toBe('3.1.0');
    const schemas = document.components?.schemas ?? {};
    expect(schemas).toHaveProperty('Rule');
    expect(schemas).toHaveProperty('RuleTopCondition');
    expect(JSON.stringify(schemas)).not.toContain('#/definitions/');
    const put = document.paths['/rules/{id}']?.put;
    const parameters = (put?.parameters ?? []) as {
      name: string;
      in: string;
      required?: boolean;
      schema?: { pattern?: string };
    }[];
    expect(parameters.filter((p) => p.in === 'header')).toEqual([
      expect.objectContaining({ name: 'If-Match', required: false }),
    ]);
    expect(parameters.find((p) => p.name === 'id')?.schema?.pattern).toBe(RULE_ID_PATTERN.source);
    expect(Object.keys(put?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '412',
      '413',
      // RULES_STORE=kafka: Kafka unavailable, or the change not read back in time.
      '503',
      '504',
    ]);
    expect(Object.keys(document.paths['/health/ready']?.get?.responses ?? {})).toEqual([
      '200',
      '503',
    ]);
  });
});
