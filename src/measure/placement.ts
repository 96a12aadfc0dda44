/**
 * Where the receive path runs on a NIC-less host: the output of `bpf/tools/placement.sh` (one JSON
 * object per iperf3 run: each CPU's share of the run's softirq time from /proc/stat, where 100 ms
 * samples of `ps -L psr` saw iperf3's threads and the loader's reader), read and summarised.
 *
 * Why it matters: veth_xmit and loopback_xmit put each skb on the sending CPU's backlog
 * (`__netif_rx`), so the receive softirq runs wherever the scheduler has put the sender. If the
 * sender stayed on one CPU, a reader pinned to another would never share its CPU with the receive
 * path; if the scheduler moves it, the pinned reader's CPU takes about 1 / CPUs of that work, as any
 * CPU does. The node model's hardware field `nic.receiveFollowsSender` rests on this measurement.
 */
import { readFileSync } from "node:fs";
import { jsonObjectLines } from "./jsonl.ts";
import { spread, type Spread } from "./summary.ts";

export interface PlacementRun {
  shape: string;
  mode: "off" | "perf" | "ringbuf";
  /** The reader's pinned CPU, -1 for none. */
  readerCpu: number;
  rep: number;
  gbps: number | null;
  /** Each CPU's share of the run's softirq time (sums to 1). */
  softirqShareByCpu: number[];
  /** Share of the samples that saw an iperf3 thread last on each CPU; null when the run took no samples (`psSampled` false). */
  iperf3SeenByCpu: number[] | null;
  /** Same for the loader's threads; null without a loader or without samples. */
  readerSeenByCpu: number[] | null;
  /** False when the run took no `ps` samples (placement.sh with SAMPLE=0); absent: sampled. */
  psSampled?: false;
  /** bpftrace tools/wake-to-run.bt beside the run (WAKE_TO_RUN=1); null when it saw no wakeup of the reader. */
  wakeToRun?: WakeToRun | null;
  /** bpftrace tools/preempt-stalls.bt beside the run (PREEMPT_STALLS=1); null when it saw no stall. */
  preemptStalls?: PreemptTrace | null;
  /** The loader's own JSON object (bpf/loader.c), when the run printed it (files from 2026-12-02 on). */
  loader?: Record<string, unknown> | null;
  /** Share of all CPU time the hypervisor stole over the run (/proc/stat steal), when the script recorded it. */
  stealOfCpuTime?: number;
}

/** The reader's waits from wakeup (sched_wakeup) to running (sched_switch), µs (bpf/tools/wake-to-run.bt). */
export interface WakeToRun {
  /** How long the trace ran, s (placement.sh: its SECONDS less one). */
  traceSeconds: number;
  /** log2 buckets [min µs, max µs, count]. */
  histUs: [number, number, number][];
  count: number;
  meanUs: number;
  /** Waits of 500 µs or more, and the task that had the CPU just before the reader for each. */
  longN: number;
  longAfter: Record<string, number>;
}

/** The reader's waits when switched out while runnable, µs (bpf/tools/preempt-stalls.bt beside a placement.sh run). */
export interface PreemptTrace {
  traceSeconds: number;
  stalls: number;
  meanUs: number;
  totalUs: number;
  /** log2 buckets [min µs, max µs, count]. */
  histUs: [number, number, number][];
  /** Who took the CPU, by task name. */
  preemptedBy: Record<string, number>;
}

const isCount = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
const isBuckets = (v: unknown) =>
  Array.isArray(v) && v.every((b) => Array.isArray(b) && b.length === 3 && b.every((x) => typeof x === "number") && isCount(b[2]));
const isCounts = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v) && Object.values(v as object).every(isCount);

function checkPreemptTrace(v: unknown): v is PreemptTrace {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const w = v as Record<string, unknown>;
  const nonNeg = (x: unknown) => typeof x === "number" && Number.isFinite(x) && x >= 0;
  return (
    typeof w.traceSeconds === "number" &&
    w.traceSeconds > 0 &&
    isCount(w.stalls) &&
    nonNeg(w.meanUs) &&
    nonNeg(w.totalUs) &&
    isBuckets(w.histUs) &&
    isCounts(w.preemptedBy)
  );
}

function checkWakeToRun(v: unknown): v is WakeToRun {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const w = v as Record<string, unknown>;
  return (
    typeof w.traceSeconds === "number" &&
    w.traceSeconds > 0 &&
    isBuckets(w.histUs) &&
    isCount(w.count) &&
    typeof w.meanUs === "number" &&
    w.meanUs >= 0 &&
    isCount(w.longN) &&
    isCounts(w.longAfter)
  );
}

const shares = (v: unknown): v is number[] => Array.isArray(v) && v.length >= 1 && v.every((x) => typeof x === "number" && x >= 0 && x <= 1);

/** Parses one placement.sh output file; a malformed line throws with its number and the field at fault. */
export function parsePlacement(text: string, file = "placement"): PlacementRun[] {
  const out: PlacementRun[] = [];
  for (const { o, where } of jsonObjectLines(text, file)) {
    const bad = (field: string) => new Error(`${where}: ${field} = ${JSON.stringify(o[field])}: not valid`);
    if (typeof o.shape !== "string") throw bad("shape");
    if (o.mode !== "off" && o.mode !== "perf" && o.mode !== "ringbuf") throw bad("mode");
    if (!Number.isInteger(o.readerCpu) || (o.readerCpu as number) < -1) throw bad("readerCpu");
    if (!shares(o.softirqShareByCpu)) throw bad("softirqShareByCpu");
    if (o.psSampled !== undefined && o.psSampled !== false) throw bad("psSampled");
    const sampled = o.psSampled === undefined;
    if (sampled ? !shares(o.iperf3SeenByCpu) : o.iperf3SeenByCpu !== null) throw bad("iperf3SeenByCpu");
    if (o.readerSeenByCpu !== null && !(sampled && shares(o.readerSeenByCpu))) throw bad("readerSeenByCpu");
    if (o.wakeToRun !== undefined && o.wakeToRun !== null && !checkWakeToRun(o.wakeToRun)) throw bad("wakeToRun");
    if (o.preemptStalls !== undefined && o.preemptStalls !== null && !checkPreemptTrace(o.preemptStalls)) throw bad("preemptStalls");
    if (o.gbps !== null && !(typeof o.gbps === "number" && o.gbps >= 0)) throw bad("gbps");
    if (o.loader !== undefined && o.loader !== null && (typeof o.loader !== "object" || Array.isArray(o.loader))) throw bad("loader");
    const steal = o.stealOfCpuTime;
    if (steal !== undefined && steal !== null && !(typeof steal === "number" && steal >= 0 && steal <= 1)) throw bad("stealOfCpuTime");
    out.push({
      shape: o.shape,
      mode: o.mode,
      readerCpu: o.readerCpu as number,
      rep: Number(o.rep ?? 0),
      gbps: o.gbps as number | null,
      softirqShareByCpu: o.softirqShareByCpu as number[],
      iperf3SeenByCpu: o.iperf3SeenByCpu as number[] | null,
      readerSeenByCpu: o.readerSeenByCpu as number[] | null,
      ...(sampled ? {} : { psSampled: false as const }),
      ...(o.wakeToRun === undefined ? {} : { wakeToRun: o.wakeToRun as WakeToRun | null }),
      ...(o.preemptStalls === undefined ? {} : { preemptStalls: o.preemptStalls as PreemptTrace | null }),
      ...(o.loader === undefined ? {} : { loader: o.loader as Record<string, unknown> | null }),
      ...(typeof steal === "number" ? { stealOfCpuTime: steal } : {}),
    });
  }
  return out;
}

export function readPlacement(path: string): PlacementRun[] {
  return parsePlacement(readFileSync(path, "utf8"), path);
}

export interface PlacementSummary {
  shape: string;
  mode: PlacementRun["mode"];
  readerCpu: number;
  runs: number;
  /** Share of the softirq time on the CPU the reader is pinned to (CPU 1 when it is not pinned, for comparison). */
  softirqOnReaderCpu: Spread;
  /** Share of iperf3's samples on that CPU (runs that took samples); null when none did. */
  iperf3OnReaderCpu: Spread | null;
  gbps: Spread | null;
}

/** Per shape, mode and reader CPU: how much of the receive softirq and of iperf3 the reader's CPU saw. */
export function summarisePlacement(runs: PlacementRun[]): PlacementSummary[] {
  const groups = new Map<string, PlacementRun[]>();
  for (const r of runs) {
    const k = `${r.shape}|${r.mode}|${r.readerCpu}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: PlacementSummary[] = [];
  for (const rs of groups.values()) {
    const r0 = rs[0]!;
    const cpu = r0.readerCpu >= 0 ? r0.readerCpu : 1;
    const g = rs.map((r) => r.gbps).filter((x): x is number => x !== null);
    const seen = rs.map((r) => r.iperf3SeenByCpu).filter((v): v is number[] => v !== null);
    out.push({
      shape: r0.shape,
      mode: r0.mode,
      readerCpu: r0.readerCpu,
      runs: rs.length,
      softirqOnReaderCpu: spread(rs.map((r) => r.softirqShareByCpu[cpu] ?? 0)),
      iperf3OnReaderCpu: seen.length > 0 ? spread(seen.map((v) => v[cpu] ?? 0)) : null,
      gbps: g.length > 0 ? spread(g) : null,
    });
  }
  return out;
}
