import { Command, Option } from 'commander';
import { CliUsageError } from './cli-usage-error';
import { exitWhenReaderCloses } from './closed-output';
import type { PreviewCliOptions } from './preview.command';
import { packageVersion } from './version';
import { errorMessage } from '../core/errors';

/**
 * The `shellwatch` command line: the same core as the service, no Kafka or
 * Elasticsearch needed for `rules validate`, `rules test`, `eval`, `sigma convert`;
 * `rules preview` reads the commands index in Elasticsearch; `rules push` and
 * `rules pull` talk to the rule topic (RULES_STORE=kafka).
 *
 * Each command's module is loaded when that command runs (issue 25): `rules validate`
 * needs no decoder, `eval` no Sigma parser, and module loading was a fifth of a call.
 */
exitWhenReaderCloses(process.stdout);

const program = new Command('shellwatch')
  .description('Shellwatch: shell-audit rules, offline')
  .version(packageVersion(), '-V, --version', 'print the version');

const run = (action: () => Promise<number>): Promise<void> =>
  action().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`shellwatch: ${errorMessage(error)}\n`);
      process.exitCode = error instanceof CliUsageError ? 2 : 1;
    },
  );

const rules = program
  .command('rules')
  .description('check rule files; preview a rule; push and pull the rule topic');
rules
  .command('validate')
  .argument('[dir]', 'rules folder', 'rules')
  .description('validate every rule file; non-zero exit and one line per problem')
  .action((dir: string) =>
    run(async () =>
      (await import('./rules.command')).validateCommand(dir, process.stdout, process.stderr),
    ),
  );
rules
  .command('test')
  .argument('[dir]', 'rules folder', 'rules')
  .option(
    '--fixture <file>',
    'JSON lines {"command", "expect": [rule ids], "exact"?}: the ids fire ([] = no alert; exact = no other)',
  )
  .description("run every rule's embedded examples (and a fixture file)")
  .action((dir: string, options: { fixture?: string }) =>
    run(async () =>
      (await import('./rules.command')).testCommand(
        dir,
        options.fixture,
        process.stdout,
        process.stderr,
      ),
    ),
  );

rules
  .command('preview')
  .description(
    'run a rule over a time range of the commands index in Elasticsearch: matches per day and host, the first matches',
  )
  .option('--rule <file>', 'a rule file (named lists from --rules)')
  .option('--id <id>', 'a rule of the rules folder (--rules)')
  .option('--rules <dir>', 'rules folder', 'rules')
  .requiredOption('--from <time>', 'start, inclusive: 2026-12-01T08:00:00Z, 2026-12-01, now-7d')
  .option('--to <time>', 'end, exclusive', 'now')
  .option('--es <url>', 'Elasticsearch (default ES_NODE; credentials from ES_*)')
  .option('--index <name>', 'commands index or data stream (default ES_COMMANDS_INDEX)')
  .option('--max-documents <n>', 'document budget', '1000000')
  .option('--max-seconds <s>', 'time budget', '300')
  .option('--max-matches <n>', 'matches listed', '20')
  .option('--json', 'the answer of POST /rules/preview, as JSON')
  .option('--no-pit', 'page with search_after alone, without a point in time')
  .action((options: PreviewCliOptions) =>
    run(async () =>
      (await import('./preview.command')).previewCommand(options, {
        out: process.stdout,
        err: process.stderr,
        env: process.env,
      }),
    ),
  );
rules
  .command('push')
  .argument('<dir>', 'rules folder')
  .option('--prune', 'also delete from the topic the rules and lists DIR does not hold')
  .option(
    '--seed',
    'push only when the topic holds no rule yet (a first start: an init container may run it at every start)',
  )
  .description(
    'validate DIR, then produce its rules and lists to the rule topic (RULES_TOPIC, KAFKA_BROKERS, KAFKA_SSL/SASL_* as the service reads them); reports created, updated, unchanged, deleted',
  )
  .action((dir: string, options: { prune?: boolean; seed?: boolean }) =>
    run(async () => {
      const { withRuleTopic } = await import('./rule-topic-config');
      const { pushCommand } = await import('./rules-topic.command');
      return withRuleTopic(process.env, (topic, user) =>
        pushCommand(
          dir,
          topic,
          { prune: options.prune === true, seed: options.seed === true, user },
          process.stdout,
          process.stderr,
        ),
      );
    }),
  );
rules
  .command('pull')
  .argument('<dir>', 'folder to write the rule files to (created if missing)')
  .option('--prune', 'also remove the rule and list files of DIR the topic does not hold')
  .description(
    "write the rule topic's current rules and lists as files of DIR, one per rule, in the layout the folder store reads",
  )
  .action((dir: string, options: { prune?: boolean }) =>
    run(async () => {
      const { withRuleTopic } = await import('./rule-topic-config');
      const { pullCommand } = await import('./rules-topic.command');
      return withRuleTopic(process.env, (topic, user) =>
        pullCommand(
          dir,
          topic,
          { prune: options.prune === true, user },
          process.stdout,
          process.stderr,
        ),
      );
    }),
  );

program
  .command('sigma')
  .description('Sigma rules')
  .command('convert')
  .argument('<input>', 'a Sigma rule file, or a folder searched for *.yml / *.yaml')
  .requiredOption('--out <dir>', 'folder for the converted rule files (<id>.json)')
  .option('--report <file>', 'also write the conversion report as JSON')
  .description(
    'convert Sigma rules (linux process_creation, auditd, shell history) to Shellwatch rules; exit 0 when every file parsed',
  )
  .action((input: string, options: { out: string; report?: string }) =>
    run(async () =>
      (await import('./sigma.command')).sigmaConvertCommand({ input, ...options }, process.stdout),
    ),
  );

program
  .command('eval')
  .description('evaluate records from a file or stdin; one alert JSON per line on stdout')
  .requiredOption('--rules <dir>', 'rules folder')
  .option('--input <file>', 'input file, or - for standard input', '-')
  .addOption(
    new Option(
      '--format <format>',
      'record format (auto detects per record; lines = one raw command per line)',
    ).default('auto'),
  )
  .option(
    '--grace <seconds>',
    "grace period for out-of-order events (correlation rules; default: the service's CORRELATION_GRACE_MS default)",
  )
  .action((options: { rules: string; input: string; format: string; grace?: string }) =>
    run(async () => {
      const { grace: graceText, ...rest } = options;
      const { evalCommand } = await import('./eval.command');
      if (graceText === undefined) return evalCommand(rest, process.stdout, process.stderr);
      const grace = Number(graceText);
      if (!Number.isFinite(grace) || grace < 0)
        throw new CliUsageError(`--grace ${graceText}: expected a number of seconds >= 0`);
      return evalCommand({ ...rest, graceMs: grace * 1000 }, process.stdout, process.stderr);
    }),
  );

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`shellwatch: ${errorMessage(error)}\n`);
  process.exitCode = 2;
});
