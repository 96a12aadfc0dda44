/**
 * `crossover(traffic)`: over the shipped hardware shapes ordered by vCPUs, the core count above which
 * the ring buffer tool costs less than the perf event array tool, and by how much.
 *
 * The cost compared is `metric`: "cpu" (nodeCpuPct, the share of the node's CPU the agent takes; the
 * default with offered traffic, where the node usually still carries the traffic and throughput
 * overhead is 0) or "throughput" (overheadPct; the default with observedGbps or a saturating receiver).
 * Each shape is simulated with both tools at the same traffic, placement, workload and seeds. The ring
 * buffer "wins" at a size when the perf tool's metric minus the ring buffer tool's is above zero
 * with 95% confidence (the interval of the difference, see difference()). The crossover is the
 * smallest vCPU count from which the ring buffer wins at that size and every larger one; null when
 * it does not win at the largest shape.
 */
import { listProfiles, loadHardware } from "../models/load.ts";
import type { Estimate } from "../engine/index.ts";
import type { ScenarioSpec } from "../node/scenario.ts";
import { defaultMetric, difference, MANY_RUNS, METRICS, metricOf, type CalibrationRef, type MetricBasis, type QueryOptions } from "./common.ts";
import { ScenarioError } from "../node/costs.ts";
import { predict, type Prediction } from "./predict.ts";

export interface CrossoverSpec {
  /** Offered traffic, Gb/s (exclusive with observedGbps). */
  trafficGbps?: number;
  /** Measured baseline, Gb/s (exclusive with trafficGbps). */
  observedGbps?: number;
  /** @defaultValue "retina-perf" */
  perfTool?: string;
  /** @defaultValue "retina-ringbuf" */
  ringbufTool?: string;
  placement?: string;
  workload?: string;
  calibration?: string;
  /** Hardware shapes to compare. @defaultValue every shipped shape */
  hardware?: string[];
  /** The cost compared: "cpu" (nodeCpuPct) or "throughput" (overheadPct). @defaultValue "cpu" with trafficGbps, else "throughput" */
  metric?: MetricBasis;
}

export interface CrossoverRow {
  hardware: string;
  vcpus: number;
  perfOverheadPct: Estimate;
  ringbufOverheadPct: Estimate;
  /** Share of the node's CPU each tool's agent takes, %. */
  perfNodeCpuPct: Estimate;
  ringbufNodeCpuPct: Estimate;
  /** perf minus ring buffer in the answer's metric, percentage points; > 0: the ring buffer costs less. */
  differencePp: Estimate;
  perfLostPerS: Estimate;
  ringbufLostPerS: Estimate;
  ringbufWins: boolean;
}

export interface CrossoverAnswer {
  query: "crossover";
  spec: CrossoverSpec;
  calibration: CalibrationRef;
  replications: number;
  rows: CrossoverRow[];
  /** Smallest vCPU count from which the ring buffer wins at every larger shape; null if never. */
  crossoverVcpus: number | null;
  /** The difference (answer's metric) at the crossover shape (null if none). */
  advantageAtCrossoverPp: Estimate | null;
  rule: string;
}

export function crossover(spec: CrossoverSpec, options: QueryOptions = {}): CrossoverAnswer {
  const metric = spec.metric ?? defaultMetric(spec.trafficGbps !== undefined);
  if (!METRICS.includes(metric)) throw new ScenarioError(`crossover: metric = ${JSON.stringify(metric)}: must be one of ${METRICS.join(", ")}`);
  const perfTool = spec.perfTool ?? "retina-perf";
  const ringbufTool = spec.ringbufTool ?? "retina-ringbuf";
  const opts = { seed: options.seed ?? MANY_RUNS.seed, replications: options.replications ?? MANY_RUNS.replications, durationS: options.durationS ?? MANY_RUNS.durationS, maxIterations: options.maxIterations };
  const shapes = (spec.hardware ?? listProfiles("hardware"))
    .map((name) => ({ name, vcpus: loadHardware(name).vcpus }))
    .sort((a, b) => a.vcpus - b.vcpus || a.name.localeCompare(b.name));
  const base = (hardware: string, tool: string): ScenarioSpec => ({
    hardware,
    tool,
    placement: spec.placement,
    workload: spec.workload,
    calibration: spec.calibration,
    trafficGbps: spec.trafficGbps,
    observedGbps: spec.observedGbps,
  });
  let first: Prediction | null = null;
  const rows: CrossoverRow[] = shapes.map(({ name, vcpus }) => {
    const p = predict(base(name, perfTool), opts);
    const r = predict(base(name, ringbufTool), opts);
    first ??= p;
    const d = difference(metricOf(p, metric), metricOf(r, metric));
    return {
      hardware: name,
      vcpus,
      perfOverheadPct: p.overheadPct,
      ringbufOverheadPct: r.overheadPct,
      perfNodeCpuPct: p.nodeCpuPct,
      ringbufNodeCpuPct: r.nodeCpuPct,
      differencePp: d,
      perfLostPerS: p.lostPerS,
      ringbufLostPerS: r.lostPerS,
      ringbufWins: d.low > 0,
    };
  });
  let k = rows.length;
  while (k > 0 && rows[k - 1].ringbufWins) k--;
  const found = k < rows.length ? rows[k] : null;
  return {
    query: "crossover",
    spec: { ...spec, perfTool, ringbufTool, hardware: shapes.map((s) => s.name), metric },
    calibration: first!.calibration,
    replications: opts.replications,
    rows,
    crossoverVcpus: found?.vcpus ?? null,
    advantageAtCrossoverPp: found?.differencePp ?? null,
    rule: `the ring buffer wins at a shape when perf ${metric === "cpu" ? "node CPU" : "throughput overhead"} - ring buffer ${metric === "cpu" ? "node CPU" : "throughput overhead"} > 0 with 95% confidence; crossover = smallest vCPUs from which it wins at every larger shape`,
  };
}
