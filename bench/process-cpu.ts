// Where a benchmark's CPU goes: each service process' user+system time (Linux /proc/<pid>/stat),
// read before and after a measured interval. Throughput on a shared machine is noisy; the CPU a
// process spends per request or event is far steadier, and says which stage to work on.
import { readFileSync } from 'node:fs';
import type { Supervisor } from '../tools/stack/supervisor';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export type CpuSnapshot = Map<string, number>;

/** CPU seconds (user + system) a process has used so far; undefined off Linux or once it has exited. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), in parentheses: utime is the 14th field, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined; // not Linux, or the process has exited
  }
}

/** CPU seconds so far of each running service of the supervisor. */
export function snapshotCpu(supervisor: Supervisor): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const [name, s] of supervisor.running) {
    const seconds = s.process.pid === undefined ? undefined : cpuSeconds(s.process.pid);
    if (seconds !== undefined) out.set(name, seconds);
  }
  return out;
}

/**
 * Milliseconds of CPU per unit of work (request, event) of each service between two snapshots,
 * the busiest first; services that spent under 0.5% of the total are left out.
 */
export function cpuPerUnit(before: CpuSnapshot, after: CpuSnapshot, units: number): Record<string, number> {
  const spent = [...after].map(([name, s]) => [name, s - (before.get(name) ?? s)] as const);
  const total = spent.reduce((n, [, s]) => n + s, 0);
  return Object.fromEntries(
    spent
      .filter(([, s]) => s > 0 && s >= total * 0.005)
      .sort((a, b) => b[1] - a[1])
      .map(([name, s]) => [name, Math.round((s * 1000 * 1000) / Math.max(units, 1)) / 1000]),
  );
}
