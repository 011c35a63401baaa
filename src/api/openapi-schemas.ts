import type { OpenAPIObject } from '@nestjs/swagger';
import ruleSchema from '../../rules/schema/rule.schema.json';
import { RULE_ID_PATTERN } from '../rules-store/rule-paths';
import { RULE_CONVERT_REQUEST } from './dto/rule-convert-request.dto';
import { RULE_PREVIEW_REQUEST } from './dto/rule-preview-request.dto';
import { RULE_TEST_REQUEST } from './dto/rule-test-request.dto';
import { SCHEMA, schemaRef } from './openapi-refs';
import { published } from './request-body';
import type { JsonSchema } from './request-body';

/*
 * The request schemas of the OpenAPI document. The dry runs' bodies are the very
 * schemas the controller validates them with (dto/*-request.dto.ts, request-body.ts),
 * their `rule` pointed at the Rule component. A rule body is described by rules/schema/rule.schema.json itself (the
 * schema the server validates with), so a client, a generator or a fuzzer sees
 * exactly what the server accepts. That schema is draft-07 with if/then/else and
 * const, which is why the document is OpenAPI 3.1 (JSON Schema 2020-12, where
 * those keywords keep their meaning) rather than 3.0.
 */

/** OpenAPI version of the document: 3.1 so that rule.schema.json is carried over verbatim. */
export const OPENAPI_VERSION = '3.1.0';

/** The rule id as the path of /rules/{id} takes it (checked before any path is built from it). */
export const RULE_ID_PARAMETER_PATTERN = RULE_ID_PATTERN.source;

function isSchemaObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `topCondition` → `RuleTopCondition`. */
function definitionName(definition: string): string {
  return `${SCHEMA.rule}${definition.charAt(0).toUpperCase()}${definition.slice(1)}`;
}

/** Deep copy with every `#/definitions/x` reference pointed at its component. */
function withComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withComponentRefs);
  if (!isSchemaObject(value)) return value;
  const copy: JsonSchema = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] =
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/definitions/')
        ? schemaRef(definitionName(inner.slice('#/definitions/'.length))).$ref
        : withComponentRefs(inner);
  }
  return copy;
}

/**
 * rule.schema.json as components: the root as `Rule` (without `$schema`, `$id`
 * and `definitions`) and each definition as `Rule<Name>`; the PUT and PATCH
 * bodies derived from it; the bodies of the dry runs.
 */
export function requestSchemas(): Record<string, JsonSchema> {
  const source = withComponentRefs(ruleSchema) as JsonSchema;
  const {
    $schema: _schema,
    $id: _id,
    definitions,
    ...rule
  } = source as JsonSchema & {
    definitions: Record<string, JsonSchema>;
  };
  const schemas: Record<string, JsonSchema> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    schemas[definitionName(name)] = definition;
  }
  // The one part left out: which value type each operator takes (an allOf of
  // nine if/then on the operator's name). Generators cannot search it in useful
  // time, and the server checks it with the rest of the rule (400 with a pointer).
  const leaf = definitions['leafCondition'];
  if (leaf !== undefined) {
    delete leaf['allOf'];
    leaf['description'] =
      "A fact, an operator and a value. The value's type depends on the operator (docs/rules.md, Operators); rule.schema.json checks it, a wrong one is a 400.";
  }
  const properties = rule['properties'] as Record<string, JsonSchema>;
  const required = rule['required'] as string[];

  schemas[SCHEMA.rule] = rule;
  schemas[SCHEMA.ruleReplace] = {
    ...rule,
    description:
      'A whole rule (rule.schema.json); `id` may be left out, and when given must be the id of the path.',
    required: required.filter((name) => name !== 'id'),
  };
  const { id: _ruleId, $schema: _ruleSchema, ...patchable } = properties;
  schemas[SCHEMA.rulePatch] = {
    type: 'object',
    description:
      'JSON Merge Patch (RFC 7396) of a rule: the fields to change, `null` removes one. The rule after the patch must be valid.',
    additionalProperties: false,
    minProperties: 1,
    properties: Object.fromEntries(
      Object.entries(patchable).map(([name, schema]) => [
        name,
        { anyOf: [schema, { type: 'null' }] },
      ]),
    ),
  };
  schemas[SCHEMA.ruleValidateRequest] = {
    type: 'object',
    description:
      'Any JSON object: the answer lists its problems as a rule (rule.schema.json), it is never saved.',
  };
  schemas[SCHEMA.ruleTestRequest] = withRuleComponent(published(RULE_TEST_REQUEST.schema));
  schemas[SCHEMA.rulePreviewRequest] = withRuleComponent(published(RULE_PREVIEW_REQUEST.schema));
  schemas[SCHEMA.health] = {
    type: 'object',
    required: ['status', 'components'],
    properties: {
      status: { enum: ['ready', 'not ready'] },
      components: {
        type: 'object',
        description: 'kafka, elasticsearch, rules: whether each is ok, since when, and why not.',
        additionalProperties: {
          type: 'object',
          required: ['ok', 'since'],
          properties: {
            ok: { type: 'boolean' },
            reason: { type: 'string' },
            since: { type: 'string' },
          },
        },
      },
    },
  };
  schemas[SCHEMA.ruleConvertRequest] = published(RULE_CONVERT_REQUEST.schema);
  return schemas;
}

/**
 * A request schema with its `rule` property (validated as an object, then checked by
 * the rule core) published as the Rule component, its description kept.
 */
function withRuleComponent(schema: JsonSchema): JsonSchema {
  const properties = schema['properties'] as Record<string, JsonSchema>;
  const rule = properties['rule'];
  return {
    ...schema,
    properties: {
      ...properties,
      rule: { ...schemaRef(SCHEMA.rule), description: rule?.['description'] },
    },
  };
}

/**
 * Nest writes OpenAPI 3.0 schemas; in 3.1 `nullable` is gone and a nullable
 * value is `type: [T, "null"]`. Rewrites every `{type: T, nullable: true}` in place.
 */
export function nullableToTypeArrays(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(nullableToTypeArrays);
    return;
  }
  if (!isSchemaObject(value)) return;
  if (value['nullable'] === true && typeof value['type'] === 'string') {
    value['type'] = [value['type'], 'null'];
    delete value['nullable'];
  }
  Object.values(value).forEach(nullableToTypeArrays);
}

/**
 * What the health controller's decorators do not say (it is outside the rules
 * API): the bodies of /health/live and /health/ready, and readiness's 503.
 */
export function describeHealth(document: OpenAPIObject): void {
  const live = document.paths['/health/live']?.get;
  if (live !== undefined) {
    live.summary = 'Liveness: the process answers';
    live.responses = {
      '200': {
        description: 'Alive.',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['status'],
              properties: { status: { type: 'string', enum: ['ok'] } },
            },
          },
        },
      },
    };
  }
  const ready = document.paths['/health/ready']?.get;
  if (ready !== undefined) {
    ready.summary = 'Readiness: Kafka consumed, Elasticsearch writable, rules loaded';
    ready.responses = {
      '200': {
        description: 'Ready.',
        content: { 'application/json': { schema: schemaRef(SCHEMA.health) } },
      },
      '503': {
        description: 'Not ready; `components` says which part and why.',
        content: { 'application/json': { schema: schemaRef(SCHEMA.health) } },
      },
    };
  }
}
