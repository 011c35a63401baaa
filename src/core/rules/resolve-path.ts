/**
 * Resolves a condition's `path` the way json-rules-engine does for the paths our
 * schema allows (`$`, `$.a.b`, `$.args[0]`): the engine uses JSONPath only when the
 * fact is an object, and otherwise hands the fact through unchanged. Restricting paths
 * to this subset lets the compiled evaluator walk them without a JSONPath library.
 */

/** The `path` syntax rules may use; the JSON Schema uses the same pattern. */
export const PATH_PATTERN = '^\\$(\\.[A-Za-z_][A-Za-z0-9_]*|\\[[0-9]+\\])*$';

type Segment = string | number;

/** Splits a validated path into property names and array indices. */
export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]/g;
  for (const match of path.slice(1).matchAll(re)) {
    segments.push(match[1] !== undefined ? match[1] : Number(match[2]));
  }
  return segments;
}

/** Compiles a validated path into a resolver; `undefined` path means the fact itself. */
export function compilePath(path: string | undefined): (factValue: unknown) => unknown {
  if (path === undefined || path === '') return (v) => v;
  const segments = parsePath(path);
  return (factValue) => {
    if (factValue === null || typeof factValue !== 'object') return factValue;
    let current: unknown = factValue;
    for (const segment of segments) {
      if (current === null || typeof current !== 'object') return undefined;
      if (typeof segment === 'number') {
        if (!Array.isArray(current)) return undefined;
        current = current[segment];
      } else {
        if (Array.isArray(current) || !Object.prototype.hasOwnProperty.call(current, segment))
          return undefined;
        current = (current as Record<string, unknown>)[segment];
      }
    }
    return current;
  };
}
