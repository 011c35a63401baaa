import { describe, expect, it } from 'vitest';
import { ownCpuSeconds, processCpuSeconds, statCpuTicks } from './process-cpu';

describe('statCpuTicks', () => {
  it('reads utime and stime after a command name holding spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 731 59 0 0 20 0 11 0';
    expect(statCpuTicks(stat)).toBe(731 + 59);
  });

  it('gives undefined for a line it cannot read', () => {
    expect(statCpuTicks('garbage')).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('processCpuSeconds', () => {
  it("follows this process's own CPU time as process.cpuUsage reports it", () => {
    const procBefore = processCpuSeconds(process.pid)!;
    const ownBefore = ownCpuSeconds();
    let spin = 0;
    while (ownCpuSeconds() - ownBefore < 0.3) spin += 1;
    const procUsed = processCpuSeconds(process.pid)! - procBefore;
    const ownUsed = ownCpuSeconds() - ownBefore;
    expect(spin).toBeGreaterThan(0);
    // Both count the same CPU time; /proc in clock ticks (10 ms), hence the margin.
    expect(procUsed).toBeGreaterThan(ownUsed - 0.05);
    expect(procUsed).toBeLessThan(ownUsed + 0.05);
  });

  it('gives undefined for a process that does not exist', () => {
    expect(processCpuSeconds(2 ** 31 - 1)).toBeUndefined();
  });
});
