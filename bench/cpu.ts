import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of the stack's processes over a run, from /proc (Linux): what each part burnt while a figure was
 * measured shows which one bounds it. A part is a root pid and, when `tree`, all of its descendants (the
 * postmaster's backends). Elsewhere than Linux it reads nothing, and the report says so.
 */
export interface CpuPart {
  readonly name: string;
  readonly pids: () => number[];
  readonly tree: boolean;
}

/** Percent of one core per part over the measured interval. */
export type CpuShares = Record<string, number>;

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function allStats(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names.filter((name) => /^\d+$/.test(name)).flatMap((name) => readStat(Number(name)) ?? []);
}

function ticksOf(parts: readonly CpuPart[]): Record<string, number> {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  const result: Record<string, number> = {};
  for (const part of parts) {
    let total = 0;
    const queue = [...part.pids()];
    const seen = new Set<number>();
    while (queue.length > 0) {
      const pid = queue.pop()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      total += byPid.get(pid)?.ticks ?? 0;
      if (part.tree) queue.push(...(children.get(pid) ?? []).map((child) => child.pid));
    }
    result[part.name] = total;
  }
  return result;
}

/** Busy ticks of the whole machine (all cores, every process: the other users of a shared machine too). */
function machineTicks(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return fields.reduce((sum, value) => sum + value, 0) - idle;
  } catch {
    return 0;
  }
}

/** The key of CpuShares holding the whole machine's busy time (percent of one core, all processes). */
export const MACHINE = 'machine';

/**
 * Starts measuring; the returned function ends it and gives each part's share of one core in percent, and
 * under MACHINE the whole machine's (so what other processes took is MACHINE minus the parts).
 */
export function measureCpu(parts: readonly CpuPart[]): () => CpuShares {
  const before = ticksOf(parts);
  const machineBefore = machineTicks();
  const began = process.hrtime.bigint();
  return () => {
    const after = ticksOf(parts);
    const machineAfter = machineTicks();
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    const share = (ticks: number): number => (ticks / ticksPerSecond() / seconds) * 100;
    const shares: CpuShares = { [MACHINE]: share(machineAfter - machineBefore) };
    for (const part of parts) shares[part.name] = share(after[part.name] - before[part.name]);
    return shares;
  };
}
