import { Injectable } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import Ajv from 'ajv';
import type { ErrorObject, JSONSchemaType, ValidateFunction } from 'ajv';
import { RuleInvalidException } from './api-errors';
import type { RuleProblemDto } from './dto/rule.dto';
import { isJsonObject } from './merge-patch';

/*
 * One schema per request body: the JSON Schema a request is validated with at the
 * controller (RequestBodyPipe) is the one the OpenAPI document publishes
 * (openapi-schemas.ts), and ajv's JSONSchemaType<T> checks at compile time that it
 * describes the DTO type T the controller method receives. A body that does not
 * match is a 400 with every problem and its JSON pointer; the services get a typed
 * DTO and no longer look at shapes.
 */

/** A JSON Schema as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** One schema problem as the client reads it, and the sentence that heads the 400 when it comes first. */
export interface RequestProblem extends RuleProblemDto {
  headline: string;
  /** Which problem heads the 400: the lowest rank (the order the checks had before the schema). */
  rank: number;
}

/** A problem in the request's own words; without a headline or rank, the defaults. */
export type WordedProblem = RuleProblemDto & Partial<Pick<RequestProblem, 'headline' | 'rank'>>;

/** A request body's schema with the words of its 400s. */
export interface RequestSchema<T> {
  /** What the body is, in the 400 of a body that is not a JSON object (`a test request`). */
  readonly what: string;
  /** The schema: validates the body and, as `published`, documents it. */
  readonly schema: JSONSchemaType<T>;
  /** The client's words for an ajv error; undefined keeps ajv's own (`must be <= 1000`). */
  readonly word?: (error: ErrorObject) => WordedProblem;
  /** The 400's message from its problems; default: the headline of the first-ranked problem. */
  readonly message?: (problems: readonly RequestProblem[]) => string;
  /** The message of a body that is not a JSON object; default `expected <what> as a JSON object …`. */
  readonly notObject?: string;
}

/** Rank of unknown properties: before anything else, as the request's fields are read by name. */
const UNKNOWN_PROPERTY_RANK = 0;

// verbose: the failing value is in the error (`invalid rule id "x"`); strictRequired off
// so that `oneOf: [{required: [a]}, {required: [b]}]` may name properties of the parent.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, verbose: true });

/**
 * The schema without `nullable` and empty `required` lists, which JSONSchemaType<T>
 * asks for. With `nullable: true` on an optional property ajv would accept `null`
 * there, which the DTO types (`?:`, never null) do not: the schema validated and
 * published is the stricter one.
 */
export function published(schema: unknown): JsonSchema {
  return withoutNullable(schema) as JsonSchema;
}

function withoutNullable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullable);
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(
        ([keyword, inner]) =>
          keyword !== 'nullable' &&
          !(keyword === 'required' && Array.isArray(inner) && inner.length === 0),
      )
      .map(([keyword, inner]) => [keyword, withoutNullable(inner)]),
  );
}

const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf<T>(request: RequestSchema<T>): ValidateFunction<T> {
  let validate = compiled.get(request);
  if (validate === undefined) {
    validate = ajv.compile(published(request.schema));
    compiled.set(request, validate);
  }
  return validate as ValidateFunction<T>;
}

/**
 * The body as the request's DTO, or a 400 (RuleInvalidException) with every problem of
 * the body and its JSON pointer, headed by the first one.
 */
export function parseRequestBody<T>(request: RequestSchema<T>, body: unknown): T {
  if (!isJsonObject(body)) {
    throw new RuleInvalidException(
      request.notObject ??
        `expected ${request.what} as a JSON object (Content-Type: application/json)`,
      [{ pointer: '', message: 'must be a JSON object' }],
    );
  }
  const validate = validatorOf(request);
  if (validate(body)) return body;
  const problems = requestProblems(request, validate.errors ?? []);
  throw new RuleInvalidException(
    (request.message ?? headlineOfFirst)(problems),
    problems.map(({ pointer, message }) => ({ pointer, message })),
  );
}

/** The problems of the errors, each once, ordered by rank (stable). */
function requestProblems<T>(
  request: RequestSchema<T>,
  errors: readonly ErrorObject[],
): RequestProblem[] {
  const problems: RequestProblem[] = [];
  for (const error of errors) {
    const problem = wordOf(request, error);
    if (!problems.some((p) => p.pointer === problem.pointer && p.message === problem.message)) {
      problems.push(problem);
    }
  }
  return problems.sort((a, b) => a.rank - b.rank);
}

function wordOf<T>(request: RequestSchema<T>, error: ErrorObject): RequestProblem {
  if (error.keyword === 'additionalProperties') {
    const name = String((error.params as { additionalProperty: unknown }).additionalProperty);
    const pointer = `${error.instancePath}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    return {
      pointer,
      message: 'unknown property',
      headline: JSON.stringify(name),
      rank: UNKNOWN_PROPERTY_RANK,
    };
  }
  const worded = request.word?.(error);
  const pointer = worded?.pointer ?? error.instancePath;
  const message = worded?.message ?? error.message ?? error.keyword;
  return {
    pointer,
    message,
    headline: worded?.headline ?? `invalid ${request.what}: ${pointer || '/'} ${message}`,
    rank: worded?.rank ?? Number.MAX_SAFE_INTEGER,
  };
}

/**
 * The headline of the first-ranked problem; unknown properties are named together
 * (`unknown properties: "a", "b"`).
 */
function headlineOfFirst(problems: readonly RequestProblem[]): string {
  const first = problems[0];
  if (first === undefined) return 'invalid request';
  if (first.rank !== UNKNOWN_PROPERTY_RANK) return first.headline;
  const unknown = problems
    .filter((problem) => problem.rank === UNKNOWN_PROPERTY_RANK)
    .map((problem) => problem.headline);
  return `unknown propert${unknown.length === 1 ? 'y' : 'ies'}: ${unknown.join(', ')}`;
}

/**
 * `@Body(new RequestBodyPipe(SCHEMA)) body: Dto`: the controller method receives the
 * body as its DTO, validated by the request's schema (400 otherwise).
 */
@Injectable()
export class RequestBodyPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly request: RequestSchema<T>) {}

  transform(body: unknown): T {
    return parseRequestBody(this.request, body);
  }
}
