/**
 * What the what-if notebooks share: scenarios built from the bundled profiles (browser-safe, no
 * node: imports), the short simulation options that keep a slider responsive, and the few pure
 * decisions the notebooks show (the cheapest pool within a budget, a vendor claim's verdict).
 *
 * The scenario overrides mirror src/node/scenario.ts (buildScenario), which reads files and so
 * cannot run in a browser: traffic turns the workload into mode "offered" or "observed", perfPages
 * changes a perf tool's pages per CPU through the same applyToolOverrides (src/node/overrides.ts)
 * that buildScenario uses, here with the bundled profiles as its lookup.
 */
import { bundledNames, bundledProfile } from "../../src/models/bundled.ts";
import type { HardwareProfile, Workload } from "../../src/models/types.ts";
import { simulate, type Scenario, type SimulateOptions, type SimulationResult } from "../../src/node/simulate.ts";
import { DEFAULT_CALIBRATION } from "../../src/models/default-calibration.ts";
import { toolWithOverrides } from "../../src/node/overrides.ts";
import modelErrorFile from "../../validation/model-error.json" with { type: "json" };
import { boundInterval, type Estimate } from "../../src/engine/statistics.ts";

/** A percentage's 95% interval kept inside [0, 100] (as every CLI answer's). */
export function pctInterval(e: Estimate): { mean: number; low: number; high: number } {
  const b = boundInterval(e, { lower: 0, upper: 100 });
  return { mean: b.mean, low: b.low, high: b.high };
}

export { bundledNames, bundledProfile };
export type { SimulationResult };

/**
 * Simulation options for a browser: 2 replications of 0.11 simulated s, 0.01 of them warm-up
 * (a few hundred ms a point). The CLI's defaults (5 x 0.22 s) are for reports, not for a slider.
 * The measured window is one whole CFS period (100 ms, models/placements/limited.json): a window of
 * a fraction of a period sees the agent's quota before it runs out and under-counts throttling
 * (at 0.05 s, azure-d32s-v5 with retina-ringbuf at 8 Gb/s read 4.2% overhead instead of 2.4%);
 * simulateWhatIf stretches the window to whole periods of the scenario's own placement.
 */
export const NOTEBOOK_OPTIONS: Required<SimulateOptions> = { seed: 1, replications: 2, durationS: 0.11, warmupS: 0.01, maxIterations: 3 };

/**
 * Options for a figure a notebook states as an answer (the vendor claim's checked point): the CLI's
 * `simulate` defaults (5 replications of 0.22 s, 0.02 s warm-up), so the notebook's interval is the
 * CLI's for the same scenario. Short runs (NOTEBOOK_OPTIONS) are over-confident: their two
 * replications of one CFS period miss the variation between periods, and at d16s-v5 perf observed
 * 8 Gb/s gave 13.8-14.6% against the CLI's 13.37-13.47%. They are for the sweeps' shapes only, and say so.
 */
export const ANSWER_OPTIONS: Required<SimulateOptions> = { seed: 1, replications: 5, durationS: 0.22, warmupS: 0.02, maxIterations: 4 };

/** The model's validated overhead error for a tool on a node shape (validation/model-error.json; the same band `bpfsim claim` uses). */
export function modelErrorBand(
  tool: string,
  hardware: string,
): { errorPp: number; minVcpus: number; maxVcpus: number; kind: string; extrapolated: boolean; generated: string } {
  const t = tool === "none" ? null : bundledProfile("tool", tool);
  const kind = t !== null && t.buffer.kind === "ringbuf" ? "ringbuf" : "perf";
  const vcpus = bundledProfile("hardware", hardware).vcpus;
  const bands = modelErrorFile.bands.filter((b) => b.kind === kind);
  const b = bands.find((x) => vcpus >= x.minVcpus && vcpus <= x.maxVcpus) ?? bands.reduce((a, x) => (x.maxVcpus > a.maxVcpus ? x : a));
  return { errorPp: b.errorPp, minVcpus: b.minVcpus, maxVcpus: b.maxVcpus, kind, extrapolated: b.extrapolated, generated: modelErrorFile.provenance.date };
}

export interface WhatIf {
  hardware: string;
  /** Tool profile name, or "none". */
  tool: string;
  /** @defaultValue "limited" */
  placement?: string;
  /** @defaultValue "tcp-receiver-saturating" */
  workload?: string;
  /**
   * Traffic in Gb/s and how to read it. "observed": what a closed-loop receiver carries without the
   * agent, its receive CPUs at their limit (the seed study's set-up; overhead is lost throughput).
   * "offered": what the application offers; a node with headroom carries it all and the agent's
   * cost shows as CPU, not throughput.
   */
  trafficGbps?: number;
  /** @defaultValue "observed" */
  trafficMode?: "observed" | "offered";
  /** Overrides a perf tool's data pages per CPU ring (a power of two); ignored for a ring buffer tool. */
  perfPages?: number;
}

/** Hardware profiles sorted by vCPUs (then name). */
export function hardwareByCores(): HardwareProfile[] {
  return (
    bundledNames("hardware")
      // bench-* profiles are CPU topologies for the ring buffer microbenchmark, not node shapes
      .filter((n) => !n.startsWith("bench-"))
      .map((n) => bundledProfile("hardware", n))
      .sort((a, b) => a.vcpus - b.vcpus || a.name.localeCompare(b.name))
  );
}

/** A Scenario from bundled profile names and the notebook overrides. */
export function whatIfScenario(w: WhatIf): Scenario {
  const lookup = (name: string) => bundledProfile("tool", name);
  // the pages slider stays where it is when the notebook switches to a ring buffer tool: ignored there
  const tool = w.tool === "none" ? null : toolWithOverrides(w.tool, lookup(w.tool).buffer.kind === "perf" ? { perfPages: w.perfPages } : {}, lookup);
  let workload: Workload = bundledProfile("workload", w.workload ?? "tcp-receiver-saturating");
  if (w.trafficGbps !== undefined) {
    if (!(w.trafficGbps > 0)) throw new RangeError(`whatIfScenario: trafficGbps = ${w.trafficGbps}: must be > 0`);
    const { offeredGbps: _o, observedGbps: _b, ...rest } = workload;
    workload =
      (w.trafficMode ?? "observed") === "observed"
        ? { ...rest, mode: "observed", observedGbps: w.trafficGbps }
        : { ...rest, mode: "offered", offeredGbps: w.trafficGbps };
  }
  return {
    hardware: bundledProfile("hardware", w.hardware),
    tool,
    placement: bundledProfile("placement", w.placement ?? "limited"),
    workload,
    calibration: bundledProfile("calibration", DEFAULT_CALIBRATION),
  };
}

/**
 * simulate() of a what-if with NOTEBOOK_OPTIONS (or the given ones); under a CPU limit the measured
 * window (durationS - warmupS) is rounded to whole CFS periods, at least one.
 */
export function simulateWhatIf(w: WhatIf, options: SimulateOptions = {}): SimulationResult {
  const scenario = whatIfScenario(w);
  const o = { ...NOTEBOOK_OPTIONS, ...options };
  if (scenario.placement.kind === "limited") {
    const periodS = scenario.placement.cfsPeriodUs / 1e6;
    o.durationS = o.warmupS + periodS * Math.max(1, Math.round((o.durationS - o.warmupS) / periodS));
  }
  return simulate(scenario, o);
}

/** Lets the page draw between two simulations (a notebook cell's generator awaits this). */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** One node count of a capacity plan: each node carries total / nodes. */
export interface PoolPoint {
  nodes: number;
  perNodeGbps: number;
  carriedGbps: number;
  /** Share of the node's CPU the agent takes: its threads plus its kernel work, % of vCPUs. */
  cpuOverheadPct: number;
  cpuOverheadLow: number;
  cpuOverheadHigh: number;
  agentCpuCores: number;
  kernelCpuCores: number;
  lostPerS: number;
  /** The node carries its share with the agent (within 1%). */
  carries: boolean;
  /** What the agent costs the whole pool: nodes x (agent + kernel cores), vCPUs. */
  poolAgentCores: number;
  /** The agent's buffer memory over the whole pool, bytes (nodes x bufferMemoryBytes). */
  poolMemoryBytes: number;
}

/** Memory the agent's buffers take on one node: perf pages x 4 KiB x vCPUs, or the ring buffer's size. */
export function bufferMemoryBytes(w: WhatIf): number {
  const s = whatIfScenario(w);
  if (s.tool === null) return 0;
  const b = s.tool.buffer;
  return b.kind === "perf" ? b.pagesPerCpu * 4096 * s.hardware.vcpus : b.bytes * (b.cpusPerRing ? Math.ceil(s.hardware.vcpus / b.cpusPerRing) : 1);
}

export function poolPoint(nodes: number, totalGbps: number, vcpus: number, r: SimulationResult, memoryBytesPerNode = 0): PoolPoint {
  const perNodeGbps = totalGbps / nodes;
  const pct = (cores: number) => (100 * cores) / vcpus;
  const cpu = r.agentCpuCores.mean + r.kernelCpuCores.mean;
  const half = r.agentCpuCores.halfWidth + r.kernelCpuCores.halfWidth;
  return {
    nodes,
    perNodeGbps,
    carriedGbps: r.withAgentGbps.mean,
    cpuOverheadPct: pct(cpu),
    cpuOverheadLow: pct(Math.max(0, cpu - half)),
    cpuOverheadHigh: pct(cpu + half),
    agentCpuCores: r.agentCpuCores.mean,
    kernelCpuCores: r.kernelCpuCores.mean,
    lostPerS: r.lostPerS.mean,
    carries: r.withAgentGbps.mean >= 0.99 * perNodeGbps,
    poolAgentCores: nodes * cpu,
    poolMemoryBytes: nodes * memoryBytesPerNode,
  };
}

/**
 * The cheapest pool within the budget: of the node counts that carry the traffic with every node's
 * agent within `budgetPct` of its CPU, the one whose agent costs the pool least in total (vCPUs; fewer
 * nodes on a tie). Adding nodes only to dilute a percentage raises the pool's total agent cost, so the
 * smallest count within budget is not the answer unless it is also the cheapest. Null when none is.
 */
export function cheapestPool(points: readonly PoolPoint[], budgetPct: number): PoolPoint | null {
  let best: PoolPoint | null = null;
  for (const p of points) {
    if (!p.carries || !(p.cpuOverheadPct <= budgetPct)) continue;
    if (best === null || p.poolAgentCores < best.poolAgentCores || (p.poolAgentCores === best.poolAgentCores && p.nodes < best.nodes)) best = p;
  }
  return best;
}

/** The fewest nodes that carry the traffic at all (whatever the agent costs); null when none does. */
export function fewestCarrying(points: readonly PoolPoint[]): PoolPoint | null {
  const ok = points.filter((p) => p.carries).sort((a, b) => a.nodes - b.nodes);
  return ok[0] ?? null;
}

/** The smallest node count that carries the traffic within the overhead budget; null when none does. */
export function nodesNeeded(points: readonly PoolPoint[], budgetPct: number): number | null {
  const ok = points.filter((p) => p.carries && p.cpuOverheadPct <= budgetPct).map((p) => p.nodes);
  return ok.length > 0 ? Math.min(...ok) : null;
}

/** Node counts worth simulating for a pool: 1 to maxNodes, at most `count` of them, roughly geometric. */
export function nodeCounts(maxNodes: number, count = 10): number[] {
  if (!(Number.isInteger(maxNodes) && maxNodes >= 1)) throw new RangeError(`nodeCounts: maxNodes = ${maxNodes}: must be an integer >= 1`);
  const out = new Set<number>([1, maxNodes]);
  for (let i = 1; i < count - 1; i++) out.add(Math.round(Math.pow(maxNodes, i / (count - 1))));
  return [...out].sort((a, b) => a - b);
}

export type Verdict = "consistent" | "optimistic" | "pessimistic";

/**
 * A claimed overhead against the predicted interval, widened by `allowancePp` on each side:
 * inside it, consistent; below it, optimistic (the vendor claims less than the model predicts);
 * above it, pessimistic.
 */
export function verdict(claimPct: number, low: number, high: number, allowancePp = 0): Verdict {
  if (claimPct < low - allowancePp) return "optimistic";
  if (claimPct > high + allowancePp) return "pessimistic";
  return "consistent";
}
