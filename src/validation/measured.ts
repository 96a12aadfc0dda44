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
 *   the model leaves the CPU to the application and takes the reader's time from it.
 */
import type { DatasetRow } from "../measure/jsonl.ts";
import type { LoaderSettings } from "../measure/loader.ts";
import { validateProfile } from "../models/load.ts";
import type { Placement, ToolProfile } from "../models/types.ts";
import { buildScenario } from "../node/scenario.ts";
import { simulate, type SimulateOptions, type SimulationResult } from "../node/simulate.ts";
import { placementFor, toolForSettings } from "../calibration/harness-scenario.ts";
import { heldOutConfigurations, median, type FittedCalibrationFile, type HeldOutSelection, type MeasuredConfiguration } from "./held-out.ts";

export interface MeasuredOptions extends SimulateOptions {
  /** @defaultValue "dev-kvm-2vcpu" */
  hardware?: string;
  /** @defaultValue "iperf3-veth" */
  workload?: string;
  /** Configuration of the no-program baseline runs. @defaultValue "tp-baseline" */
  baselineConfig?: string;
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
  const b = t.buffer;
  const buf =
    b.kind === "perf"
      ? `perf ${b.pagesPerCpu} pages, ${b.watermarkBytes !== undefined ? `watermark ${b.watermarkBytes} B` : `wakeup_events ${b.wakeupEvents}`}`
      : `ringbuf ${b.bytes / 1048576} MiB, wakeup ${typeof b.wakeup === "string" ? b.wakeup : `forced every ${b.wakeup.forceEvery}`}`;
  const place = p.kind === "limited" ? `limited ${p.cpuLimit} CPU` : p.kind;
  return `${buf}, sample 1/${t.sampling}, ${place}`;
}

export function validateMeasured(rows: readonly DatasetRow[], cal: FittedCalibrationFile, o: MeasuredOptions = {}): MeasuredValidation {
  const { hardware = "dev-kvm-2vcpu", workload = "iperf3-veth", baselineConfig = "tp-baseline", cfsPeriodUs, ...sim } = o;
  const selection = heldOutConfigurations(rows, cal);
  const baseRows = rows.filter((r) => r.kind === "throughput" && r.configId === baselineConfig);
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
    const measuredOverheadPct = 100 * (1 - config.medianGbps / baseline.medianGbps);
    const s = config.settings;
    if (s === undefined || s.mode === "none") {
      comparisons.push({
        config,
        scenario: s === undefined ? "no program" : "program attached, no output",
        notes: ["the model has no tool without an output buffer: not predicted"],
        result: null,
        errorPct: null,
        insideSpread: null,
        measuredOverheadPct,
      });
      continue;
    }
    const tool = toolForSettings(s);
    const { placement, notes } = placementFor(s, config.cpuLimit, cfsPeriodUs);
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
