import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../src/core/rules';
import { ruleFile } from '../bench/support/rule-factory';
import { benignHalf, parentTechnique, splitByTechnique } from './attack-corpus';
import type { AttackCorpus, AttackLine } from './attack-corpus';
import { computeGeneralization } from './generalization';

const line = (
  technique: string,
  tactic: string,
  id: string,
  command: string,
  extra: Partial<AttackLine> = {},
): AttackLine => ({ case: `${technique}-${id}`, technique, tactic, command, ...extra });

describe('splitting the attack corpus by technique', () => {
  const lines = [
    ...['T1053.003', 'T1053.005', 'T1543.002', 'T1546.004', 'T1098.004', 'T1037.004'].map((t) =>
      line(t, 'persistence', '01', `persist ${t}`),
    ),
    ...['T1082', 'T1087.001', 'T1049', 'T1057'].map((t) => line(t, 'discovery', '01', `look ${t}`)),
  ];

  it('keeps every sub-technique with its parent and gives each tactic to both halves', () => {
    const halves = splitByTechnique(lines);
    expect(halves.get('T1053')).toBeDefined();
    expect([...halves.keys()].every((id) => !id.includes('.'))).toBe(true);
    for (const tactic of ['persistence', 'discovery']) {
      const parents = new Set(
        lines.filter((l) => l.tactic === tactic).map((l) => parentTechnique(l.technique)),
      );
      const assigned = [...parents].map((p) => halves.get(p));
      expect(assigned, tactic).toContain('tuning');
      expect(assigned, tactic).toContain('heldout');
    }
  });

  it('is the same whatever order the lines come in', () => {
    expect([...splitByTechnique([...lines].reverse())].sort()).toEqual(
      [...splitByTechnique(lines)].sort(),
    );
  });

  it('puts each everyday line in one half, stably', () => {
    const sample = Array.from({ length: 400 }, (_, i) => `ls -la /srv/app-${i}`);
    const tuning = sample.filter((l) => benignHalf(l) === 'tuning').length;
    expect(tuning).toBeGreaterThan(120);
    expect(tuning).toBeLessThan(280);
    expect(sample.map(benignHalf)).toEqual(sample.map(benignHalf));
  });
});

describe('generalization figures', () => {
  const loaded = loadRuleSet([
    ruleFile({ id: 'SW-TST-0001', severity: 'high' }),
    ruleFile({
      id: 'SW-TST-0002',
      severity: 'low',
      conditions: { all: [{ fact: 'programs', operator: 'contains', value: 'id' }] },
    }),
  ]);
  if (!loaded.ok) throw new Error('test rules do not load');

  const corpus: AttackCorpus = {
    techniques: [],
    attacks: {
      tuning: [
        line('T1485', 'impact', '01', 'mkdir /tmp/x', { role: 'setup' }),
        line('T1485', 'impact', '01', 'rm -rf /srv'),
        line('T1485', 'impact', '02', 'shred -u /srv/db'),
        line('T1485', 'impact', '01-v1', 'r""m -rf /srv', { variantOf: 'T1485-01' }),
        line('T1485', 'impact', '02-v1', 's""hred -u /srv/db', { variantOf: 'T1485-02' }),
      ],
      heldout: [
        line('T1033', 'discovery', '01', 'id'),
        line('T1033', 'discovery', '02', 'mkdir /tmp/only-setup', { role: 'setup' }),
      ],
    },
    everyday: { tuning: ['ls', 'rm -rf ./build', 'id -u'], heldout: ['make'] },
  };
  const report = computeGeneralization(corpus, loaded.evaluator);

  it('counts a procedure when any non-setup line alerts, and at high only for high rules', () => {
    expect(report.halves.tuning.cases).toEqual({ part: 1, whole: 2 });
    expect(report.halves.tuning.casesHigh).toEqual({ part: 1, whole: 2 });
    expect(report.halves.heldout.cases).toEqual({ part: 1, whole: 2 });
    expect(report.halves.heldout.casesHigh).toEqual({ part: 0, whole: 2 });
  });

  it('counts variants only of detected procedures', () => {
    expect(report.halves.tuning.variants).toEqual({ part: 1, whole: 1 });
  });

  it('counts everyday lines and false positives per rule', () => {
    expect(report.halves.tuning.everydayAny).toEqual({ part: 2, whole: 3 });
    expect(report.halves.tuning.everydayHigh).toEqual({ part: 1, whole: 3 });
    expect(report.halves.tuning.falsePositivesByRule).toEqual({
      'SW-TST-0001': 1,
      'SW-TST-0002': 1,
    });
  });

  it('lists misses of the tuning half only', () => {
    expect(report.tuningMisses.map((m) => m.case)).toEqual(['T1485-02']);
  });
});
