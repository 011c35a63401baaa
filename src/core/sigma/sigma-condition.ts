import { skip } from './skip';

/**
 * Sigma's condition language, parsed by recursive descent:
 *
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | primary
 *   primary := '(' expr ')' | ('1' | 'all') 'of' (pattern | 'them') | name
 *
 * `not` binds tighter than `and`, which binds tighter than `or` (the Sigma
 * specification). A name or pattern may hold `*` wildcards (`selection_*`).
 * Aggregations (`| count() > 5`) and `near` are refused with their own reason,
 * since they need several events.
 */
export type ConditionNode =
  | { type: 'and' | 'or'; items: ConditionNode[] }
  | { type: 'not'; item: ConditionNode }
  | { type: 'ref'; name: string }
  | { type: 'of'; quantifier: 'one' | 'all'; pattern: string };

const TOKEN = /\s*(\(|\)|\||[A-Za-z0-9_*]+|\S)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (match === null) {
      if (text.slice(start).trim() === '') break;
      skip('condition', `condition ${JSON.stringify(text)}: cannot read it`);
    }
    tokens.push(match[1] ?? '');
  }
  return tokens;
}

/** Parses one condition string; throws a skip with the reason on a syntax error. */
export function parseCondition(text: string): ConditionNode {
  const tokens = tokenize(text);
  if (tokens.includes('|'))
    skip(
      'aggregation',
      `condition ${JSON.stringify(text)}: aggregations ("| count() ...") need several events; write a threshold rule (docs/correlation.md)`,
    );
  let at = 0;
  const where = (): string =>
    at < tokens.length ? `at "${tokens[at] ?? ''}" (token ${at + 1})` : 'at the end';
  const fail = (what: string): never =>
    skip('condition', `condition ${JSON.stringify(text)}: ${what} ${where()}`);
  const peek = (): string | undefined => tokens[at]?.toLowerCase();

  const expr = (): ConditionNode => {
    const items = [and()];
    while (peek() === 'or') {
      at += 1;
      items.push(and());
    }
    return items.length === 1 ? (items[0] as ConditionNode) : { type: 'or', items };
  };
  const and = (): ConditionNode => {
    const items = [unary()];
    while (peek() === 'and') {
      at += 1;
      items.push(unary());
    }
    return items.length === 1 ? (items[0] as ConditionNode) : { type: 'and', items };
  };
  const unary = (): ConditionNode => {
    if (peek() === 'not') {
      at += 1;
      return { type: 'not', item: unary() };
    }
    return primary();
  };
  const primary = (): ConditionNode => {
    const token = tokens[at];
    const lower = peek();
    if (token === undefined) return fail('expected a selection name');
    if (token === '(') {
      at += 1;
      const inner = expr();
      if (tokens[at] !== ')') fail('expected ")"');
      at += 1;
      return inner;
    }
    if (tokens[at + 1]?.toLowerCase() === 'of') {
      if (lower !== '1' && lower !== 'all' && lower !== 'any') {
        if (/^\d+$/.test(token))
          skip(
            'condition',
            `condition ${JSON.stringify(text)}: "${token} of" is not supported (only "1 of" and "all of")`,
          );
        fail('expected "1 of" or "all of"');
      }
      at += 2;
      const pattern = tokens[at];
      if (pattern === undefined || !/^[A-Za-z0-9_*]+$/.test(pattern))
        fail('expected a selection pattern or "them"');
      at += 1;
      return {
        type: 'of',
        quantifier: lower === 'all' ? 'all' : 'one',
        pattern: pattern === undefined ? '' : pattern,
      };
    }
    if (lower === 'near')
      skip('aggregation', `condition ${JSON.stringify(text)}: "near" needs several events`);
    if (
      ['and', 'or', 'not', 'of', 'them', ')'].includes(lower ?? '') ||
      !/^[A-Za-z0-9_*]+$/.test(token)
    )
      fail('expected a selection name');
    at += 1;
    return { type: 'ref', name: token };
  };

  if (tokens.length === 0) return fail('empty condition:');
  const node = expr();
  if (at < tokens.length) fail('unexpected token');
  return node;
}

/** The selection names a `1 of` / `all of` pattern stands for (`them`: every name not starting with `_`). */
export function namesMatching(pattern: string, names: readonly string[]): string[] {
  if (pattern.toLowerCase() === 'them') return names.filter((name) => !name.startsWith('_'));
  const parts = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  // Selection names are short identifiers; this pattern never sees event data.
  const regex = new RegExp(`^${parts.join('.*')}$`);
  return names.filter((name) => regex.test(name));
}
