/**
 * Reads /proc/stat (proc(5)): the system-wide context-switch count (`ctxt`) and the aggregate
 * CPU time per state (user, nice, system, idle, iowait, irq, softirq, steal) in USER_HZ ticks.
 * The harness takes a snapshot before and after each throughput run and keeps the difference.
 */
import { readFileSync } from "node:fs";

export const CPU_FIELDS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;
export type CpuTimes = Record<(typeof CPU_FIELDS)[number], number>;

export interface ProcStat {
  ctxt: number;
  cpu: CpuTimes;
}

export function parseProcStat(text: string): ProcStat {
  const ctxt = Number(/^ctxt\s+(\d+)/m.exec(text)?.[1] ?? NaN);
  const cpuLine = /^cpu\s+(.*)$/m.exec(text)?.[1];
  if (!cpuLine || Number.isNaN(ctxt)) throw new Error("unparsable /proc/stat");
  const v = cpuLine.trim().split(/\s+/).map(Number);
  const cpu = Object.fromEntries(CPU_FIELDS.map((f, i) => [f, v[i] ?? 0])) as CpuTimes;
  return { ctxt, cpu };
}

export function readProcStat(): ProcStat {
  return parseProcStat(readFileSync("/proc/stat", "utf8"));
}

export function diffProcStat(a: ProcStat, b: ProcStat): ProcStat {
  const cpu = Object.fromEntries(CPU_FIELDS.map((f) => [f, b.cpu[f] - a.cpu[f]])) as CpuTimes;
  return { ctxt: b.ctxt - a.ctxt, cpu };
}
