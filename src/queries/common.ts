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
import { boundInterval, type Bounds } from "../engine/statistics.ts";
import { headline, type AgentHealth } from "./health.ts";

/** Options of the simulations a query runs. */
export interface QueryOptions {
  /** @defaultValue 1 */
  seed?: number;
  /** @defaultValue 5 for predict and claim, 3 for queries that run many simulations */
  replications?: number;
  /** @defaultValue 0.22 s (a measured window of two 100 ms CFS periods) */
  durationS?: number;
}

/** QueryOptions plus the throughput fixed point's iterations (`--max-iterations`). */
export interface QueryRunOptions extends QueryOptions {
  /** Throughput fixed-point iterations per replication (simulate's maxIterations). @defaultValue simulate's (4) */
  maxIterations?: number;
}

/** Defaults for a single prediction (as `bpfsim simulate`). */
/** The run options every query has defaults for (maxIterations defaults to simulate's own). */
export type RunDefaults = Required<QueryOptions>;

export const SINGLE_RUN: RunDefaults = { seed: 1, replications: 5, durationS: 0.22 };
/** Defaults for queries that run many simulations (budget, crossover, size, reserve, sweep). */
export const MANY_RUNS: RunDefaults = { seed: 1, replications: 3, durationS: 0.22 };

export function simulateOptions(o: QueryRunOptions, defaults: RunDefaults): SimulateOptions {
  return {
    seed: o.seed ?? defaults.seed,
    replications: o.replications ?? defaults.replications,
    durationS: o.durationS ?? defaults.durationS,
    warmupS: 0.02,
    ...(o.maxIterations === undefined ? {} : { maxIterations: o.maxIterations }),
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

/**
 * The metrics an answer reports for one simulation, each a mean with its 95% interval (kept inside the
 * quantity's bounds: boundInterval). It leads with what a planner acts on: the node CPU the agent takes
 * (cores and %), the throughput overhead, and whether the agent keeps up (`health`, `headline`).
 */
export interface ResultSummary {
  /** Three lines: node CPU (cores, %), throughput overhead, agent health (health.ts `headline`). */
  headline: string[];
  /** Node CPU the agent takes, in cores (the sum of cpuByMechanism). */
  nodeCpuCores: Estimate;
  health: AgentHealth;
  baselineGbps: Estimate;
  withAgentGbps: Estimate;
  overheadPct: Estimate;
  eventsPerS: Estimate;
  wakeupsPerS: Estimate;
  lostPerS: Estimate;
  agentCpuCores: Estimate;
  kernelCpuCores: Estimate;
  throttledPct: Estimate;
  /**
   * The mechanism that costs most: the throughput attribution entry with the largest mean, or, when no
   * throughput is lost (every attribution entry 0, e.g. offered traffic the node still carries), the
   * largest cpuByMechanism entry. Null when both are all 0.
   */
  dominantMechanism: string | null;
  /** Which ranking dominantMechanism comes from: "throughput" (attribution, pp) or "cpu" (cpuByMechanism, cores). */
  dominantMechanismBasis: MetricBasis;
  bottleneck: string;
  /** The simulation's warnings (e.g. a measured window shorter than two CFS periods). */
  warnings: string[];
  /** Share of the node's CPU the agent takes, % (a cost even when the traffic is still carried). */
  nodeCpuPct: Estimate;
  /** Where nodeCpuPct goes: mean cores per mechanism (means only; the full estimates are in SimulationResult). */
  cpuByMechanism: Record<string, number>;
}

/** What a query compares: throughput lost (`overheadPct`) or the node CPU the agent takes (`nodeCpuPct`). */
export type MetricBasis = "throughput" | "cpu";

export const METRICS: readonly MetricBasis[] = ["throughput", "cpu"];

/** The metric's estimate in a summary: overheadPct for "throughput", nodeCpuPct for "cpu". */
export function metricOf(s: { overheadPct: Estimate; nodeCpuPct: Estimate }, metric: MetricBasis): Estimate {
  return metric === "cpu" ? s.nodeCpuPct : s.overheadPct;
}

/** How the answer names a metric. */
export function metricLabel(metric: MetricBasis): string {
  return metric === "cpu" ? "node CPU (%)" : "throughput overhead (%)";
}

/** The default metric: "cpu" with offered traffic (the node usually still carries it: overhead 0), "throughput" otherwise. */
export function defaultMetric(offered: boolean): MetricBasis {
  return offered ? "cpu" : "throughput";
}

function largest(entries: [string, number][]): string | null {
  let best: string | null = null;
  let max = 0;
  for (const [k, v] of entries) {
    if (v > max) {
      max = v;
      best = k;
    }
  }
  return best;
}

/** The dominant mechanism and the ranking it comes from (see ResultSummary.dominantMechanism). */
export function dominantMechanismOf(r: SimulationResult): { mechanism: string | null; basis: MetricBasis } {
  const byThroughput = largest(Object.entries(r.attribution).map(([k, v]) => [k, v.mean]));
  if (byThroughput !== null) return { mechanism: byThroughput, basis: "throughput" };
  return { mechanism: largest(Object.entries(r.cpuByMechanism).map(([k, v]) => [k, v.mean])), basis: "cpu" };
}

export function dominantMechanism(r: SimulationResult): string | null {
  return dominantMechanismOf(r).mechanism;
}

/** "readerCpu (node CPU)" / "none" for tables. */
export function dominantLabel(s: { dominantMechanism: string | null; dominantMechanismBasis: MetricBasis }): string {
  if (s.dominantMechanism === null) return "none (no throughput lost, no agent CPU)";
  return `${s.dominantMechanism} (by ${s.dominantMechanismBasis === "cpu" ? "node CPU: no throughput lost" : "throughput lost"})`;
}

const NON_NEGATIVE: Bounds = { lower: 0 };
const PERCENT: Bounds = { lower: 0, upper: 100 };

export function summarize(r: SimulationResult): ResultSummary {
  const d = dominantMechanismOf(r);
  const h = headline(r);
  const nn = (e: Estimate) => boundInterval(e, NON_NEGATIVE);
  return {
    headline: h.lines,
    nodeCpuCores: h.nodeCpuCores,
    health: h.health,
    baselineGbps: nn(r.baselineGbps),
    withAgentGbps: nn(r.withAgentGbps),
    overheadPct: boundInterval(r.overheadPct, PERCENT),
    eventsPerS: nn(r.eventsPerS),
    wakeupsPerS: nn(r.wakeupsPerS),
    lostPerS: nn(r.lostPerS),
    agentCpuCores: nn(r.agentCpuCores),
    kernelCpuCores: nn(r.kernelCpuCores),
    throttledPct: boundInterval(r.throttledPct, PERCENT),
    dominantMechanism: d.mechanism,
    dominantMechanismBasis: d.basis,
    bottleneck: r.bottleneck.withAgent,
    warnings: r.warnings,
    nodeCpuPct: boundInterval(r.nodeCpuPct, PERCENT),
    cpuByMechanism: Object.fromEntries(Object.entries(r.cpuByMechanism).map(([k, v]) => [k, v.mean])),
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
