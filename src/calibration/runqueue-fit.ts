/**
 * runqueueWaitNs (how long a woken reader waits for a CPU busy with other work before it runs): the
 * reader's measured sleep/wake cycles per record and the model's, which `bpfsim calibrate` fits
 * together with contextSwitchNs (reader-cpu-fit.ts fitReaderJointly). fitRunqueueWait, an earlier
 * fit, is kept for comparison: it fits the wait from the ring buffer's notification ratio in a
 * wakeup-counting dataset (`bpfsim measure --wakeups`), which barely moves with the wait in the model
 * (0.241 at 0 ns, 0.229 at 5 us against a measured 0.2334): it left the wait free to take a value at
 * which the perf reader slept 3.8x as often as measured.
 *
 * Why that ratio pins the wait: a ring buffer notifies only when the consumer has caught up with the
 * record being committed (kernel/bpf/ringbuf.c `bpf_ringbuf_commit`). The longer a woken reader waits
 * before it drains, the more records pile up behind the first, and the fewer commits find it caught
 * up: the model's notifications per record fall as the wait grows. We bisect the wait on [0, 1 ms]
 * against the measured irq_work interrupts per ring buffer output of the `tpw-ringbuf` configuration
 * (first `fitReps` quiet repetitions; the rest stay held out). Fit after irqWorkLatencyNs.
 */
import type { DatasetRow } from "../measure/jsonl.ts";
import type { LoaderReport } from "../measure/loader.ts";
import type { LoaderSettings } from "../measure/loader.ts";
import type { CalibratedConstant, CalibrationFile } from "../models/types.ts";
import type { SimulateOptions } from "../node/simulate.ts";
import { simulateHarness, type HarnessSimOptions } from "./harness-scenario.ts";
import { median } from "./stats.ts";
import { bisectNonIncreasing, wakeupTarget, type BisectResult, type WakeupTarget } from "./wakeup-fit.ts";

export interface RunqueueWaitFit {
  constant: CalibratedConstant;
  target: WakeupTarget;
  bisect: BisectResult;
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
 * One per-record quantity of the agent's reader, from each of a configuration's fitting
 * repetitions (quiet, rep < fitReps) in a wakeup-counting or throughput dataset: `perRecord` turns a
 * run's loader report and its records read into the value, or null where the run lacks it.
 */
export interface ReaderTarget {
  configId: string;
  settings: LoaderSettings;
  runs: string[];
  values: number[];
  median: number;
}

export function readerTarget(
  rows: readonly DatasetRow[],
  o: { configId: string; fitReps?: number },
  perRecord: (loader: LoaderReport, records: number) => number | null,
  what: string,
): ReaderTarget {
  const fitReps = o.fitReps ?? 3;
  const runs: string[] = [];
  const values: number[] = [];
  let settings: LoaderSettings | undefined;
  for (const r of rows) {
    if (r.kind !== "throughput" || r.configId !== o.configId || r.rep >= fitReps || r.preRun?.quiet === false || !r.loader) continue;
    const records = Number(r.loader.records);
    const v = records > 0 ? perRecord(r.loader, records) : null;
    if (v === null) continue;
    runs.push(r.runId);
    values.push(v);
    settings ??= r.config.settings;
  }
  if (runs.length === 0 || settings === undefined) throw new Error(`dataset: no quiet repetition < ${fitReps} of ${o.configId} with ${what} and records`);
  return { configId: o.configId, settings, runs, values, median: median(values) };
}

/**
 * The reader's sleep/wake cycles per record: the reader thread's voluntary context switches
 * (getrusage RUSAGE_THREAD: one per epoll_wait that slept) per record it read.
 */
export function readerCycleTarget(rows: readonly DatasetRow[], o: { configId: string; fitReps?: number }): ReaderTarget {
  return readerTarget(
    rows,
    o,
    (l, records) => {
      const vcs = Number(l.voluntary_ctxt_switches);
      return Number.isFinite(vcs) ? vcs / records : null;
    },
    "the reader's context switches",
  );
}

/**
 * The node model's reader wakeups from sleep per output for a harness configuration, as
 * src/validation/measured.ts builds it (the counterpart of the loader's voluntary context switches per record).
 */
export function simulatedReaderCycles(cal: CalibrationFile, settings: LoaderSettings, baselineGbps: number, sim: HarnessSimOptions = {}): number {
  const r = simulateHarness(cal, settings, baselineGbps, sim);
  if (!(r.eventsPerS.mean > 0)) throw new RangeError("simulatedReaderCycles: the model emitted no events");
  return r.readerWakeupsPerS.mean / r.eventsPerS.mean;
}
