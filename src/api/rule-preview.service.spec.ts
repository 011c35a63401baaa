import { HttpException } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../config/config';
import { formatRuleProblems, loadRuleSet } from '../core/rules';
import type { StoredPage } from '../core/preview/run-preview';
import { CommandsScan } from '../elasticsearch/commands-scan';
import type { ElasticsearchSink } from '../elasticsearch/elasticsearch.sink';
import type { ApiPrincipal } from './api-keyring';
import type { RuleCheckService } from './rule-check.service';
import { MAX_CONCURRENT_PREVIEWS, RulePreviewService } from './rule-preview.service';

const RULE = {
  id: 'SW-TST-0001',
  name: 'test rule',
  description: 'a rule for the preview limit',
  severity: 'low',
  conditions: { all: [{ fact: 'commandLine', operator: 'equal', value: 'ls' }] },
};

/** A scan whose one empty page arrives only when `finish` is called. */
function heldScan(): { scan: CommandsScan; finish: () => void } {
  let finish = (): void => undefined;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const pages = async function* (): AsyncGenerator<StoredPage> {
    await ended;
    yield { hits: [], total: 0 };
  };
  const scan = {
    mode: 'point-in-time',
    close: () => Promise.resolve(),
    [Symbol.asyncIterator]: pages,
  };
  return { scan: scan as unknown as CommandsScan, finish };
}

function service(): RulePreviewService {
  const loaded = loadRuleSet([{ path: 'SW-TST-0001.json', text: JSON.stringify(RULE) }]);
  if (!loaded.ok) throw new Error(formatRuleProblems(loaded.errors));
  const rule = loaded.ruleSet.rules[0];
  const checks = {
    compileRequestRule: () => Promise.resolve({ rule, ruleSet: loaded.ruleSet }),
  } as unknown as RuleCheckService;
  const config = { elasticsearch: { commandsIndex: 'commands' } } as unknown as Config;
  return new RulePreviewService(config, checks, { client: {} } as unknown as ElasticsearchSink);
}

const actor: ApiPrincipal = { name: 'reader', roles: ['read'] };
const body = { ruleId: 'SW-TST-0001', from: 'now-1d' };

describe('RulePreviewService', () => {
  afterEach(() => vi.restoreAllMocks());

  it(`answers 429 to a preview beyond ${MAX_CONCURRENT_PREVIEWS} running ones, and runs the next after one ends`, async () => {
    const scans = Array.from({ length: MAX_CONCURRENT_PREVIEWS + 1 }, heldScan);
    const open = vi.spyOn(CommandsScan, 'open');
    for (const { scan } of scans) open.mockResolvedValueOnce(scan);
    const previews = service();

    const running = scans
      .slice(0, MAX_CONCURRENT_PREVIEWS)
      .map(() => previews.preview(body, actor));
    await vi.waitFor(() => expect(open).toHaveBeenCalledTimes(MAX_CONCURRENT_PREVIEWS));
    const refused = await previews.preview(body, actor).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpException);
    expect((refused as HttpException).getStatus()).toBe(429);
    expect((refused as HttpException).message).toMatch(/previews are already running/);

    scans[0]?.finish();
    await running[0];
    const next = previews.preview(body, actor);
    await vi.waitFor(() => expect(open).toHaveBeenCalledTimes(MAX_CONCURRENT_PREVIEWS + 1));
    for (const { finish } of scans) finish();
    await expect(Promise.all([...running, next])).resolves.toHaveLength(
      MAX_CONCURRENT_PREVIEWS + 1,
    );
  });
});
