/**
 * Rule ids. Any author may name a rule: letters, digits, `.`, `_` and `-`, the first a
 * letter or digit, 1..128 characters (a UUID, `ACME-0001`, `acme.ssh-keys`). The file is
 * named after the id, so the first-character rule keeps `.`/`..` and hidden files out.
 *
 * `SW-` (any case) is reserved for the shipped pack: an id that starts with it must be
 * the pack's own form `SW-<AREA>-NNNN`; any other `SW-…`/`sw-…` id is refused, so a user
 * rule cannot take a name the pack may ship later. Users pick their own prefix.
 */

/** Longest rule id (a UUID is 36; room for a prefix and a name; far below NAME_MAX). */
export const RULE_ID_MAX_LENGTH = 128;

/**
 * The shipped pack's ids: `SW-<AREA>-NNNN`, the area bounded so the whole id stays
 * within RULE_ID_MAX_LENGTH (a 260-character area answered 500, ENAMETOOLONG: issue 20).
 */
export const PACK_RULE_ID_SOURCE = `SW-[A-Z][A-Z0-9]{0,${RULE_ID_MAX_LENGTH - 9}}-\\d{4}`;

/** Every accepted id, as a JavaScript / JSON Schema (ECMA-262) pattern source. */
export const RULE_ID_PATTERN_SOURCE = `^(?:${PACK_RULE_ID_SOURCE}|(?![Ss][Ww]-)[A-Za-z0-9][A-Za-z0-9._-]{0,${RULE_ID_MAX_LENGTH - 1}})$`;

export const RULE_ID_PATTERN = new RegExp(RULE_ID_PATTERN_SOURCE);

const PACK_RULE_ID = new RegExp(`^${PACK_RULE_ID_SOURCE}$`);

/** True for ids of the shipped pack's form (`SW-DST-0001`). */
export function isPackRuleId(id: string): boolean {
  return PACK_RULE_ID.test(id);
}

/** Why `id` is refused, or undefined when it is a valid rule id. */
export function ruleIdProblem(id: string): string | undefined {
  if (id.length > RULE_ID_MAX_LENGTH)
    return `a rule id has at most ${RULE_ID_MAX_LENGTH} characters (this one has ${id.length})`;
  if (RULE_ID_PATTERN.test(id)) return undefined;
  if (id.length === 0) return 'a rule id cannot be empty';
  if (/^sw-/i.test(id))
    return 'the SW- prefix is reserved for the shipped pack (SW-<AREA>-NNNN, e.g. SW-LNX-0001); use a prefix of your own, e.g. ACME-0001';
  return 'a rule id is letters, digits, ".", "_" and "-", starting with a letter or digit (e.g. ACME-0001, a UUID)';
}
