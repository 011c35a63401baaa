import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../support/service';
import { ES_NODE, KAFKA_BROKER, REPO_ROOT } from '../support/stack';

/**
 * The property-based run of the REST API (scripts/api-fuzz.sh, schemathesis over
 * the served OpenAPI document; docs/api.md). Its report is kept out of the test
 * log unless it fails: it is a test of this suite, counted in its summary.
 */
describe('REST API against its own OpenAPI document (schemathesis)', () => {
  it('answers every generated request as documented, never with a 5xx', async () => {
    const { code, output } = await runProcess(
      'bash',
      [resolve(REPO_ROOT, 'scripts/api-fuzz.sh')],
      { ...process.env, KAFKA_BROKERS: KAFKA_BROKER, ES_NODE, NO_COLOR: '1' },
      880_000,
    );
    const tail = output.split('\n').slice(-80).join('\n');
    expect(code, `api-fuzz exited ${code}; its report ends with:\n${tail}`).toBe(0);

    const cases = /(\d+) generated, (\d+) passed/.exec(output);
    expect(cases, `no test-case count in the report:\n${tail}`).not.toBeNull();
    const [, generated, passed] = cases!.map(Number);
    expect(generated).toBeGreaterThan(1000);
    expect(passed).toBe(generated);
    expect(output).not.toMatch(/\d+ (failed|errored)/);
    for (const phase of ['Examples', 'Coverage', 'Fuzzing', 'Stateful']) {
      expect(output, `phase ${phase} did not pass:\n${tail}`).toMatch(new RegExp(`✅ ${phase}`));
    }
    console.log(`api fuzz: ${generated} generated requests, all answered as documented`);
  }, 900_000);
});
