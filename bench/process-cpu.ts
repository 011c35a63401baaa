/**
 * CPU time of a process, for the whole-path bench's "CPU per record": unlike a rate,
 * it says what a record costs whatever the number of cores and whatever else runs.
 * Linux only (/proc); elsewhere the figure is left out.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's CPU times (sysconf CLK_TCK; 100 on Linux). */
export const CLOCK_TICKS = ((): number => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/**
 * utime + stime, in clock ticks, of a /proc/<pid>/stat line. The command name (field 2)
 * is in parentheses and may itself hold spaces and parentheses, so fields are counted
 * from the last `)`: utime and stime are fields 14 and 15.
 */
export function statCpuTicks(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** CPU seconds (user + system, every thread) a process has used so far; undefined once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const ticks = statCpuTicks(stat);
  return ticks === undefined ? undefined : ticks / CLOCK_TICKS;
}

/** This process's CPU seconds (user + system, every thread). */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
