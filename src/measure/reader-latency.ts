/**
 * How long a record waits for a live reader: runs of `bpf/tools/placement.sh` with the loader's
 * `--delivery-latency` (LOADER_EXTRA). For every record the loader reads, it takes CLOCK_MONOTONIC in
 * its callback less the record's ts_ns (bpf_ktime_get_ns when the TC program ran, the same clock),
 * into 1 µs bins up to 4.095 ms (the last bin holds everything from there on), and separately for
 * each poll's first record: the wait of the record that woke the reader (the producer's irq_work,
 * the wakeup, the reader's wait for its CPU and epoll_wait's return), where the whole histogram is
 * weighted by records, so a rare long stall that leaves hundreds of records to one poll weighs
 * hundreds of times.
 */
import { readPlacement, type PlacementRun } from "./placement.ts";
import { groupByShapeMode, spread, type Spread } from "./summary.ts";
import { summariseStalls, type StallRun, type StallSummary } from "./preempt-stalls.ts";

/** The loader's `delivery_us` object (bpf/loader.c print_latency). */
export interface DeliveryLatency {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  first_n: number;
  first_p50: number;
  first_p90: number;
  first_p99: number;
  /** Records in the last bin (waited max_us or longer). */
  at_or_over_max: number;
  max_us: number;
}

/**
 * What else watched the run: "ps" (placement.sh's ten `ps`/`awk`/`sed` samples a second, the default),
 * "none" (SAMPLE=0), "bpftrace" (SAMPLE=0 with bpf/tools/wake-to-run.bt on the scheduler's tracepoints),
 * "preempt-trace" (SAMPLE=0 with bpf/tools/preempt-stalls.bt).
 */
export type ProbeKind = "ps" | "none" | "bpftrace" | "preempt-trace";

export function probeOf(run: PlacementRun): ProbeKind {
  if (run.psSampled !== false) return "ps";
  if (run.preemptStalls !== undefined) return "preempt-trace";
  return run.wakeToRun === undefined ? "none" : "bpftrace";
}

export interface ReaderLatencySummary {
  shape: string;
  mode: PlacementRun["mode"];
  probe: ProbeKind;
  runs: number;
  gbps: Spread;
  recordsPerS: Spread;
  /** Voluntary context switches (sleeps) per record read. */
  sleepsPerRecord: Spread;
  /** All records, µs (bin midpoints). */
  p50Us: Spread;
  p90Us: Spread;
  p99Us: Spread;
  /** Each poll's first record, µs. */
  firstP50Us: Spread;
  firstP90Us: Spread;
  firstP99Us: Spread;
  /** Share of the records that waited max_us or longer. */
  overMaxShare: Spread;
  /** The reader's involuntary context switches (preemptions) per second. */
  involuntaryPerS: Spread;
  /** The histogram's last bin, µs (the same in every run of a file). */
  maxUs: number;
}

/**
 * Runs in which the hypervisor stole more than this share of the guest's CPU time are left out: a
 * vCPU taken away for milliseconds holds every record waiting on it that long, a wait that is the
 * host's, not the guest kernel's (placement.sh's stealOfCpuTime). 0.02 because an idle guest on this
 * host class shows about 0.004 and the runs of a quiet campaign 0.000-0.02, while the runs taken
 * beside other guests' load showed 0.05-0.27 with throughput down by up to half.
 */
export const DEFAULT_MAX_STEAL_SHARE = 0.02;

/** The runs kept (steal at most maxSteal, or not recorded) and those left out; any run that may record its steal. */
export function splitBySteal<R extends { stealOfCpuTime?: number | null }>(runs: R[], maxSteal = DEFAULT_MAX_STEAL_SHARE): { kept: R[]; stolen: R[] } {
  const isStolen = (r: R) => typeof r.stealOfCpuTime === "number" && r.stealOfCpuTime > maxSteal;
  return { kept: runs.filter((r) => !isStolen(r)), stolen: runs.filter(isStolen) };
}

const LATENCY_FIELDS = ["n", "p50", "p90", "p99", "first_n", "first_p50", "first_p90", "first_p99", "at_or_over_max", "max_us"] as const;

/**
 * The run's `loader.delivery_us`, checked; null when the run did not measure it.
 * @throws Error naming the run and the field when the object is there but malformed
 */
export function deliveryLatencyOf(run: PlacementRun): DeliveryLatency | null {
  const l = run.loader;
  if (l === undefined || l === null || !("delivery_us" in l)) return null;
  const d = l.delivery_us as Record<string, unknown> | null;
  const where = `reader latency: ${run.shape} ${run.mode} rep ${run.rep}`;
  if (d === null || typeof d !== "object") throw new Error(`${where}: loader.delivery_us = ${JSON.stringify(d)}: not an object`);
  for (const f of LATENCY_FIELDS) {
    const v = d[f];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new Error(`${where}: loader.delivery_us.${f} = ${JSON.stringify(v)}: not a number >= 0`);
  }
  const out = d as unknown as DeliveryLatency;
  if (out.n === 0 || out.first_n === 0) throw new Error(`${where}: loader.delivery_us has no records (n = ${out.n}, first_n = ${out.first_n})`);
  return out;
}

/** Per shape, mode and probe, over the runs that measured delivery latency: medians and spreads of the run-level figures. */
export function summariseReaderLatency(runs: PlacementRun[]): ReaderLatencySummary[] {
  const groups = new Map<string, { run: PlacementRun; d: DeliveryLatency; l: Record<string, unknown> }[]>();
  for (const run of runs) {
    const d = deliveryLatencyOf(run);
    if (d === null || run.gbps === null) continue;
    const k = `${run.shape}|${run.mode}|${probeOf(run)}`;
    groups.set(k, [...(groups.get(k) ?? []), { run, d, l: run.loader! }]);
  }
  const num = (l: Record<string, unknown>, k: string): number => (typeof l[k] === "number" ? (l[k] as number) : NaN);
  const out: ReaderLatencySummary[] = [];
  for (const rs of groups.values()) {
    const per = (f: (x: (typeof rs)[number]) => number) => spread(rs.map(f));
    const maxUs = rs[0]!.d.max_us;
    const other = rs.find((x) => x.d.max_us !== maxUs);
    if (other !== undefined)
      throw new Error(
        `reader latency: ${other.run.shape} ${other.run.mode} rep ${other.run.rep}: loader.delivery_us.max_us = ${other.d.max_us}, where other runs have ${maxUs}`,
      );
    out.push({
      shape: rs[0]!.run.shape,
      mode: rs[0]!.run.mode,
      probe: probeOf(rs[0]!.run),
      runs: rs.length,
      gbps: per((x) => x.run.gbps!),
      recordsPerS: per((x) => num(x.l, "records") / num(x.l, "duration_s")),
      sleepsPerRecord: per((x) => num(x.l, "voluntary_ctxt_switches") / num(x.l, "records")),
      p50Us: per((x) => x.d.p50),
      p90Us: per((x) => x.d.p90),
      p99Us: per((x) => x.d.p99),
      firstP50Us: per((x) => x.d.first_p50),
      firstP90Us: per((x) => x.d.first_p90),
      firstP99Us: per((x) => x.d.first_p99),
      overMaxShare: per((x) => x.d.at_or_over_max / x.d.n),
      involuntaryPerS: per((x) => num(x.l, "involuntary_ctxt_switches") / num(x.l, "duration_s")),
      maxUs,
    });
  }
  const order = (x: ReaderLatencySummary) => `${x.shape}|${x.mode}|${PROBE_ORDER.indexOf(x.probe)}`;
  return out.sort((a, b) => order(a).localeCompare(order(b)));
}

const PROBE_ORDER: ProbeKind[] = ["ps", "none", "bpftrace", "preempt-trace"];

export interface WakeToRunSummary {
  shape: string;
  mode: PlacementRun["mode"];
  runs: number;
  /** The reader's wakeups per second of the trace (bpftrace ran SECONDS - 1 s of each run). */
  wakeupsPerS: Spread;
  meanUs: Spread;
  /** Share of the wakeups that waited 500 µs or more for the CPU, and those waits per second. */
  longShare: Spread;
  longPerS: Spread;
  /** Over all runs: the task that ran just before the reader, for each wait of 500 µs or more. */
  longAfter: Record<string, number>;
  longN: number;
}

/**
 * One trace's histograms over the runs of `shape` and `mode` summed (`wakeToRun`: the reader's waits
 * from wakeup to run; `preemptStalls`: its waits when switched out while runnable), as
 * [low µs, high µs, count] bins on [low, high): bpftrace's log2 bucket [min, max] holds the integer µs
 * min..max, so high is max + 1. Null when no run carried that trace.
 */
export function mergedTrace(
  runs: PlacementRun[],
  shape: string,
  mode: PlacementRun["mode"],
  trace: "wakeToRun" | "preemptStalls",
): [number, number, number][] | null {
  const bins = new Map<number, [number, number, number]>();
  for (const r of runs) {
    const t = r[trace];
    if (r.shape !== shape || r.mode !== mode || t === undefined || t === null) continue;
    for (const [min, max, n] of t.histUs) {
      const b = bins.get(min) ?? [min, max + 1, 0];
      b[2] += n;
      bins.set(min, b);
    }
  }
  return bins.size === 0 ? null : [...bins.values()].sort((a, b) => a[0] - b[0]);
}

/** A preemption trace summarised as the stall campaign's runs are, plus the rate per second the reader ran. */
export interface PreemptTraceSummary extends StallSummary {
  /** Stalls per second the reader ran (loader reader_cpu_s over duration_s). */
  perRunningS: Spread;
}

/** A placement run's preemption trace as a run of the stall campaign (preempt-stalls.ts), so one summary serves both. */
function asStallRun(r: PlacementRun): StallRun {
  const t = r.preemptStalls!;
  return {
    shape: r.shape,
    mode: r.mode as StallRun["mode"],
    rep: r.rep,
    seconds: t.traceSeconds,
    gbps: r.gbps,
    stealOfCpuTime: r.stealOfCpuTime ?? null,
    stalls: t.stalls,
    meanUs: t.meanUs,
    totalUs: t.totalUs,
    preemptedBy: t.preemptedBy,
    histUs: t.histUs,
  };
}

/**
 * Per shape and mode, the runs that traced the reader's preemptions (placement.sh with
 * PREEMPT_STALLS=1): summariseStalls' figures, and the rate per second the reader ran.
 */
export function summarisePreemptTrace(runs: PlacementRun[]): PreemptTraceSummary[] {
  const runShare = (r: PlacementRun) => {
    const l = r.loader;
    const cpu = l?.reader_cpu_s;
    const dur = l?.duration_s;
    if (typeof cpu !== "number" || typeof dur !== "number" || !(cpu > 0) || !(dur > 0)) {
      throw new Error(
        `preemption trace: ${r.shape} ${r.mode} rep ${r.rep}: loader.reader_cpu_s / duration_s = ${JSON.stringify(cpu)} / ${JSON.stringify(dur)}: not valid`,
      );
    }
    return cpu / dur;
  };
  return groupByShapeMode(runs, (r) => r.preemptStalls !== undefined && r.preemptStalls !== null)
    .map((rs) => ({
      ...summariseStalls(rs.map(asStallRun))[0]!,
      perRunningS: spread(rs.map((r) => r.preemptStalls!.stalls / r.preemptStalls!.traceSeconds / runShare(r))),
    }))
    .sort((a, b) => `${a.shape}|${a.mode}`.localeCompare(`${b.shape}|${b.mode}`));
}

/** Per shape and mode, the runs that traced the reader's wakeup-to-run waits (placement.sh with WAKE_TO_RUN=1). */
export function summariseWakeToRun(runs: PlacementRun[]): WakeToRunSummary[] {
  const out: WakeToRunSummary[] = [];
  for (const rs of groupByShapeMode(runs, (r) => r.wakeToRun !== undefined && r.wakeToRun !== null)) {
    const w = rs.map((r) => r.wakeToRun!);
    const longAfter: Record<string, number> = {};
    for (const x of w) for (const [comm, n] of Object.entries(x.longAfter)) longAfter[comm] = (longAfter[comm] ?? 0) + n;
    out.push({
      shape: rs[0]!.shape,
      mode: rs[0]!.mode,
      runs: rs.length,
      wakeupsPerS: spread(w.map((x) => x.count / x.traceSeconds)),
      meanUs: spread(w.map((x) => x.meanUs)),
      longShare: spread(w.map((x) => x.longN / x.count)),
      longPerS: spread(w.map((x) => x.longN / x.traceSeconds)),
      longAfter,
      longN: w.reduce((a, x) => a + x.longN, 0),
    });
  }
  return out.sort((a, b) => `${a.shape}|${a.mode}`.localeCompare(`${b.shape}|${b.mode}`));
}

export function readReaderLatency(path: string): ReaderLatencySummary[] {
  return summariseReaderLatency(readPlacement(path));
}
