/**
 * A process's CPU time and memory, read from /proc the way `ps` does, so both servers are
 * measured alike whatever language they are written in.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux we run). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** The number after `name:` on its own line of a /proc file (`VmRSS:   1234 kB`); NaN if absent. */
function numberField(text: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * Read and write system calls the process has made so far (`syscr`, `syscw` of
 * /proc/<pid>/io: read/readv/pread and write/writev/pwrite, on sockets and files alike; the
 * kernel counts them, so both servers are counted the same way). NaN once it is gone.
 */
export function syscallCounts(pid: number): { reads: number; writes: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return { reads: numberField(io, 'syscr'), writes: numberField(io, 'syscw') };
  } catch {
    return { reads: Number.NaN, writes: Number.NaN };
  }
}

/** Resident memory now and at its peak, in KiB (VmRSS, VmHWM). */
export function memoryKiB(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: numberField(status, 'VmRSS'), peak: numberField(status, 'VmHWM') };
  } catch {
    return { rss: Number.NaN, peak: Number.NaN };
  }
}

/** The 1-minute load average, to print beside the figures (the machine is shared). */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}
