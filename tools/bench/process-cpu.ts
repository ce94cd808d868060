import { readFileSync } from 'node:fs';

/** Linux's clock ticks per second for /proc's CPU times (USER_HZ, 100 on every Linux Node.js runs on). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used so far, all its threads, user and system, in milliseconds, from /proc/<pid>/stat;
 * undefined where there is no /proc (macOS, Windows), so a benchmark leaves the figure out instead of guessing.
 */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}
