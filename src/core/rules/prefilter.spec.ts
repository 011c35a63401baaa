import { describe, expect, it } from 'vitest';
import type { CommandEvent } from '../event';
import { compileRuleSet } from './compile-rule-set';
import { formatRuleProblems, loadRuleSet } from './load-rule-set';
import type { RuleSet } from './load-rule-set';
import { createReferenceEvaluator } from './reference-evaluator';
import {
  generatedEvent,
  generatedLists,
  generateRules,
  prng,
} from '../../../bench/support/generate-rules';
import { corpus as corpusLines, packFiles } from '../../../bench/corpus';
import { commandEvent, ruleFile } from '../../../bench/support/rule-factory';
import { factsOf } from './facts';
import { Prefilter } from './prefilter';

/**
 * Differential test of the prefilter (issue 8): the compiled evaluator with the
 * prefilter must give exactly the rule ids of the compiled evaluator without it, and
 * both exactly those of json-rules-engine.
 *
 * Rules: the whole default pack (rules/, whatever is there when the test runs) plus
 * GENERATED_RULES generated rules (bench/support/generate-rules.ts; shapes cycle every 20
 * rules, so these use every operator, each shape twice or more: regexes with
 * alternation, optional groups, classes, escapes and the `i` flag, anyCommand specs,
 * exceptions, time windows, CIDRs, and rules with no extractable keyword).
 * Events: 100,000 generated events (30% lines from test/fixtures/corpus/, the rest
 * synthetic lines with quoting, backslash, path, case, base64, `bash -c` and `$(...)`
 * obfuscation), seeded, so a failure is reproducible.
 *
 * What is compared, exactly:
 * - prefilter on vs off (every enabled rule run on every event): ALL 100,000 events,
 *   identical rule ids required;
 * - json-rules-engine (the reference, rule semantics) vs the compiled evaluator: a
 *   deterministic stratified subset, because json-rules-engine is ~1,000x slower. The
 *   rules are split into chunks of CHUNK; chunk c is run through json-rules-engine on
 *   the events i with i % STRIDE === c % STRIDE, i.e. every rule is checked against
 *   100,000 / STRIDE events spread evenly over the whole sequence (EVENTS / STRIDE
 *   events per chunk, different events for different chunks), with identical rule ids
 *   required. The remaining (event, rule) pairs are not run through json-rules-engine.
 * Separately, prefilter on vs off over every line of the malicious and benign corpora,
 * as root and as a user.
 */
const EVENTS = 100_000;
const GENERATED_RULES = 40;
const CHUNK = 40;
const STRIDE = 250;

function packAndGenerated(): RuleSet {
  const { rules, lists } = packFiles();
  const listNames = new Set(lists.map((f) => (JSON.parse(f.text) as { name: string }).name));
  const extraLists = generatedLists().filter(
    (f) => !listNames.has((JSON.parse(f.text) as { name: string }).name),
  );
  const loaded = loadRuleSet(
    [...rules, ...generateRules(GENERATED_RULES)],
    [...lists, ...extraLists],
  );
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  return loaded.ruleSet;
}

const ids = (matches: { rule: { id: string } }[]): string[] => matches.map((m) => m.rule.id);

describe('prefilter differential', () => {
  const ruleSet = packAndGenerated();
  const withPrefilter = compileRuleSet(ruleSet);
  const without = compileRuleSet(ruleSet, { prefilter: false });
  const corpus = corpusLines();

  it(`keeps every match: prefilter on vs off and vs json-rules-engine over ${EVENTS} events`, async () => {
    const random = prng(20260808);
    const enabled = ruleSet.rules.filter((r) => r.definition.enabled);
    const chunks = Array.from({ length: Math.ceil(enabled.length / CHUNK) }, (_, c) => {
      const chunkRules = enabled.slice(c * CHUNK, c * CHUNK + CHUNK);
      const chunkSet: RuleSet = { ...ruleSet, rules: chunkRules };
      return {
        ids: new Set(chunkRules.map((r) => r.definition.id)),
        reference: createReferenceEvaluator(chunkSet),
      };
    });
    const hits = new Map<string, number>();
    let referenceChecks = 0;
    const mismatches: string[] = [];
    // The rules' own match examples join the corpora, so that a rule written after the
    // corpora (most of the pack's newer ones) still meets lines it matches.
    const examples = enabled.flatMap((r) =>
      (r.definition.examples?.match ?? []).filter((line) => typeof line === 'string'),
    );
    const lines = [...corpus.malicious, ...corpus.benign, ...examples];
    for (let i = 0; i < EVENTS; i++) {
      const event: CommandEvent = generatedEvent(random, lines);
      const fast = ids(withPrefilter.evaluate(event));
      const full = ids(without.evaluate(event));
      if (fast.join() !== full.join() && mismatches.length < 5)
        mismatches.push(
          `${JSON.stringify(event.process.command_line)}: prefilter ${fast.join()} vs ${full.join()}`,
        );
      for (const id of full) hits.set(id, (hits.get(id) ?? 0) + 1);
      for (let c = i % STRIDE; c < chunks.length; c += STRIDE) {
        const chunk = chunks[c]!;
        const referenced = ids(await chunk.reference.evaluateReference(event));
        const compiled = full.filter((id) => chunk.ids.has(id));
        referenceChecks += 1;
        if (referenced.join() !== compiled.join() && mismatches.length < 5)
          mismatches.push(
            `${JSON.stringify(event.process.command_line)}: reference ${referenced.join()} vs compiled ${compiled.join()}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
    // Every chunk was checked against json-rules-engine on EVENTS / STRIDE events.
    expect(referenceChecks).toBe(
      chunks.length * Math.min(1, STRIDE / chunks.length) * (EVENTS / STRIDE),
    );
    // Not vacuous: nearly every rule matched something, and none matched everything.
    const matched = enabled.filter((r) => (hits.get(r.definition.id) ?? 0) > 0).length;
    expect(matched / enabled.length).toBeGreaterThan(0.85);
    expect(Math.max(...hits.values())).toBeLessThan(EVENTS);
    // A hang guard, not a speed check: the run grows with the pack (114 s alone at 353
    // rules on an idle 2-core machine) and shares the cores with other test files.
  }, 600_000);

  it('keeps every match over the malicious and benign corpora', { timeout: 120_000 }, () => {
    const lines = [...corpus.malicious, ...corpus.benign];
    expect(corpus.malicious.length).toBeGreaterThan(0);
    let alerts = 0;
    for (const line of lines) {
      for (const user of [
        { name: 'alice', id: '1000' },
        { name: 'root', id: '0' },
      ]) {
        const event = commandEvent(line, { user });
        // Whole matches, not just ids: gated `any` children must report the same leaves.
        const fast = withPrefilter.evaluate(event);
        expect([line, fast]).toEqual([line, without.evaluate(event)]);
        alerts += fast.length;
      }
    }
    expect(alerts).toBeGreaterThan(0);
  });

  it(
    'keeps every match on corpus lines rewritten with braces, globs, stdin scripts and expansions',
    { timeout: 240_000 },
    () => {
      // Issue 21's shell semantics make words the line does not hold verbatim; the
      // plain-line shortcut must still see them (prefilter.ts, EXPANSION_CLASS and
      // STDIN_PRODUCERS). Each rewrite is what an evader would type.
      const unquoted = (line: string): string => line.replace(/['"]/g, '');
      const rewrites: Record<string, (line: string) => string> = {
        echoPipe: (line) => `echo ${unquoted(line).replace(/[;|&<>()]/g, ' ')} | bash`,
        quotedEcho: (line) => `echo '${unquoted(line)}' | sh`,
        printf: (line) => `printf %s '${unquoted(line)}' | sh`,
        hereString: (line) => `bash <<< '${unquoted(line)}'`,
        base64: (line) => `echo ${Buffer.from(line).toString('base64')} | base64 -d | sh`,
        braces: (line) => {
          const [first = '', second = '', ...rest] = line.split(' ');
          return [`{${first},${second}}`, ...rest].join(' ');
        },
        globs: (line) =>
          line.replace(/(\/[a-z]+\/[a-z])[a-z]/g, '$1?').replace(/^cat /, '/???/c?t '),
        substitution: (line) => line.replace(/^([a-z]+) /, '$$(echo $1) '),
      };
      const lines = [...corpus.malicious, ...corpus.benign.filter((_, i) => i % 2 === 0)];
      const alerts = new Map<string, number>();
      for (const [name, rewrite] of Object.entries(rewrites)) {
        for (const line of lines) {
          const event = commandEvent(rewrite(line));
          const fast = ids(withPrefilter.evaluate(event));
          expect([event.process.command_line, fast]).toEqual([
            event.process.command_line,
            ids(without.evaluate(event)),
          ]);
          alerts.set(name, (alerts.get(name) ?? 0) + (fast.length > 0 ? 1 : 0));
        }
      }
      // Not vacuous: every rewrite leaves lines that the pack still alerts on.
      for (const name of Object.keys(rewrites))
        expect([name, (alerts.get(name) ?? 0) > 50]).toEqual([name, true]);
    },
  );

  it('indexes most generated rules', () => {
    const stats = withPrefilter.prefilterStats;
    expect(stats?.rules).toBe(ruleSet.rules.filter((r) => r.definition.enabled).length);
    // Every generated shape has a necessary condition (19: root and its working directory); the pack's rules may add a few.
    expect(stats!.alwaysCandidates).toBeLessThan(stats!.rules * 0.2);
  });
});

/** The rules' candidates per line, and their evaluators with the prefilter on and off. */
function indexed(files: ReturnType<typeof ruleFile>[]): {
  candidates: (line: string, overrides?: Partial<CommandEvent>) => string[];
  on: ReturnType<typeof compileRuleSet>;
  off: ReturnType<typeof compileRuleSet>;
} {
  const loaded = loadRuleSet(files);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const prefilter = new Prefilter(loaded.ruleSet.rules, loaded.ruleSet.context);
  return {
    candidates: (line, overrides) =>
      prefilter.candidates(factsOf(commandEvent(line, overrides))).map((r) => r.definition.id),
    on: compileRuleSet(loaded.ruleSet),
    off: compileRuleSet(loaded.ruleSet, { prefilter: false }),
  };
}

describe('prefilter on regexes with several literals', () => {
  // Each literal of the sequence is necessary: the rule is a candidate only when the line
  // has both `sudo` and one of `-r`/`--chroot`, not on every sudo line.
  const { candidates, on, off } = indexed([
    ruleFile({
      id: 'SW-TST-0201',
      conditions: {
        all: [
          {
            fact: 'commands',
            operator: 'anyCommand',
            value: { raw: { regex: '^sudo +(-[a-zA-Z]+ +)*(-R|--chroot[= ])' } },
          },
        ],
      },
    }),
    ruleFile({
      id: 'SW-TST-0202',
      conditions: {
        all: [{ fact: 'commandLine', operator: 'regex', value: '^curl [^|]*[|] *(ba)?sh' }],
      },
    }),
  ]);

  it('needs every literal of the sequence, not the best one alone', () => {
    expect(candidates('sudo apt-get update')).toEqual([]);
    expect(candidates('curl -o x https://example.test/a')).toEqual([]);
    expect(candidates('sudo chown -R www-data /srv/www')).toEqual(['SW-TST-0201']);
    expect(candidates('curl -s https://example.test/i | bash')).toEqual(['SW-TST-0202']);
  });

  it('still finds every match', () => {
    for (const line of [
      'sudo -u root --chroot=/mnt/x id',
      `sudo -E -R /mnt/x id`,
      `"sudo" -R /x id`,
      'CURL https://x/i.sh|sh',
      'sudo apt-get update',
      'curl -s https://example.test/i | bash',
    ]) {
      const event = commandEvent(line);
      expect([line, ids(on.evaluate(event))]).toEqual([line, ids(off.evaluate(event))]);
    }
    // Not vacuous: both rules match lines that have all their literals.
    expect(ids(on.evaluate(commandEvent('sudo -R /mnt/x id')))).toEqual(['SW-TST-0201']);
    expect(ids(on.evaluate(commandEvent('curl -s https://example.test/i | bash')))).toEqual([
      'SW-TST-0202',
    ]);
  });
});

describe('prefilter on an `all` holding an `any`', () => {
  // `all: [any: [A, B], C]` is a candidate on "A and C, or B and C", each with its two
  // most selective parts; the union of the children's best atoms (`cp` or `shadow.bak`)
  // with `C` would let every `cp … /tmp/…` line through.
  const { candidates, on, off } = indexed([
    ruleFile({
      id: 'SW-TST-0301',
      conditions: {
        all: [
          {
            any: [
              {
                fact: 'commands',
                operator: 'anyCommand',
                value: { program: 'cp', anyArg: { startsWithI: '/etc/' } },
              },
              { fact: 'commandLine', operator: 'containsI', value: 'shadow.bak' },
            ],
          },
          { fact: 'commandLine', operator: 'containsI', value: '/tmp/' },
        ],
      },
    }),
  ]);

  it('needs one child together with the other conditions', () => {
    expect(candidates('cp -a /srv/app /tmp/app')).toEqual([]);
    expect(candidates('cp /etc/hosts /tmp/x')).toEqual(['SW-TST-0301']);
    expect(candidates('mv /tmp/shadow.bak /root/')).toEqual(['SW-TST-0301']);
  });

  it('still finds every match', () => {
    let matched = 0;
    for (const line of [
      'cp /etc/shadow /tmp/x',
      'sudo cp /etc/hosts /tmp/',
      'mv /TMP/SHADOW.BAK /root/',
      'cp -a /srv/app /tmp/app',
      'cat /etc/shadow > /tmp/s',
    ]) {
      const event = commandEvent(line);
      const expected = ids(off.evaluate(event));
      expect([line, ids(on.evaluate(event))]).toEqual([line, expected]);
      matched += expected.length;
    }
    expect(matched).toBe(3);
  });
});

describe('prefilter on event fields', () => {
  // Root on a weekend in /srv/*/*: before fields were indexed, a candidate on every root
  // line. The glob's literal `/srv/` is necessary in the working directory.
  const { candidates, on, off } = indexed([
    ruleFile({
      id: 'SW-TST-0401',
      conditions: {
        all: [
          { fact: 'isRoot', operator: 'equal', value: true },
          { fact: 'process', path: '$.working_directory', operator: 'glob', value: '/srv/*/*' },
        ],
      },
    }),
    ruleFile({
      id: 'SW-TST-0402',
      conditions: {
        all: [
          { fact: 'user', path: '$.name', operator: 'in', value: ['Deploy', 'ci'] },
          { fact: 'host', path: '$.name', operator: 'startsWithI', value: 'db-' },
        ],
      },
    }),
  ]);
  const root = { user: { name: 'root', id: '0' } };
  const at = (cwd: unknown, line = 'id'): Partial<CommandEvent> => ({
    ...root,
    process: { command_line: line, working_directory: cwd } as CommandEvent['process'],
  });

  it("needs the field's keyword", () => {
    expect(candidates('id', at('/home/alice'))).toEqual([]);
    expect(candidates('id', at('/srv/app/x'))).toEqual(['SW-TST-0401']);
    expect(candidates('ls', { user: { name: 'alice' }, host: { name: 'DB-1' } })).toEqual([]);
    expect(candidates('ls', { user: { name: 'Deploy' }, host: { name: 'web-1' } })).toEqual([]);
    expect(candidates('ls', { user: { name: 'Deploy' }, host: { name: 'DB-1' } })).toEqual([
      'SW-TST-0402',
    ]);
  });

  it('still finds every match, whatever the field holds', () => {
    let matched = 0;
    for (const cwd of ['/srv/app/x', '/SRV/app/x', '/srv/app', '/home/x', ['/srv/a/b'], 7, null]) {
      const event = commandEvent('id', at(cwd));
      const expected = ids(off.evaluate(event));
      expect([cwd, ids(on.evaluate(event))]).toEqual([cwd, expected]);
      matched += expected.length;
    }
    for (const name of ['Deploy', 'deploy', 'ci', 'CI']) {
      const event = commandEvent('ls', { user: { name }, host: { name: 'db-2' } });
      const expected = ids(off.evaluate(event));
      expect([name, ids(on.evaluate(event))]).toEqual([name, expected]);
      matched += expected.length;
    }
    // Unlike the line, a field may hold a number, which `in` compares as it is.
    const exitCodes = indexed([
      ruleFile({
        id: 'SW-TST-0403',
        conditions: {
          all: [{ fact: 'process', path: '$.exit_code', operator: 'in', value: [7, 'seven'] }],
        },
      }),
    ]);
    for (const exitCode of [7, 'seven', '7', 8]) {
      const event = commandEvent('ls', {
        process: { command_line: 'ls', exit_code: exitCode } as CommandEvent['process'],
      });
      const expected = ids(exitCodes.off.evaluate(event));
      expect([exitCode, ids(exitCodes.on.evaluate(event))]).toEqual([exitCode, expected]);
      matched += expected.length;
    }
    // Not vacuous: /srv/app/x and the array; Deploy and ci; 7 and 'seven'.
    expect(matched).toBe(6);
  });
});
