/**
 * Fits irqWorkLatencyNs (the delay between irq_work_queue and the work running on the same CPU)
 * from a wakeup-counting dataset (`bpfsim measure --wakeups`, loader --count-wakeups): the latency
 * for which the node model reproduces the measured irq_work coalescing ratio, wakeups per
 * perf_event_output, of the tp-perf-like configuration (`tpw-perf`: perf, 64 pages,
 * wakeup_events=1) on this host.
 *
 * Why the ratio pins the latency: with wakeup_events=1 every output raises the perf event's
 * irq_work; a raise while that CPU's irq_work is still pending coalesces (src/node/agent-buffer.ts),
 * so the longer the irq_work waits, the more outputs share one perf_event_wakeup. The model's
 * ratio is therefore non-increasing in the latency, and we bisect it on [lo, hi]. Where the
 * measured ratio is 1 (no coalescing), every latency up to the point where the model starts to
 * coalesce reproduces it; the bisection then returns that point, the upper end of the consistent
 * range, and says so (`plateau`).
 *
 * The measured wakeups are perf_event_wakeup calls when fentry could count them, else irq_work
 * self-IPIs (raw tracepoint irq_vectors:irq_work_entry) less the background of mode-none runs
 * (`tpw-none`); the outputs are perf_event_output calls, else the parser's output calls (emitted +
 * failed). Only the first `fitReps` quiet repetitions are fitted; the rest are held out.
 */
import type { DatasetRow, ThroughputRow } from "../measure/jsonl.ts";
import { wakeupRatio, type LoaderSettings } from "../measure/loader.ts";
import type { CalibratedConstant, CalibrationFile } from "../models/types.ts";
import type { SimulateOptions } from "../node/simulate.ts";
import { simulateHarness, type HarnessSimOptions } from "./harness-scenario.ts";
import { median } from "./stats.ts";

export interface BisectResult {
  /** The fitted value. */
  x: number;
  /** f at the fitted value. */
  fx: number;
  /** "inside": f crosses the target in [lo, hi]; "plateau": f(lo) already equals the target and stays
   * there up to x (x is the upper end of the consistent range); "below-lo" / "above-hi": clamped. */
  bracket: "inside" | "plateau" | "below-lo" | "above-hi";
  /** Every evaluation, sorted by x. */
  evaluations: { x: number; fx: number }[];
  /** Whether the evaluations are non-increasing in x (within `monotoneTolerance`). */
  monotone: boolean;
  /** The largest increase of f between neighbouring evaluations (0 when non-increasing). */
  worstIncrease: number;
}

export interface BisectOptions {
  lo?: number;
  hi?: number;
  /** Stop when the bracket is narrower than this. @defaultValue 5 */
  tol?: number;
  /** Extra points evaluated (besides lo, hi and the bisection's) to check monotonicity. */
  probes?: number[];
  /** Increase of f tolerated between neighbouring evaluations before calling it non-monotone. @defaultValue 1e-3 */
  monotoneTolerance?: number;
}

/**
 * Finds x in [lo, hi] with f(x) = target for a non-increasing f: the largest x with f(x) >= target
 * (to within tol). Clamps to lo when f(lo) < target and to hi when f(hi) >= target.
 */
export function bisectNonIncreasing(f: (x: number) => number, target: number, o: BisectOptions = {}): BisectResult {
  const lo0 = o.lo ?? 0;
  const hi0 = o.hi ?? 20000;
  const tol = o.tol ?? 5;
  const memo = new Map<number, number>();
  const at = (x: number) => {
    let v = memo.get(x);
    if (v === undefined) {
      v = f(x);
      if (!Number.isFinite(v)) throw new RangeError(`bisectNonIncreasing: f(${x}) = ${v}`);
      memo.set(x, v);
    }
    return v;
  };
  for (const p of o.probes ?? []) if (p >= lo0 && p <= hi0) at(p);
  const fLo = at(lo0);
  const fHi = at(hi0);
  let x: number;
  let bracket: BisectResult["bracket"];
  if (fLo < target) {
    x = lo0;
    bracket = "below-lo";
  } else if (fHi >= target) {
    x = hi0;
    bracket = "above-hi";
  } else {
    // Invariant: f(lo) >= target > f(hi).
    let lo = lo0;
    let hi = hi0;
    for (const [px, pv] of [...memo].sort((a, b) => a[0] - b[0])) {
      if (pv >= target && px > lo && px < hi) lo = px;
    }
    for (const [px, pv] of [...memo].sort((a, b) => b[0] - a[0])) {
      if (pv < target && px < hi && px > lo) hi = px;
    }
    while (hi - lo > tol) {
      const mid = (lo + hi) / 2;
      if (at(mid) >= target) lo = mid;
      else hi = mid;
    }
    x = lo;
    bracket = fLo === target ? "plateau" : "inside";
  }
  const evaluations = [...memo].map(([ex, fx]) => ({ x: ex, fx })).sort((a, b) => a.x - b.x);
  let worstIncrease = 0;
  for (let i = 1; i < evaluations.length; i++) worstIncrease = Math.max(worstIncrease, evaluations[i]!.fx - evaluations[i - 1]!.fx);
  return { x, fx: at(x), bracket, evaluations, monotone: worstIncrease <= (o.monotoneTolerance ?? 1e-3), worstIncrease };
}

export interface WakeupTarget {
  configId: string;
  settings: LoaderSettings;
  /** Fitted runs and their ratios. */
  runs: string[];
  ratios: number[];
  median: number;
  method: "fentry" | "irq_work_ipi";
  /** Median irq_work IPIs per second of mode-none runs, subtracted (irq_work_ipi method only). */
  backgroundIpisPerS: number;
  /** Throughput rows of the dataset not fitted. */
  heldOut: string[];
}

/** Per-configuration ratios of a wakeup dataset (all repetitions), for reports. */
export function wakeupRatios(rows: readonly DatasetRow[], noneConfig = "tpw-none"): Map<string, { runs: string[]; ratios: number[]; method: string }> {
  const tput = rows.filter((r): r is ThroughputRow => r.kind === "throughput");
  const bg = backgroundPerS(tput, noneConfig);
  const out = new Map<string, { runs: string[]; ratios: number[]; method: string }>();
  for (const r of tput) {
    if (!r.loader || r.configId === noneConfig) continue;
    const w = wakeupRatio(r.loader, bg * Number(r.loader.duration_s ?? r.durationS));
    if (!w) continue;
    const e = out.get(r.configId) ?? { runs: [], ratios: [], method: w.method };
    e.runs.push(r.runId);
    e.ratios.push(w.ratio);
    out.set(r.configId, e);
  }
  return out;
}

function backgroundPerS(tput: readonly ThroughputRow[], noneConfig: string): number {
  const bg = tput
    .filter((r) => r.configId === noneConfig && typeof r.loader?.irq_work_ipis === "number")
    .map((r) => Number(r.loader!.irq_work_ipis) / Number(r.loader!.duration_s ?? r.durationS));
  return bg.length > 0 ? median(bg) : 0;
}

/** The fitted configuration's measured ratio from its first `fitReps` quiet repetitions. */
export function wakeupTarget(
  rows: readonly DatasetRow[],
  o: { configId?: string; noneConfig?: string; fitReps?: number; mode?: "perf" | "ringbuf" } = {},
): WakeupTarget {
  const configId = o.configId ?? "tpw-perf";
  const noneConfig = o.noneConfig ?? "tpw-none";
  const fitReps = o.fitReps ?? 3;
  const tput = rows.filter((r): r is ThroughputRow => r.kind === "throughput");
  const bg = backgroundPerS(tput, noneConfig);
  const used: ThroughputRow[] = [];
  const ratios: number[] = [];
  let method: WakeupTarget["method"] | undefined;
  for (const r of tput) {
    if (r.configId !== configId || r.rep >= fitReps || r.preRun?.quiet === false || !r.loader) continue;
    const w = wakeupRatio(r.loader, bg * Number(r.loader.duration_s ?? r.durationS));
    if (!w) continue;
    used.push(r);
    ratios.push(w.ratio);
    method = w.method;
  }
  if (used.length === 0) throw new Error(`wakeup dataset: no quiet repetition < ${fitReps} of ${configId} with wakeup counts`);
  const settings = used[0]!.config.settings;
  const mode = o.mode ?? "perf";
  if (!settings || settings.mode !== mode) throw new Error(`wakeup dataset: ${configId} is not a ${mode} configuration`);
  return {
    configId,
    settings,
    runs: used.map((r) => r.runId),
    ratios,
    median: median(ratios),
    method: method!,
    backgroundIpisPerS: bg,
    heldOut: tput.filter((r) => !used.includes(r)).map((r) => r.runId),
  };
}

/**
 * The node model's wakeups / outputs for a harness configuration, as src/validation/measured.ts
 * builds it: hardware dev-kvm-2vcpu, workload iperf3-veth observed at `baselineGbps`, tool
 * harness-perf with the run's settings.
 */
export function simulatedWakeupRatio(cal: CalibrationFile, settings: LoaderSettings, baselineGbps: number, sim: HarnessSimOptions = {}): number {
  const r = simulateHarness(cal, settings, baselineGbps, sim);
  if (!(r.eventsPerS.mean > 0)) throw new RangeError("simulatedWakeupRatio: the model emitted no events");
  return r.wakeupsPerS.mean / r.eventsPerS.mean;
}

export interface IrqWorkLatencyFit {
  constant: CalibratedConstant;
  target: WakeupTarget;
  bisect: BisectResult;
  /** Held-out throughput runs of the wakeup dataset. */
  heldOut: string[];
}

/**
 * Fits irqWorkLatencyNs: `ratioAt(L)` is the model's wakeups/outputs at latency L (in production
 * simulatedWakeupRatio over the calibration being written; tests pass a synthetic function).
 */
export function fitIrqWorkLatency(
  rows: readonly DatasetRow[],
  ratioAt: (latencyNs: number) => number,
  o: { datasetPath: string; baselineNote?: string; fitReps?: number; configId?: string; bisect?: BisectOptions },
): IrqWorkLatencyFit {
  const target = wakeupTarget(rows, { fitReps: o.fitReps, configId: o.configId });
  // ratios within 0.01% of the measured one count as equal (a measured 1.00000 is met by a model's 0.99998)
  const bisect = bisectNonIncreasing(ratioAt, target.median * (1 - 1e-4), {
    lo: 0,
    hi: 20000,
    tol: 5,
    probes: [250, 500, 1000, 2000, 5000, 10000],
    ...o.bisect,
  });
  const r3 = (x: number) => Number(x.toPrecision(4));
  const what =
    target.method === "fentry"
      ? "perf_event_wakeup / perf_event_output calls (fentry)"
      : `irq_work self-IPIs (raw tracepoint irq_vectors:irq_work_entry; fentry was refused by this kernel) less the mode-none background (${r3(target.backgroundIpisPerS)}/s), per parser output call (emitted + failed)`;
  const bracketNote = {
    inside: "the model's ratio crosses the measured one inside [0, 20000] ns",
    plateau: `the measured ratio is the model's ratio at 0 ns (no coalescing): every latency in [0, ${r3(bisect.x)}] ns reproduces it and the value is the UPPER END of that range`,
    "below-lo": "the model coalesces more than measured even at 0 ns: clamped to 0",
    "above-hi": "the model coalesces less than measured even at 20000 ns: clamped to 20000",
  }[bisect.bracket];
  const mono = bisect.monotone
    ? `non-increasing over all ${bisect.evaluations.length} evaluations`
    : `NOT monotone: the ratio rose by up to ${r3(bisect.worstIncrease)} between neighbouring evaluations`;
  const constant: CalibratedConstant = {
    value: Math.round(bisect.x),
    unit: "ns",
    method: "fitted",
    source:
      `${o.datasetPath}: bisection on [0, 20000] ns of the node model's wakeups/outputs (dev-kvm-2vcpu, iperf3-veth observed${o.baselineNote ? ` at ${o.baselineNote}` : ""}, harness-perf ` +
      `${target.settings.perfPages ?? 64} pages wakeup_events=${target.settings.wakeupEvents ?? 1}) against the measured ${target.configId} ratio, median of ${target.runs.length} ` +
      `(${target.ratios.map((x) => x.toFixed(5)).join(", ")}) = ${target.median.toFixed(5)}: ${what}. Model ratio ${bisect.fx.toFixed(5)} at the fitted value; ${bracketNote}; ` +
      `model ratio ${mono} (${bisect.evaluations.map((e) => `${r3(e.x)} ns: ${e.fx.toFixed(4)}`).join(", ")})`,
    residual: Number((Math.abs(bisect.fx - target.median) / target.median).toPrecision(3)),
    runs: target.runs,
  };
  return { constant, target, bisect, heldOut: target.heldOut };
}
