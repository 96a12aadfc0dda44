/**
 * Our own held-out throughput configurations, measured beside predicted, on the measuring host.
 *
 * Each configuration of the harness (src/measure/grid.ts) becomes a scenario:
 * - hardware `dev-kvm-2vcpu` (models/hardware), the 2-vCPU KVM guest the dataset was taken on;
 * - workload `iperf3-veth` in mode "observed" at the median of the dataset's no-program baseline
 *   runs (configuration `baselineConfig`): iperf3 is closed-loop and CPU-bound on this host, so its
 *   baseline is an input (as the seed's baselines are), and the agent's costs are weighed against it;
 * - tool `harness-perf` or `harness-ringbuf` (models/tools) with the run's loader settings
 *   (pages, wakeup_events or watermark, ring size, wakeup policy, sampling);
 * - placement: no CPU limit and no pinning -> "unlimited"; a cgroup CPU limit -> "limited" at that
 *   limit with the 100 ms CFS period the harness uses; a reader pinned to a CPU -> "pinned" on one CPU
 *   with `exclusive: false`: the harness pins the reader only and iperf3 may still run on that CPU, so
 *   the model leaves the CPU to the application and takes the reader's time from it; and as the
 *   host has no NIC (`nic.receiveFollowsSender`: the receive softirq follows the sender, which the
 *   scheduler moves, validation/data/placement/), the pin fixes no role's CPU (node-run.ts).
 * Traffic shape "lo-p2" (iperf3 -P 2 over a namespace's loopback, `bpfsim measure --shape lo-p2`):
 * workload `iperf3-lo-p2` (64 KiB skbs, ACKs from the receiving thread's CPU) observed at the
 * median of `tp-lo-p2-baseline` (calibration/harness-scenario.ts `harnessShape`).
 * `mechanismComparison` puts the model's reader and buffer quantities beside the loader's counters.
 */
import type { DatasetRow } from "../measure/jsonl.ts";
import type { LoaderSettings } from "../measure/loader.ts";
import { validateProfile } from "../models/load.ts";
import type { Placement, ToolProfile } from "../models/types.ts";
import { buildScenario } from "../node/scenario.ts";
import { simulate, type SimulateOptions, type SimulationResult } from "../node/simulate.ts";
import { harnessShape, NO_OUTPUT_SAMPLING, placementFor, toolForSettings } from "../calibration/harness-scenario.ts";
import { resolve } from "node:path";
import type { ThroughputRow } from "../measure/jsonl.ts";
import { REPO_ROOT } from "../measure/loader.ts";
import {
  calibrationDatasetOf,
  heldOutConfigurations,
  median,
  type FittedCalibrationFile,
  type HeldOutOptions,
  type HeldOutSelection,
  type MeasuredConfiguration,
} from "./held-out.ts";

export interface MeasuredOptions extends SimulateOptions {
  /** @defaultValue "dev-kvm-2vcpu" */
  hardware?: string;
  /** @defaultValue "iperf3-veth" for the veth shape, "iperf3-lo-p2" for lo-p2 (harnessShape); null: not predicted */
  workload?: string | null;
  /** Configuration of the no-program baseline runs. @defaultValue "tp-baseline" ("tp-lo-p2-baseline" with shape lo-p2) */
  baselineConfig?: string;
  /**
   * Which runs count (held-out.ts HeldOutOptions): shape, the contended-run limit, and whether the
   * rows are the calibration's own dataset. @defaultValue every run of every shape, own dataset
   */
  selection?: HeldOutOptions;
  /**
   * Path of the dataset `rows` came from: when given and selection.calibrationDataset is not, the
   * rows are the calibration's own dataset exactly when this is the calibration's `--data`.
   */
  dataset?: string;
  /** CFS period of the harness's cgroup limit. @defaultValue 100000 */
  cfsPeriodUs?: number;
}

export interface MeasuredComparison {
  config: MeasuredConfiguration;
  /** Tool, placement and buffer settings the scenario used, in words. */
  scenario: string;
  /** Caveats: where the scenario cannot express the run exactly. */
  notes: string[];
  result: SimulationResult | null;
  /** (predicted with-agent - measured median) / measured median, in %. */
  errorPct: number | null;
  /** Whether the predicted mean lies within the measured min-max. */
  insideSpread: boolean | null;
  /** 100 * (1 - median / baseline median). */
  measuredOverheadPct: number;
}

export interface MeasuredValidation {
  baseline: { configId: string; runs: string[]; medianGbps: number; minGbps: number; maxGbps: number; used: boolean } | null;
  selection: HeldOutSelection;
  comparisons: MeasuredComparison[];
}

/** The harness tool profile with one configuration's loader settings applied. */
function describe(t: ToolProfile, p: Placement): string {
  const place = p.kind === "limited" ? `limited ${p.cpuLimit} CPU` : p.kind;
  if (t.sampling === NO_OUTPUT_SAMPLING) return `program attached, no output (modelled as sample 1/${NO_OUTPUT_SAMPLING}), ${place}`;
  const b = t.buffer;
  const buf =
    b.kind === "perf"
      ? `perf ${b.pagesPerCpu} pages, ${b.watermarkBytes !== undefined ? `watermark ${b.watermarkBytes} B` : `wakeup_events ${b.wakeupEvents}`}`
      : `ringbuf ${b.bytes / 1048576} MiB, wakeup ${typeof b.wakeup === "string" ? b.wakeup : `forced every ${b.wakeup.forceEvery}`}`;
  return `${buf}, sample 1/${t.sampling}, ${place}`;
}

export function validateMeasured(rows: readonly DatasetRow[], cal: FittedCalibrationFile, o: MeasuredOptions = {}): MeasuredValidation {
  const sh = harnessShape(o.selection?.shape);
  const { hardware = sh.hardware, workload = sh.workload, baselineConfig = sh.baselineConfig, cfsPeriodUs, selection: sel, dataset, ...sim } = o;
  const own = sel?.calibrationDataset ?? (dataset === undefined ? true : sameFile(dataset, calibrationDatasetOf(cal)));
  const selection = heldOutConfigurations(rows, cal, { ...sel, calibrationDataset: own });
  // the baseline's runs obey the same selection: a run dropped as contended is no baseline either
  const dropped = new Set(selection.contended.map((c) => c.runId));
  const baseRows = rows.filter((r) => r.kind === "throughput" && r.configId === baselineConfig && !dropped.has(r.runId));
  if (baseRows.length === 0) return { baseline: null, selection, comparisons: [] };
  const baseGbps = baseRows.map((r) => (r.kind === "throughput" ? r.iperf.bitsPerSecond / 1e9 : 0));
  const baseline = {
    configId: baselineConfig,
    runs: baseRows.map((r) => r.runId),
    medianGbps: median(baseGbps),
    minGbps: Math.min(...baseGbps),
    maxGbps: Math.max(...baseGbps),
    used: baseRows.some((r) => selection.usedRuns.has(r.runId)),
  };
  const comparisons: MeasuredComparison[] = [];
  for (const config of selection.heldOut) {
    // the baseline is the input every prediction is weighed against, not a prediction
    if (config.configId === baselineConfig) continue;
    const measuredOverheadPct = 100 * (1 - config.medianGbps / baseline.medianGbps);
    const s = config.settings;
    if (s === undefined) {
      comparisons.push({
        config,
        scenario: "no program",
        notes: ["no program attached: nothing to predict"],
        result: null,
        errorPct: null,
        insideSpread: null,
        measuredOverheadPct,
      });
      continue;
    }
    const tool = toolForSettings(s);
    const { placement, notes } = placementFor(s, config.cpuLimit, cfsPeriodUs);
    if (workload === null) {
      comparisons.push({
        config,
        scenario: describe(tool, placement),
        notes: [...notes, "no workload model given (workload null): not predicted"],
        result: null,
        errorPct: null,
        insideSpread: null,
        measuredOverheadPct,
      });
      continue;
    }
    const scenario = buildScenario({ hardware, tool: "none", workload, observedGbps: baseline.medianGbps });
    let result: SimulationResult;
    try {
      result = simulate({ ...scenario, calibration: cal.calibration, tool, placement }, sim);
    } catch (err) {
      comparisons.push({
        config,
        scenario: describe(tool, placement),
        notes: [...notes, `the simulation failed: ${err instanceof Error ? err.message : String(err)}`],
        result: null,
        errorPct: null,
        insideSpread: null,
        measuredOverheadPct,
      });
      continue;
    }
    const p = result.withAgentGbps.mean;
    comparisons.push({
      config,
      scenario: describe(tool, placement),
      notes,
      result,
      errorPct: (100 * (p - config.medianGbps)) / config.medianGbps,
      insideSpread: p >= config.minGbps && p <= config.maxGbps,
      measuredOverheadPct,
    });
  }
  return { baseline, selection, comparisons };
}

/** Whether `a` (relative to the working directory) is the calibration's dataset `b` (relative to the repository, as calibrate writes it). */
function sameFile(a: string, b: string | undefined): boolean {
  return b !== undefined && resolve(a) === resolve(REPO_ROOT, b);
}

/** One quantity, measured (median and range over the configuration's runs) beside the model's mean. */
export interface MechanismQuantity {
  measuredMedian: number | null;
  measuredMin: number | null;
  measuredMax: number | null;
  predicted: number | null;
}

/**
 * What the model's reader and buffer did beside what the loader counted, for one compared
 * configuration: the reader's sleep/wake cycles per record (loader voluntary_ctxt_switches / records;
 * model reader wakeups from sleep / outputs), the reader's CPU in cores (loader reader_cpu_s /
 * duration_s; model: the CPU the kernel bills the agent threads, agentCpuBilledCores), records lost per output (loader failed / (emitted + failed);
 * model lost / outputs), records per second (loader emitted / duration_s; model outputs). Where a
 * miss comes from shows here: a throughput inside its spread with the reader's cycles 5x off is
 * right for the wrong reason.
 */
export interface MechanismComparison {
  configId: string;
  cyclesPerRecord: MechanismQuantity;
  readerCores: MechanismQuantity;
  lostPerOutput: MechanismQuantity;
  recordsPerS: MechanismQuantity;
  /**
   * Under a CPU limit: the cgroup's throttled time over the run (cpu.stat throttled_time in ns, v1, or
   * throttled_usec, v2; the kernel sums it over the CPUs' run queues that were throttled, so with
   * one busy thread it is about the wall-clock share), beside the model's throttledPct / 100. Null
   * measured values where the run had no cgroup.
   */
  throttledShare: MechanismQuantity;
  /**
   * KB received per program run (iperf3 bytes over the loader's `seen`, per run), beside the model's
   * bytes per output where every run outputs (sample 1/1; null otherwise): how many records the
   * workload's skb size and hooks make of the traffic.
   */
  kbPerProgramRun: MechanismQuantity;
}

/** Throttled time over the run from a cgroup's cpu.stat (v1 throttled_time ns or v2 throttled_usec); NaN without one. */
export function throttledShareOf(stat: Record<string, number> | undefined, durationS: number): number {
  if (stat === undefined || !(durationS > 0)) return NaN;
  const ns = stat.throttled_time ?? (stat.throttled_usec !== undefined ? stat.throttled_usec * 1000 : undefined);
  return ns === undefined || !Number.isFinite(ns) ? NaN : ns / (durationS * 1e9);
}

export function mechanismComparison(rows: readonly DatasetRow[], c: MeasuredComparison): MechanismComparison {
  const runs = new Set(c.config.runs);
  const loaders = rows
    .filter((r): r is ThroughputRow => r.kind === "throughput" && runs.has(r.runId) && r.loader !== undefined)
    .map((r) => ({ l: r.loader!, d: Number(r.loader!.duration_s ?? r.durationS), stat: r.cgroupCpuStat, runS: r.durationS, bytes: r.iperf.bytes }));
  const q = (f: (x: (typeof loaders)[number]) => number, predicted: number | null): MechanismQuantity => {
    const xs = loaders.map(f).filter((x) => Number.isFinite(x));
    return xs.length === 0
      ? { measuredMedian: null, measuredMin: null, measuredMax: null, predicted }
      : { measuredMedian: median(xs), measuredMin: Math.min(...xs), measuredMax: Math.max(...xs), predicted };
  };
  const r = c.result;
  const perOutput = (x: number | undefined) => (r && r.eventsPerS.mean > 0 && x !== undefined ? x / r.eventsPerS.mean : null);
  const outputs = (l: (typeof loaders)[number]["l"]) => Number(l.emitted) + Number(l.failed);
  return {
    configId: c.config.configId,
    cyclesPerRecord: q(({ l }) => Number(l.voluntary_ctxt_switches) / Number(l.records), perOutput(r?.readerWakeupsPerS.mean)),
    readerCores: q(({ l, d }) => Number(l.reader_cpu_s) / d, r ? r.agentCpuBilledCores.mean : null),
    lostPerOutput: q(({ l }) => Number(l.failed) / outputs(l), perOutput(r?.lostPerS.mean)),
    recordsPerS: q(({ l, d }) => Number(l.emitted) / d, r ? r.eventsPerS.mean : null),
    throttledShare: q(({ stat, runS }) => throttledShareOf(stat, runS), r?.throttledPct ? r.throttledPct.mean / 100 : null),
    kbPerProgramRun: q(
      ({ l, bytes }) => (Number(l.seen) > 0 ? bytes / Number(l.seen) / 1e3 : NaN),
      r && / sample 1\/1,/.test(c.scenario) && r.eventsPerS.mean > 0 ? (r.withAgentGbps.mean * 1e9) / 8 / r.eventsPerS.mean / 1e3 : null,
    ),
  };
}
