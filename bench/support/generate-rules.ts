import type { CommandEvent } from '../../src/core/event';
import type { SourceFile } from '../../src/core/rules/types';
import { listFile, ruleFile } from './rule-factory';

/**
 * Deterministic generators for the prefilter differential test and `npm run bench`:
 * rules shaped like a real pack (keyed on program names and keywords, every operator
 * used, a few rules with no extractable keyword) and command events drawn from the
 * same vocabulary, with the obfuscations the shell parser undoes. Same seed, same output.
 * Test and bench tooling: under bench/ (built by `npm run build` into dist/bench/, as
 * the benchmarks need it), never under src/.
 */

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export const PROGRAMS = [
  'rm',
  'curl',
  'wget',
  'nc',
  'ncat',
  'socat',
  'python3',
  'perl',
  'ssh',
  'scp',
  'chmod',
  'chown',
  'crontab',
  'useradd',
  'iptables',
  'systemctl',
  'tar',
  'dd',
  'mkfs',
  'shred',
  'base64',
  'openssl',
  'kubectl',
  'docker',
  'git',
  'find',
  'xargs',
  'awk',
  'sed',
  'tee',
  'cat',
  'ls',
] as const;

export const KEYWORDS = [
  'passwd',
  'shadow',
  'authorized_keys',
  'id_rsa',
  '.bash_history',
  'sudoers',
  'crontab',
  '/dev/tcp',
  'ld_preload',
  'nopasswd',
  'history -c',
  'chattr',
  'xmrig',
  'stratum+tcp',
  'pastebin',
  'ngrok',
  '/tmp/.x',
  'miner',
  'kubeconfig',
  'aws_secret',
  'token',
  'docker.sock',
] as const;

/** Number of synthetic program names (`tool0`…) rules and events share, so generated rules also match. */
const SYNTHETIC_PROGRAMS = 1200;

function programFor(i: number): string {
  return i < PROGRAMS.length * 2 ? PROGRAMS[i % PROGRAMS.length]! : `tool${i % SYNTHETIC_PROGRAMS}`;
}

function keywordFor(i: number): string {
  return i < KEYWORDS.length * 2 ? KEYWORDS[i % KEYWORDS.length]! : `kw${i % SYNTHETIC_PROGRAMS}x`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The condition of generated rule `i`. Shapes cycle so any 20 consecutive rules use
 * every operator; shape 19 has no keyword or program (root, a weekend and its working
 * directory gate it).
 */
export function generatedCondition(i: number): unknown {
  const p = programFor(i);
  const q = programFor(i + 7);
  const k = keywordFor(i);
  const kr = escapeRegex(k);
  switch (i % 20) {
    case 0:
      return {
        all: [
          {
            fact: 'commands',
            operator: 'anyCommand',
            value: { program: p, hasFlags: ['r|R|recursive', 'f|force'] },
          },
        ],
      };
    case 1:
      return {
        all: [
          {
            fact: 'commands',
            operator: 'anyCommand',
            value: {
              program: [p, q],
              anyArg: { regex: `^/(etc|root)/(${kr}|${escapeRegex(keywordFor(i + 3))})` },
            },
          },
        ],
      };
    case 2:
      return {
        all: [
          {
            fact: 'commandLine',
            operator: 'regex',
            value: {
              pattern: `\\b(${escapeRegex(p)}|${escapeRegex(q)})\\s+-[a-z]*[eE]\\b`,
              flags: 'i',
            },
          },
        ],
      };
    case 3:
      return {
        all: [
          {
            fact: 'commandLine',
            operator: 'containsI',
            value: [k.toUpperCase(), keywordFor(i + 1)],
          },
        ],
      };
    case 4:
      return {
        all: [
          { fact: 'programs', operator: 'contains', value: p },
          { fact: 'commandLine', operator: 'containsWord', value: k },
        ],
      };
    case 5:
      return {
        all: [
          { fact: 'programs', operator: 'inList', value: 'downloaders' },
          {
            fact: 'commands',
            operator: 'anyCommand',
            value: { redirect: { regex: `(^|/)${kr}$` } },
          },
        ],
      };
    case 6:
      return {
        all: [
          {
            fact: 'commands',
            operator: 'anyCommand',
            value: { program: { inList: 'shells' }, pipedFrom: { program: p } },
          },
        ],
      };
    case 7:
      return {
        any: [
          { fact: 'commandLine', operator: 'startsWithI', value: `${p} ` },
          { fact: 'commandLine', operator: 'endsWithI', value: k },
        ],
      };
    case 8:
      return {
        all: [
          {
            fact: 'decoded',
            operator: 'regex',
            value: { pattern: `${escapeRegex(p)} -?[a-z]* ?${kr}`, flags: 'i' },
          },
        ],
      };
    case 9:
      return {
        any: [
          { fact: 'programs', path: '$[0]', operator: 'equal', value: p },
          { fact: 'programs', path: '$[0]', operator: 'in', value: [q, 'nosuch'] },
        ],
      };
    case 10:
      return {
        all: [
          {
            fact: 'commandLine',
            operator: 'regex',
            value: `(?:sudo\\s+)?${escapeRegex(p)}(\\.sh)?\\s+[-/]?[Kk]?${kr.slice(0, 3)}`,
          },
        ],
      };
    case 11:
      return {
        all: [
          {
            fact: 'commands',
            operator: 'anyCommand',
            value: { program: p, elevated: true, not: { anyArg: '/tmp/x' } },
          },
          {
            fact: 'timestamp',
            operator: 'timeOfDay',
            value: { from: '22:00', to: '06:00', timeZone: 'Europe/Berlin' },
          },
        ],
      };
    case 12:
      return {
        all: [
          { fact: 'source', path: '$.ip', operator: 'cidr', value: ['10.0.0.0/8', 'fd00::/8'] },
          { fact: 'programs', operator: 'contains', value: p },
        ],
      };
    case 13:
      return {
        all: [{ fact: 'commandLine', operator: 'in', value: [`${p} ${k}`, `sudo ${p} ${k}`, 42] }],
      };
    case 14:
      return {
        any: [
          { fact: 'commands', operator: 'anyCommand', value: { raw: { containsI: k } } },
          {
            fact: 'commands',
            operator: 'anyCommand',
            value: { args: { regex: `-[a-z]*o\\s+\\S*${kr}` } },
          },
          { fact: 'commands', operator: 'anyCommand', value: { program: p, wrappedBy: 'sudo' } },
          {
            fact: 'commands',
            operator: 'anyCommand',
            value: { assignment: { startsWithI: 'LD_PRELOAD=' } },
          },
        ],
      };
    case 15:
      return {
        all: [
          {
            fact: 'commands',
            operator: 'anyCommand',
            value: {
              program: { regex: `^${escapeRegex(p)}[0-9.]*$` },
              anyArg: { glob: ['/etc/*', '/root/*'] },
            },
          },
        ],
      };
    case 16:
      return {
        all: [
          { fact: 'programs', operator: 'contains', value: p },
          { fact: 'commands', operator: 'hasFlag', value: ['r|R|recursive'] },
          { fact: 'process', path: '$.working_directory', operator: 'exists', value: true },
          { fact: 'user', path: '$.name', operator: 'notEqual', value: 'backup' },
          { fact: 'user', path: '$.id', operator: 'notIn', value: ['33'] },
          { fact: 'process', path: '$.pid', operator: 'greaterThanInclusive', value: 2 },
        ],
      };
    case 17:
      return {
        all: [
          { fact: 'commandLine', operator: 'containsWord', value: [p, q] },
          { fact: 'programs', operator: 'doesNotContain', value: 'echo' },
          { fact: 'commandLine', operator: 'not:containsI', value: 'dry-run' },
          { not: { fact: 'process', path: '$.pid', operator: 'lessThan', value: 5 } },
          {
            any: [
              { fact: 'isRoot', operator: 'equal', value: true },
              { fact: 'process', path: '$.pid', operator: 'lessThanInclusive', value: 900 },
              { fact: 'process', path: '$.pid', operator: 'greaterThan', value: 900 },
            ],
          },
        ],
      };
    case 18:
      return { all: [{ fact: 'commandLine', operator: 'equal', value: `${p} ${k}` }] };
    default:
      // No keyword or program: root on a weekend, in a glob'd working directory.
      return {
        all: [
          { fact: 'isRoot', operator: 'equal', value: true },
          {
            fact: 'timestamp',
            operator: 'dayOfWeek',
            value: { days: ['sat', 'sun'], timeZone: 'America/New_York' },
          },
          { fact: 'process', path: '$.working_directory', operator: 'glob', value: '/srv/*/*' },
          { fact: 'commands', operator: 'not:anyCommand', value: { program: 'ls' } },
        ],
      };
  }
}

/** Exceptions of generated rule `i` (every fifth rule has some). */
function generatedExceptions(i: number): unknown[] | undefined {
  if (i % 5 !== 1) return undefined;
  return [
    { field: 'user.name', operator: 'in', values: ['backup'] },
    { field: 'process.working_directory', operator: 'glob', values: ['/srv/*'] },
  ];
}

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** `count` generated rules with ids SW-GEN-0000…, plus the lists they name. */
export function generateRules(count: number, area = 'GEN'): SourceFile[] {
  return Array.from({ length: count }, (_, i) => {
    const exceptions = generatedExceptions(i);
    return ruleFile({
      id: `SW-${area}-${String(i).padStart(4, '0')}`,
      name: `generated rule ${i}`,
      severity: SEVERITIES[i % SEVERITIES.length],
      conditions: generatedCondition(i),
      ...(exceptions !== undefined ? { exceptions } : {}),
    });
  });
}

/** The lists generated rules use (`shells`, `downloaders`), for a rule set without rules/lists. */
export function generatedLists(): SourceFile[] {
  return [
    listFile('shells', ['sh', 'bash', 'dash', 'zsh']),
    listFile('downloaders', ['curl', 'wget', 'fetch']),
  ];
}

const WRAPPERS = [
  '',
  '',
  '',
  'sudo ',
  'sudo -u bob ',
  'env LANG=C ',
  'nohup ',
  'LD_PRELOAD=/tmp/x.so ',
  'timeout 5 ',
];
const FLAGS = ['', '', ' -rf', ' -r', ' -f', ' -e', ' -o', ' --force --recursive', ' -qO-', ' -c'];
const SEPARATORS = ['; ', ' | ', ' && ', ' || ', '\n', ' & '];

function obfuscate(random: () => number, program: string): string {
  switch (Math.floor(random() * 8)) {
    case 0:
      return program.length > 1 ? `${program[0]}''${program.slice(1)}` : program;
    case 1:
      return `\\${program}`;
    case 2:
      return `/usr/bin/${program}`;
    case 3:
      return `"${program}"`;
    case 4:
      return program.toUpperCase();
    default:
      return program;
  }
}

/** An argument; half the time a keyword that goes with program `j` (as real tools have typical arguments). */
function argument(random: () => number, j: number): string {
  const n = random();
  const k =
    n < 0.5
      ? keywordFor(j + pick(random, [0, 1, 3]))
      : n < 0.75
        ? pick(random, KEYWORDS)
        : keywordFor(Math.floor(random() * SYNTHETIC_PROGRAMS * 2));
  switch (Math.floor(random() * 10)) {
    case 0:
      return ` /etc/${k}`;
    case 1:
      return ` /root/${k}`;
    case 2:
      return ` > /tmp/${k}`;
    case 3:
      return ` ${k.toUpperCase()}`;
    case 4:
      return ' /';
    case 5:
      return ' >& /dev/tcp/10.0.0.1/4444 0>&1';
    case 6:
      return ` $(id)`;
    case 7:
      return ` 'a ${k}'`;
    case 8:
      return ' \u00e9t\u00e9 \u212Aill';
    default:
      return ` ${k}`;
  }
}

function simpleCommand(random: () => number, j: number): string {
  const program = random() < 0.9 ? programFor(j) : pick(random, ['bash', 'sh', 'echo', 'python3']);
  let command = pick(random, WRAPPERS) + obfuscate(random, program) + pick(random, FLAGS);
  const args = Math.floor(random() * 3);
  for (let a = 0; a < args; a++) command += argument(random, j);
  return command;
}

/** A program index: the named programs (and their keywords) are common, the synthetic tail rare. */
function programIndex(random: () => number): number {
  return random() < 0.6
    ? Math.floor(random() * PROGRAMS.length * 2)
    : Math.floor(random() * SYNTHETIC_PROGRAMS * 2);
}

function syntheticLine(random: () => number): string {
  const parts = 1 + Math.floor(random() * 3);
  const first = programIndex(random);
  if (random() < 0.03)
    return `${random() < 0.5 ? 'sudo ' : ''}${programFor(first)} ${keywordFor(first)}`;
  let line = '';
  for (let c = 0; c < parts; c++) {
    if (c > 0) line += pick(random, SEPARATORS);
    line += simpleCommand(random, c === 0 ? first : programIndex(random));
  }
  if (random() < 0.08) line += pick(random, [' | sh', ' | sudo bash', ' | tee /tmp/o | bash']);
  switch (Math.floor(random() * 12)) {
    case 0:
      return `bash -c '${line.replace(/'/g, '')}'`;
    case 1:
      return `echo ${Buffer.from(line).toString('base64')} | base64 -d | sh`;
    case 2:
      return `echo $(${line.split('\n')[0] ?? ''})`;
    default:
      return line;
  }
}

/**
 * Event `index` of a deterministic stream: a corpus line (when `corpus` is given, with
 * probability `corpusShare`) or a synthetic line, with varying user, host, source ip,
 * working directory, pid and time so the context operators see both answers.
 */
export function generatedEvent(
  random: () => number,
  corpus: readonly string[] = [],
  corpusShare = 0.3,
): CommandEvent {
  const line =
    corpus.length > 0 && random() < corpusShare ? pick(random, corpus) : syntheticLine(random);
  const user =
    random() < 0.9
      ? {
          name: pick(random, ['root', 'alice', 'backup', 'deploy']),
          id: pick(random, ['0', '1000', '33']),
        }
      : undefined;
  const ip =
    random() < 0.8
      ? pick(random, ['10.1.2.3', '192.168.1.1', '::ffff:10.0.0.1', 'fd00::1', 'garbage'])
      : undefined;
  const ms = Date.parse('2026-01-01T00:00:00Z') + Math.floor(random() * 365 * 86_400_000);
  const cwd = random() < 0.7 ? pick(random, ['/srv/app/x', '/home/alice', '/']) : undefined;
  const pid = random() < 0.8 ? 1 + Math.floor(random() * 1000) : undefined;
  return {
    '@timestamp': new Date(ms).toISOString(),
    ...(user !== undefined ? { user } : {}),
    ...(ip !== undefined ? { source: { ip } } : {}),
    host: { name: pick(random, ['db1', 'web1', 'ci-7']) },
    process: {
      command_line: line,
      args: line.split(' '),
      ...(pid !== undefined ? { pid } : {}),
      ...(cwd !== undefined ? { working_directory: cwd } : {}),
    },
    event: { original: line },
    log: { source: 'lines' },
  };
}
