import { describe, expect, it } from 'vitest';
import { repoRules } from '../../../test/support/repo-rules';
import { ATTACK_TACTICS, ATTACK_TECHNIQUES } from './mitre-attack';
import { threatFields } from './ecs';

describe('the ATT&CK table', () => {
  it('names every technique and sub-technique a rule under rules/ uses', async () => {
    const folder = await repoRules();
    const used = new Set<string>();
    for (const file of folder.rules) {
      const rule = JSON.parse(file.text) as { mitre?: string[] };
      for (const id of rule.mitre ?? []) used.add(id);
    }
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((id) => ATTACK_TECHNIQUES[id] === undefined)).toEqual([]);
  });

  it('gives every technique tactics the table knows, and every sub-technique a parent', () => {
    for (const [id, technique] of Object.entries(ATTACK_TECHNIQUES)) {
      expect(id).toMatch(/^T\d{4}(\.\d{3})?$/);
      if (id.includes('.')) {
        expect(technique.tactics, id).toBeUndefined();
        expect(ATTACK_TECHNIQUES[id.slice(0, 5)]?.tactics?.length, id).toBeGreaterThan(0);
      } else {
        for (const tactic of technique.tactics ?? []) expect(ATTACK_TACTICS[tactic]).toBeDefined();
        expect(technique.tactics?.length, id).toBeGreaterThan(0);
      }
      if (technique.replacedBy !== undefined)
        expect(ATTACK_TECHNIQUES[technique.replacedBy]).toBeDefined();
    }
  });

  it('splits a sub-technique into its parent and itself, with names and references', () => {
    expect(threatFields(['T1059.004', 'T1105', 'T9999'])).toEqual({
      framework: 'MITRE ATT&CK',
      tactic: {
        id: ['TA0002', 'TA0011'],
        name: ['Execution', 'Command and Control'],
        reference: [
          'https://attack.mitre.org/tactics/TA0002/',
          'https://attack.mitre.org/tactics/TA0011/',
        ],
      },
      technique: {
        id: ['T1059', 'T1105', 'T9999'],
        name: ['Command and Scripting Interpreter', 'Ingress Tool Transfer'],
        reference: [
          'https://attack.mitre.org/techniques/T1059/',
          'https://attack.mitre.org/techniques/T1105/',
          'https://attack.mitre.org/techniques/T9999/',
        ],
        subtechnique: {
          id: ['T1059.004'],
          name: ['Unix Shell'],
          reference: ['https://attack.mitre.org/techniques/T1059/004/'],
        },
      },
    });
    expect(threatFields([])).toEqual({ framework: 'MITRE ATT&CK' });
  });
});
