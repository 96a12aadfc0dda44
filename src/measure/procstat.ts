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

/** Share of all CPUs' time that was idle (idle + iowait) between two snapshots. */
export function idleShare(d: ProcStat): number {
  const total = CPU_FIELDS.reduce((s, f) => s + d.cpu[f], 0);
  return total > 0 ? (d.cpu.idle + d.cpu.iowait) / total : 1;
}

export interface QuietOptions {
  /** Idle share required over a sample window. @defaultValue 0.85 */
  minIdle?: number;
  /** Sample window in ms. @defaultValue 500 */
  windowMs?: number;
  /** Give up waiting after this long (then run anyway and record it). @defaultValue 30000 */
  maxWaitMs?: number;
}

/**
 * On a shared machine, waits until other work leaves the CPUs mostly idle before a run starts
 * (other tenants' CPU time shows up in /proc/stat even from other containers). Returns the
 * last idle share seen and how long it waited; the dataset keeps both.
 */
export async function waitForQuiet(o: QuietOptions = {}): Promise<{ idleShare: number; waitedMs: number; quiet: boolean }> {
  const minIdle = o.minIdle ?? 0.85;
  const windowMs = o.windowMs ?? 500;
  const maxWaitMs = o.maxWaitMs ?? 30_000;
  const t0 = Date.now();
  for (;;) {
    const a = readProcStat();
    await new Promise((r) => setTimeout(r, windowMs));
    const share = idleShare(diffProcStat(a, readProcStat()));
    const waitedMs = Date.now() - t0;
    if (share >= minIdle) return { idleShare: share, waitedMs, quiet: true };
    if (waitedMs >= maxWaitMs) return { idleShare: share, waitedMs, quiet: false };
  }
}
