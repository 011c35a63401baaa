import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { listValidator, ruleValidator } from '../src/core/rules/schema-validators.generated';
import { GENERATED_FILE, ruleSchemaAjv, ruleValidatorsSource, VALIDATORS } from './rule-validators';

const REPO = resolve(__dirname, '..');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const packRules = jsonFiles(join(REPO, 'rules'))
  .filter((file) => !file.includes('/schema/') && !file.includes('/lists/'))
  .map((file) => JSON.parse(readFileSync(file, 'utf8')) as unknown);
const packLists = jsonFiles(join(REPO, 'rules', 'lists')).map(
  (file) => JSON.parse(readFileSync(file, 'utf8')) as unknown,
);

/** The straightforward definition: ajv compiling the schemas in this process. */
const compiled = (() => {
  const ajv = ruleSchemaAjv();
  return {
    rule: ajv.getSchema(VALIDATORS.ruleValidator)!,
    list: ajv.getSchema(VALIDATORS.listValidator)!,
  };
})();

function outcome(validate: ValidateFunction, document: unknown): unknown {
  const valid = validate(document);
  return { valid, errors: valid ? null : structuredClone(validate.errors) };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside `value` (the root included). */
function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const found = [at];
  if (Array.isArray(value)) value.forEach((v, i) => found.push(...paths(v, [...at, i])));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) found.push(...paths(v, [...at, k]));
  return found;
}

type Edit = 'replace' | 'delete' | 'add';

/** `document` with one edit at `path`: the value replaced or deleted, or a key added beside it. */
function edited(document: Json, path: (string | number)[], edit: Edit, value: Json): Json {
  const copy = structuredClone(document);
  if (path.length === 0) return edit === 'replace' ? value : copy;
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string, Json>)[key]!;
  const last = path[path.length - 1]!;
  const container = parent as Record<string | number, Json>;
  if (edit === 'replace') container[last] = value;
  else if (edit === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete container[last];
  } else if (!Array.isArray(parent)) container['x-unknown'] = value;
  return copy;
}

describe('generated rule and list validators (ajv standalone code)', () => {
  it(`${GENERATED_FILE} is what the schemas generate`, () => {
    const text = readFileSync(join(REPO, GENERATED_FILE), 'utf8');
    expect(text === ruleValidatorsSource(), 'run: npm run rules:validators').toBe(true);
  });

  it('judge every pack rule and list as ajv compiling the schemas does', () => {
    expect(packRules.length).toBeGreaterThan(100);
    for (const rule of packRules)
      expect(outcome(ruleValidator, rule)).toEqual({ valid: true, errors: null });
    for (const list of packLists)
      expect(outcome(listValidator, list)).toEqual({ valid: true, errors: null });
  });

  it('report the same errors as ajv compiling the schemas for edited pack rules and lists', () => {
    const edits = fc.constantFrom<Edit>('replace', 'replace', 'delete', 'add');
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
      fc.constantFrom<Json>('critical', 'regex', 'notARealOperator', 'SW-X-1', '', -1, {}, []),
    );
    let invalid = 0;
    for (const [documents, generated, reference] of [
      [packRules, ruleValidator, compiled.rule],
      [packLists, listValidator, compiled.list],
    ] as const) {
      fc.assert(
        fc.property(
          fc.constantFrom(...(documents as Json[])),
          fc.nat(),
          edits,
          value,
          (document, pick, edit, replacement) => {
            const all = paths(document);
            const changed = edited(document, all[pick % all.length]!, edit, replacement);
            const expected = outcome(reference, changed);
            if (!(expected as { valid: boolean }).valid) invalid += 1;
            expect(outcome(generated, changed)).toEqual(expected);
          },
        ),
        { seed: 25, numRuns: 3000 },
      );
    }
    // The comparison means something only if most edits broke the document.
    expect(invalid).toBeGreaterThan(2000);
  });
});
