/** A JSON value as JSON.parse returns it. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * RFC 7396 JSON Merge Patch: objects merge key by key, `null` deletes a key,
 * anything else (arrays included) replaces. Returns a new value; inputs are untouched.
 *
 * Every key is an own data property, `__proto__` included, as JSON.parse makes it:
 * an assignment `result["__proto__"] = …` set the prototype instead, the key
 * vanished from the written rule and a PATCH the schema must refuse answered 200
 * (issue 20). Kept as a key, the schema refuses it (400) as it does for POST.
 */
export function applyMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return patch;
  const result: { [key: string]: JsonValue } = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else {
      const current = Object.hasOwn(result, key) ? (result[key] ?? null) : null;
      Object.defineProperty(result, key, {
        value: applyMergePatch(current, value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return result;
}
