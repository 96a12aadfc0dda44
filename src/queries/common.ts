/**
 * What every query shares: the simulation options it runs with (quick defaults for queries that run
 * many simulations), the summary of one simulation that answers carry, and the calibration file named
 * in every answer.
 */
import { resolve } from "node:path";
import type { Estimate } from "../engine/index.ts";
import { fileLabel, isPath, kindDir } from "../models/paths.ts";
import { DEFAULT_CALIBRATION, type ScenarioSpec } from "../node/scenario.ts";
import type { SimulateOptions, SimulationResult } from "../node/simulate.ts";

/** Options of the simulations a query runs. */
export interface QueryOptions {
  /** @defaultValue 1 */
  seed?: number;
  /** @defaultValue 5 for predict and claim, 3 for queries that run many simulations */
  replications?: number;
  /** @defaultValue 0.2 s for predict and claim, 0.1 s for queries that run many simulations */
  durationS?: number;
}

/** Defaults for a single prediction (as `bpfsim simulate`). */
export const SINGLE_RUN: Required<QueryOptions> = { seed: 1, replications: 5, durationS: 0.2 };
/** Defaults for queries that run many simulations (budget, crossover, size, reserve, sweep). */
export const MANY_RUNS: Required<QueryOptions> = { seed: 1, replications: 3, durationS: 0.1 };

export function simulateOptions(o: QueryOptions, defaults: Required<QueryOptions>): SimulateOptions {
  return {
    seed: o.seed ?? defaults.seed,
    replications: o.replications ?? defaults.replications,
    durationS: o.durationS ?? defaults.durationS,
    warmupS: 0.02,
  };
}

/** The calibration a spec uses, as a name and the file it was read from (relative to the package root). */
export interface CalibrationRef {
  hostClass: string;
  file: string;
}

export function calibrationRef(spec: ScenarioSpec, result: SimulationResult): CalibrationRef {
  const c = spec.calibration ?? DEFAULT_CALIBRATION;
  const file = isPath(c) ? resolve(c) : resolve(kindDir("calibration"), `${c}.json`);
  return { hostClass: result.scenario.calibration, file: fileLabel(file) };
}

/** The metrics an answer reports for one simulation, each a mean with its 95% interval. */
export interface ResultSummary {
  baselineGbps: Estimate;
  withAgentGbps: Estimate;
  overheadPct: Estimate;
  eventsPerS: Estimate;
  wakeupsPerS: Estimate;
  lostPerS: Estimate;
  agentCpuCores: Estimate;
  kernelCpuCores: Estimate;
  throttledPct: Estimate;
  /** The attribution entry with the largest mean (null when every entry is 0). */
  dominantMechanism: string | null;
  bottleneck: string;
}

export function dominantMechanism(r: SimulationResult): string | null {
  let best: string | null = null;
  let max = 0;
  for (const [k, v] of Object.entries(r.attribution)) {
    if (v.mean > max) {
      max = v.mean;
      best = k;
    }
  }
  return best;
}

export function summarize(r: SimulationResult): ResultSummary {
  return {
    baselineGbps: r.baselineGbps,
    withAgentGbps: r.withAgentGbps,
    overheadPct: r.overheadPct,
    eventsPerS: r.eventsPerS,
    wakeupsPerS: r.wakeupsPerS,
    lostPerS: r.lostPerS,
    agentCpuCores: r.agentCpuCores,
    kernelCpuCores: r.kernelCpuCores,
    throttledPct: r.throttledPct,
    dominantMechanism: dominantMechanism(r),
    bottleneck: r.bottleneck.withAgent,
  };
}

/**
 * a - b with an approximate 95% interval, treating the two estimates as independent:
 * half-width sqrt(ha² + hb²) (conservative when they share seeds, as the queries' runs do).
 */
export function difference(a: Estimate, b: Estimate): Estimate {
  const mean = a.mean - b.mean;
  const halfWidth = Math.hypot(a.halfWidth, b.halfWidth);
  return { mean, halfWidth, low: mean - halfWidth, high: mean + halfWidth, n: Math.min(a.n, b.n) };
}
