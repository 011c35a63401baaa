import { corpus as corpusLines, packFiles } from '../../bench/corpus';
import { generatedLists, generateRules } from '../../bench/support/generate-rules';
import { ruleFile } from '../../bench/support/rule-factory';
import { formatRuleProblems, loadRuleSet } from '../../src/core/rules/load-rule-set';
import type { RuleSet } from '../../src/core/rules/load-rule-set';
import type { SourceFile } from '../../src/core/rules/types';

/*
 * The rules the prefilter's line specs share (prefilter-line-cache.spec.ts,
 * prefilter-line-verdicts.spec.ts): one fixture, so that both hold the line
 * cache and the line verdicts to the same cases.
 */

/** Loads rules with regexes unchecked: recheck's verdicts are beside the point and slow on a busy machine. */
export function loadUnchecked(rules: SourceFile[], lists: SourceFile[] = []): RuleSet {
  const loaded = loadRuleSet(rules, lists, { checkRegex: () => undefined });
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  return loaded.ruleSet;
}

/** The shipped pack plus `generated` generated rules, with every list they name; and the corpus. */
export function packWithGenerated(generated: number): {
  ruleSet: RuleSet;
  malicious: string[];
  benign: string[];
} {
  const { rules, lists } = packFiles();
  const names = new Set(lists.map((f) => (JSON.parse(f.text) as { name: string }).name));
  const extraLists = generatedLists().filter(
    (f) => !names.has((JSON.parse(f.text) as { name: string }).name),
  );
  const ruleSet = loadUnchecked([...rules, ...generateRules(generated)], [...lists, ...extraLists]);
  return { ruleSet, ...corpusLines() };
}

/** A line-only rule: the command runs `program`. */
export function programRule(id: string, program: string): SourceFile {
  return ruleFile({
    id,
    conditions: { all: [{ fact: 'commands', operator: 'anyCommand', value: { program } }] },
  });
}

/** A line part and an event part: root runs `program`. */
export function rootRunsRule(id: string, program: string): SourceFile {
  return ruleFile({
    id,
    conditions: {
      all: [
        { fact: 'isRoot', operator: 'equal', value: true },
        { fact: 'commands', operator: 'anyCommand', value: { program } },
      ],
    },
  });
}

/** The event part of a line-and-directory rule: the working directory is under /srv/. */
export const IN_SRV = {
  fact: 'process',
  path: '$.working_directory',
  operator: 'startsWithI',
  value: '/srv/',
} as const;

/** A line part and an event part: `program` runs under /srv/. */
export function runsInSrvRule(id: string, program: string): SourceFile {
  return ruleFile({
    id,
    conditions: {
      all: [IN_SRV, { fact: 'commands', operator: 'anyCommand', value: { program } }],
    },
  });
}
