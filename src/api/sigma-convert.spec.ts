import { afterAll, describe, expect, it } from 'vitest';
import { RuleRegexService } from '../regex-check/rule-regex.service';
import { convertSigmaRequest } from './sigma-convert';

const regexes = new RuleRegexService();
afterAll(() => regexes.onModuleDestroy());

const SIGMA = `title: Netcat with -e
id: 0f4c6c2e-1b7d-4c55-9a0a-7d3f1e2b9c11
logsource:
  product: linux
  category: process_creation
detection:
  selection:
    CommandLine|startswith: 'nc -e '
  condition: selection
level: high
`;

describe('POST /rules/convert', () => {
  it('answers the converted rule, named after the Sigma id', async () => {
    const answer = await convertSigmaRequest({ sigma: SIGMA, path: 'nc_exec.yml' }, regexes);
    expect(answer.skipped).toBeUndefined();
    expect(answer.converted).toMatchObject({
      id: '0f4c6c2e-1b7d-4c55-9a0a-7d3f1e2b9c11',
      file: '0f4c6c2e-1b7d-4c55-9a0a-7d3f1e2b9c11.json',
      rule: {
        name: 'Netcat with -e',
        severity: 'high',
        source: { format: 'sigma', path: 'nc_exec.yml' },
      },
    });
  });

  it('answers a skip with its reason (200, not an error)', async () => {
    const answer = await convertSigmaRequest(
      { sigma: SIGMA.replace('CommandLine|startswith', 'ParentImage|endswith') },
      regexes,
    );
    expect(answer.converted).toBeUndefined();
    expect(answer.skipped?.code).toBe('unknown-field');
    expect(answer.skipped?.reason).toMatch(/^field ParentImage: /);
  });

  it('checks a |re value off the main thread and skips a rule whose regex is unsafe', async () => {
    const unsafe = SIGMA.replace(
      "CommandLine|startswith: 'nc -e '",
      () => "CommandLine|re: '(a+)+$'",
    );
    const answer = await convertSigmaRequest({ sigma: unsafe }, regexes);
    expect(answer.converted).toBeUndefined();
    expect(answer.skipped?.code).toBe('does-not-load');
    expect(answer.skipped?.reason).toMatch(/backtrack/i);
  });
});
