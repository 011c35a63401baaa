/**
 * `table[key]` for a lookup table written as an object literal, reading only the
 * table's own entries: `table['constructor']` would otherwise be Object's function,
 * and keys here come from input (a typed program name, a record's field).
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
