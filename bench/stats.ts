/** Small numeric helpers for the bench. */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Times `fn` over every item, returning elapsed seconds and the sorted per-item times in ms. */
export function timeEach<T>(items: readonly T[], fn: (item: T) => void): { seconds: number; perItemMs: Float64Array } {
  const perItemMs = new Float64Array(items.length);
  const start = performance.now();
  let last = start;
  for (let i = 0; i < items.length; i++) {
    fn(items[i]!);
    const now = performance.now();
    perItemMs[i] = now - last;
    last = now;
  }
  const seconds = (last - start) / 1000;
  perItemMs.sort();
  return { seconds, perItemMs };
}

export const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const fmtRate = (perSec: number): string => `${round(perSec, 1).toLocaleString('en-US')} events/s`;
export const fmtMs = (ms: number): string => `${round(ms, 3)} ms`;

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Pressure-stall totals (µs) of /proc/pressure/{cpu,io}, `some` lines; undefined where absent. */
export function pressureTotals(): { cpu?: number; io?: number } {
  const read = (kind: string): number | undefined => {
    try {
      const text = readFileSync(`/proc/pressure/${kind}`, 'utf8');
      const m = /^some .*total=(\d+)/m.exec(text);
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  };
  return { cpu: read('cpu'), io: read('io') };
}

/** How busy the machine was between two pressureTotals() taken `seconds` apart, for the log. */
export function describePressure(before: { cpu?: number; io?: number }, after: { cpu?: number; io?: number },
  seconds: number): string {
  const share = (k: 'cpu' | 'io') => before[k] === undefined || after[k] === undefined ? 'n/a'
    : `${round((100 * (after[k]! - before[k]!)) / 1e6 / seconds, 1)}%`;
  return `load average ${loadavg().map((l) => round(l, 2)).join(' ')} on ${availableParallelism()} cores; ` +
    `time some task waited for CPU ${share('cpu')}, for IO ${share('io')}`;
}

/** CPU seconds (user + system) of a /proc stat file; NaN where absent. */
function statCpuSeconds(path: string): number {
  try {
    const stat = readFileSync(path, 'utf8');
    // The fields after the command name (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat; NaN where absent. */
export function processCpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** CPU seconds of a process's main thread alone (its event loop), from /proc/<pid>/task/<pid>/stat. */
export function mainThreadCpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
}
