import { parseJsonFile } from './parse-json-file';
import type { RuleProblem, SourceFile } from './types';
import { validateListDocument } from './validate-schema';

/** A named list as rules use it: `inList` looks items up in a Set. */
export type NamedLists = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Loads rules/lists/*.json files (`{"name", "description", "items"}`), reporting every
 * invalid file and every name defined twice; a list is usable only when it is valid.
 */
export function loadLists(files: readonly SourceFile[]): {
  lists: NamedLists;
  problems: RuleProblem[];
} {
  const lists = new Map<string, ReadonlySet<string>>();
  const definedIn = new Map<string, string>();
  const problems: RuleProblem[] = [];
  for (const file of files) {
    const parsed = parseJsonFile(file);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    const schemaProblems = validateListDocument(parsed.value);
    if (schemaProblems.length > 0) {
      problems.push(...schemaProblems.map((p) => ({ file: file.path, ...p })));
      continue;
    }
    const { name, items } = parsed.value as { name: string; items: string[] };
    const first = definedIn.get(name);
    if (first !== undefined) {
      problems.push({
        file: file.path,
        pointer: '/name',
        message: `list "${name}" is already defined in ${first}`,
      });
      continue;
    }
    definedIn.set(name, file.path);
    lists.set(name, new Set(items));
  }
  return { lists, problems };
}
