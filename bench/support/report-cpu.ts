/**
 * Preloaded into a measured child (`node -r dist/bench/support/report-cpu.js …`): writes
 * the process's CPU time (user + system, every thread, ms) to stderr as it exits, after
 * {@link CPU_MARK}. bench/load-ab.ts reads it.
 */
import { CPU_MARK } from './cpu-mark';

process.on('exit', () => {
  const used = process.cpuUsage();
  process.stderr.write(`${CPU_MARK}${Math.round((used.user + used.system) / 1000)}\n`);
});
