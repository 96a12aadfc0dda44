/**
 * Fits runqueueWaitNs (how long a woken reader waits for a CPU busy with other work before it runs).
 * `bpfsim calibrate` uses fitRunqueueWaitFromCycles (below): the reader's measured sleep/wake cycles
 * per record. fitRunqueueWait, the earlier fit, is kept for comparison: it fits the wait
 * from the ring buffer's notification ratio in a wakeup-counting dataset (`bpfsim measure --wakeups`).
 *
 * Why that ratio pins the wait: a ring buffer notifies only when the consumer has caught up with the
 * record being committed (kernel/bpf/ringbuf.c `bpf_ringbuf_commit`). The longer a woken reader waits
 * before it drains, the more records pile up behind the first, and the fewer commits find it caught
 * up: the model's notifications per record fall as the wait grows. We bisect the wait on [0, 1 ms]
 * against the measured irq_work interrupts per ring buffer output of the `tpw-ringbuf` configuration
 * (first `fitReps` quiet repetitions; the rest stay held out). Fit after irqWorkLatencyNs.
 */
import type { DatasetRow } from "../measure/jsonl.ts";
import type { LoaderSettings } from "../measure/loader.ts";
import type { CalibratedConstant, CalibrationFile } from "../models/types.ts";
import type { SimulateOptions } from "../node/simulate.ts";
import { simulateHarness } from "./harness-scenario.ts";
import { median } from "./stats.ts";
import { bisectNonIncreasing, wakeupTarget, type BisectResult, type WakeupTarget } from "./wakeup-fit.ts";

export interface RunqueueWaitFit {
  constant: CalibratedConstant;
  target: WakeupTarget;
  bisect: BisectResult;
}

/** A copy of `cal` with runqueueWaitNs = ns. */
export function withRunqueueWait(cal: CalibrationFile, ns: number): CalibrationFile {
  const c = structuredClone(cal);
  c.constants.runqueueWaitNs = { ...c.constants.runqueueWaitNs, value: ns };
  return c;
}

export function fitRunqueueWait(
  rows: readonly DatasetRow[],
  ratioAt: (waitNs: number) => number,
  o: { datasetPath: string; baselineNote?: string; fitReps?: number; configId?: string },
): RunqueueWaitFit {
  const target = wakeupTarget(rows, { fitReps: o.fitReps, configId: o.configId ?? "tpw-ringbuf", mode: "ringbuf" });
  const hi = 1_000_000;
  const bisect = bisectNonIncreasing(ratioAt, target.median, { lo: 0, hi, tol: 250, probes: [5000, 20000, 100000] });
  const r3 = (x: number) => Number(x.toPrecision(4));
  const constant: CalibratedConstant = {
    value: Math.round(bisect.x),
    unit: "ns",
    method: "fitted",
    source:
      `${o.datasetPath}: bisection on [0, ${hi}] ns of the node model's ring buffer notifications per output (dev-kvm-2vcpu, iperf3-veth observed` +
      `${o.baselineNote ? ` at ${o.baselineNote}` : ""}, harness-ringbuf, default notification) against the measured ${target.configId} ratio, median of ` +
      `${target.runs.length} (${target.ratios.map((x) => x.toFixed(4)).join(", ")}) = ${target.median.toFixed(4)}; model ratio ${bisect.fx.toFixed(4)} at the fitted value ` +
      `(${bisect.bracket}); ${bisect.monotone ? "non-increasing" : `NOT monotone (rose by up to ${r3(bisect.worstIncrease)})`} over ` +
      `${bisect.evaluations.map((e) => `${r3(e.x)} ns: ${e.fx.toFixed(4)}`).join(", ")}`,
    residual: Number((Math.abs(bisect.fx - target.median) / target.median).toPrecision(3)),
    runs: target.runs,
  };
  return { constant, target, bisect };
}

/**
 * The reader's sleep/wake cycles per record of one configuration of a wakeup-counting (or
 * throughput) dataset: the reader thread's voluntary context switches (getrusage RUSAGE_THREAD: one
 * per epoll_wait that slept) per record it read, over the first `fitReps` quiet repetitions.
 */
export interface ReaderCycleTarget {
  configId: string;
  settings: LoaderSettings;
  runs: string[];
  cycles: number[];
  median: number;
}

export function readerCycleTarget(rows: readonly DatasetRow[], o: { configId: string; fitReps?: number }): ReaderCycleTarget {
  const fitReps = o.fitReps ?? 3;
  const runs: string[] = [];
  const cycles: number[] = [];
  let settings: LoaderSettings | undefined;
  for (const r of rows) {
    if (r.kind !== "throughput" || r.configId !== o.configId || r.rep >= fitReps || r.preRun?.quiet === false || !r.loader) continue;
    const vcs = Number(r.loader.voluntary_ctxt_switches);
    const records = Number(r.loader.records);
    if (!(records > 0) || !Number.isFinite(vcs)) continue;
    runs.push(r.runId);
    cycles.push(vcs / records);
    settings ??= r.config.settings;
  }
  if (runs.length === 0 || settings === undefined)
    throw new Error(`dataset: no quiet repetition < ${fitReps} of ${o.configId} with the reader's context switches and records`);
  return { configId: o.configId, settings, runs, cycles, median: median(cycles) };
}

export interface ReaderCycleFit {
  constant: CalibratedConstant;
  targets: ReaderCycleTarget[];
  /** Every evaluation: the wait, the model's cycles per record for each target, the objective. */
  evaluations: { x: number; model: number[]; sse: number }[];
  /** The model's cycles per record at the fitted wait, per target. */
  atFit: number[];
}

/**
 * Fits runqueueWaitNs to the reader's measured sleep/wake cycles per record of several
 * configurations at once (by default the calibration's perf and ring buffer configurations of the
 * wakeup dataset): the wait minimising the sum over configurations of ln(model / measured)^2, by a
 * grid on [0, 320 us] and golden-section search around its best point (to 250 ns).
 *
 * Why this observable: what the reader costs is set by how often it sleeps and wakes (each cycle is
 * two context switches, two epoll_wait calls and a cache refill), and the loader counts those
 * cycles directly. The ring buffer's notification ratio, fitted before, barely moves with the wait
 * in the model (0.241 at 0 ns, 0.229 at 5 us against a measured 0.2334, 0.2305-0.2337), so it left the
 * wait free to take a value at which the perf reader slept 3.8x as often as measured. Fitting two
 * buffer kinds with one constant also tests the model: both residuals are in the source.
 */
export function fitRunqueueWaitFromCycles(
  rows: readonly DatasetRow[],
  cyclesAt: (waitNs: number, settings: LoaderSettings) => number,
  o: { datasetPath: string; baselineNote?: string; fitReps?: number; configIds?: string[] },
): ReaderCycleFit {
  const targets = (o.configIds ?? ["tpw-perf", "tpw-ringbuf"]).map((configId) => readerCycleTarget(rows, { configId, fitReps: o.fitReps }));
  const memo = new Map<number, { model: number[]; sse: number }>();
  const at = (x: number) => {
    const k = Math.round(x);
    let e = memo.get(k);
    if (e === undefined) {
      const model = targets.map((t) => cyclesAt(k, t.settings));
      for (const m of model) if (!(m > 0)) throw new RangeError(`fitRunqueueWaitFromCycles: model cycles per record ${m} at ${k} ns`);
      const sse = model.reduce((s, m, i) => s + Math.log(m / targets[i]!.median) ** 2, 0);
      e = { model, sse };
      memo.set(k, e);
    }
    return e.sse;
  };
  const grid = [0, 2500, 5000, 10000, 20000, 40000, 80000, 160000, 320000];
  let best = 0;
  for (let i = 0; i < grid.length; i++) if (at(grid[i]!) < at(grid[best]!)) best = i;
  let a = grid[Math.max(0, best - 1)]!;
  let b = grid[Math.min(grid.length - 1, best + 1)]!;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  while (b - a > 250) {
    if (at(c) <= at(d)) {
      b = d;
      d = c;
      c = b - g * (b - a);
    } else {
      a = c;
      c = d;
      d = a + g * (b - a);
    }
  }
  let x = Math.round((a + b) / 2);
  for (const k of memo.keys()) if (memo.get(k)!.sse < at(x)) x = k;
  const fit = memo.get(Math.round(x))!;
  const evaluations = [...memo].map(([ex, e]) => ({ x: ex, model: e.model, sse: e.sse })).sort((p, q) => p.x - q.x);
  const r4 = (v: number) => v.toFixed(4);
  const constant: CalibratedConstant = {
    value: Math.round(x),
    unit: "ns",
    method: "fitted",
    source:
      `${o.datasetPath}: least squares in ln(model / measured) of the reader's sleep/wake cycles per record (loader voluntary_ctxt_switches / records; ` +
      `model: reader wakeups from sleep / outputs; dev-kvm-2vcpu, iperf3-veth observed${o.baselineNote ? ` at ${o.baselineNote}` : ""}) over ` +
      targets
        .map((t, i) => `${t.configId} (median of ${t.runs.length}: ${t.cycles.map(r4).join(", ")} = ${r4(t.median)}; model ${r4(fit.model[i]!)})`)
        .join(" and ") +
      `; grid on [0, 320000] ns then golden section to 250 ns; sum of squares ${fit.sse.toPrecision(3)}; evaluations ` +
      evaluations.map((e) => `${e.x} ns: ${e.model.map(r4).join("/")}`).join(", "),
    residual: Number(Math.sqrt(fit.sse / targets.length).toPrecision(3)),
    runs: targets.flatMap((t) => t.runs),
  };
  return { constant, targets, evaluations, atFit: fit.model };
}

/**
 * The node model's reader wakeups from sleep per output for a harness configuration, as
 * src/validation/measured.ts builds it (the counterpart of the loader's voluntary context switches per record).
 */
export function simulatedReaderCycles(
  cal: CalibrationFile,
  settings: LoaderSettings,
  baselineGbps: number,
  sim: SimulateOptions & { hardware?: string; workload?: string } = {},
): number {
  const r = simulateHarness(cal, settings, baselineGbps, sim);
  if (!(r.eventsPerS.mean > 0)) throw new RangeError("simulatedReaderCycles: the model emitted no events");
  return r.readerWakeupsPerS.mean / r.eventsPerS.mean;
}
