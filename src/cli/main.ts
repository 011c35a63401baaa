import { Command, Option } from 'commander';
import { CliUsageError } from './cli-usage-error';
import { packageVersion } from './version';

/**
 * The `shellwatch` command line: the same core as the service, no Kafka or
 * Elasticsearch needed. `rules validate`, `rules test`, `eval`, `sigma convert`.
 *
 * Each command's module is loaded when that command runs (issue 25): `rules validate`
 * needs no decoder, `eval` no Sigma parser, and module loading was a fifth of a call.
 */
const program = new Command('shellwatch')
  .description('Shellwatch: shell-audit rules, offline')
  .version(packageVersion(), '-V, --version', 'print the version');

const run = (action: () => Promise<number>): Promise<void> =>
  action().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `shellwatch: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = error instanceof CliUsageError ? 2 : 1;
    },
  );

const rules = program.command('rules').description('check rule files');
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
  .option('--grace <seconds>', 'grace period for out-of-order events (correlation rules)', '60')
  .action((options: { rules: string; input: string; format: string; grace: string }) =>
    run(async () => {
      const grace = Number(options.grace);
      if (!Number.isFinite(grace) || grace < 0)
        throw new CliUsageError(`--grace ${options.grace}: expected a number of seconds >= 0`);
      const { evalCommand } = await import('./eval.command');
      return evalCommand({ ...options, graceMs: grace * 1000 }, process.stdout, process.stderr);
    }),
  );

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`shellwatch: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
