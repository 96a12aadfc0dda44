/**
 * The node model's window-limited receiver (Workload.windowLimited, node/simulate.ts `windowCap`)
 * against our own window-capped runs: `bpfsim measure --delay --window` datasets
 * (`*-injected-delay-w<KiB>k.jsonl`) whose burn-0 runs were taken with and without the cap in one
 * sitting. For each output mode, the measured overhead (the mode's burn-0 runs against the no-program
 * baseline of the same cap) beside the model's: hardware dev-kvm-2vcpu, the CPUs' capacity observed
 * at the same sitting's autotuned no-program baseline, and
 * - autotuned: workload iperf3-veth;
 * - capped: workload iperf3-veth-w16k (its skb size from the capped mode-none runs) with
 *   windowLimited at the capped no-program baseline, one flow.
 * Nothing is fitted on these runs; the output modes' runs are only compared with.
 */
import { existsSync, readdirSync } from "node:fs";
import type { DatasetRow, ThroughputRow } from "../measure/jsonl.ts";
import type { LoaderSettings } from "../measure/loader.ts";
import type { CalibrationFile } from "../models/types.ts";
import { placementFor, toolForSettings } from "../calibration/harness-scenario.ts";
import { buildScenario } from "../node/scenario.ts";
import { simulate, type SimulateOptions } from "../node/simulate.ts";
import { median } from "../engine/robust-stats.ts";

export interface WindowCheckRow {
  mode: "none" | "perf" | "ringbuf";
  capped: boolean;
  runs: number;
  measuredPct: number;
  predictedPct: number;
  /**
   * Capped rows: the model with the delay left out (the same cap, its hook work spread over so many
   * flows that it lengthens no round trip): what charging CPU time alone predicts. Autotuned: the same
   * as predictedPct.
   */
  cpuOnlyPct: number;
  /** The model's bottleneck with the agent ("window" when the cap binds). */
  bottleneck: string;
}

/** Flows enough that the agent's hook ns per byte, divided among them, lengthens no round trip. */
const NO_DELAY_FLOWS = 1_000_000;

export interface WindowCheck {
  windowBytes: number;
  cappedBaselineGbps: number;
  autotunedBaselineGbps: number;
  rows: WindowCheckRow[];
}

const gbps = (r: ThroughputRow) => r.iperf.bitsPerSecond / 1e9;

/**
 * The comparison, or null when the dataset lacks what it needs (a window, both no-program baselines,
 * and burn-0 runs of some output mode with and without the cap).
 */
export function windowCheck(rows: readonly DatasetRow[], cal: CalibrationFile, sim: SimulateOptions = {}): WindowCheck | null {
  const tp = rows.filter((r): r is ThroughputRow => r.kind === "throughput" && r.configId.startsWith("tpd-") && (r.config.shape ?? "veth") === "veth");
  const w = tp.find((r) => r.config.windowBytes !== undefined)?.config.windowBytes;
  if (w === undefined) return null;
  const pick = (capped: boolean, pred: (r: ThroughputRow) => boolean) => tp.filter((r) => (r.config.windowBytes === w) === capped && pred(r));
  const baseline = (capped: boolean) => pick(capped, (r) => r.config.settings === undefined);
  const b0 = (capped: boolean, mode: string) => pick(capped, (r) => r.config.settings?.mode === mode && (r.config.settings.burnNs ?? 0) === 0);
  if (baseline(true).length === 0 || baseline(false).length === 0) return null;
  const capped0 = median(baseline(true).map(gbps));
  const auto0 = median(baseline(false).map(gbps));
  const out: WindowCheckRow[] = [];
  for (const mode of ["none", "perf", "ringbuf"] as const) {
    for (const capped of [false, true]) {
      const runs = b0(capped, mode);
      if (runs.length === 0 || b0(!capped, mode).length === 0) continue;
      const settings = runs[0]!.config.settings as LoaderSettings;
      const scenario = buildScenario({ hardware: "dev-kvm-2vcpu", tool: "none", workload: capped ? "iperf3-veth-w16k" : "iperf3-veth", observedGbps: auto0 });
      const { placement } = placementFor(settings, undefined);
      const run = (flows: number) => {
        const workload = capped ? { ...scenario.workload, windowLimited: { gbps: capped0, flows } } : scenario.workload;
        const r = simulate({ ...scenario, workload, calibration: cal, tool: toolForSettings(settings), placement }, sim);
        return { pct: 100 * (1 - r.withAgentGbps.mean / r.baselineGbps.mean), bottleneck: r.bottleneck.withAgent };
      };
      const r = run(1);
      const base = capped ? capped0 : auto0;
      out.push({
        mode,
        capped,
        runs: runs.length,
        measuredPct: 100 * (1 - median(runs.map(gbps)) / base),
        predictedPct: r.pct,
        cpuOnlyPct: capped ? run(NO_DELAY_FLOWS).pct : r.pct,
        bottleneck: r.bottleneck,
      });
    }
  }
  return { windowBytes: w, cappedBaselineGbps: capped0, autotunedBaselineGbps: auto0, rows: out };
}

/** The latest `*-injected-delay-w<KiB>k.jsonl` of `dataDir` per window tag, in name order. */
export function latestWindowDatasets(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  const latest = new Map<string, string>();
  for (const x of readdirSync(dataDir).sort()) {
    const m = /-injected-delay-(w\d+k)\.jsonl$/.exec(x);
    if (m) latest.set(m[1]!, x);
  }
  return [...latest.values()];
}
