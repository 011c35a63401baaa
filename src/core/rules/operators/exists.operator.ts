import { compiled, problem } from './operator';
import type { OperatorDefinition } from './operator';

/**
 * `exists`: with `true`, the fact (after `path`) is present and not null; with `false`,
 * it is absent or null. Formats differ in which fields they carry, so rules need to
 * say "only when we know the working directory".
 */
export const existsOperator: OperatorDefinition = {
  name: 'exists',
  compile(value) {
    if (typeof value !== 'boolean') return problem('exists needs true or false');
    return compiled((fact) => (fact !== undefined && fact !== null) === value);
  },
};
