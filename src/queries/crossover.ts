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
 *
 * The answer says plainly which case it is (`verdict`): "always" (the ring buffer wins at every shape
 * compared: there is no crossover, not one at the smallest shape), "never" (it wins at none), "from"
 * (a crossover), or "mixed" (it wins at some shapes but not from one on). Every row carries the margin.
 * For "always" and "never" it names the mechanism that would flip the answer and searches for the
 * setting where it does (`flip`): with "always", perf wakeups batched by wakeup_events (the perf
 * array's cost is one wakeup per record at watermark 1; batching divides it), tried at the shape
 * where the ring buffer's margin is smallest, in powers of two up to 128; with "never", more traffic
 * at the largest shape (perf's per-record wakeups grow with the event rate while the ring buffer's
 * contention grows with the producers), tried at 2x and 4x.
 */
import { listProfiles, loadHardware, loadTool } from "../models/load.ts";
import type { Estimate } from "../engine/index.ts";
import type { ScenarioSpec } from "../node/scenario.ts";
import { defaultMetric, difference, MANY_RUNS, METRICS, metricOf, type CalibrationRef, type MetricBasis, type QueryRunOptions } from "./common.ts";
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
  /** Whether each tool's agent keeps up there (health.ts): no losses, not throttled. */
  perfKeepsUp: boolean;
  ringbufKeepsUp: boolean;
}

/** What would flip an "always"/"never" answer, and where it was found to (null: not within what was tried). */
export interface CrossoverFlip {
  mechanism: string;
  /** The setting tried, e.g. "wakeupEvents" or "trafficGbps"/"observedGbps". */
  setting: string;
  hardware: string;
  /** Values tried, in order, with the margin (perf - ring buffer) at each. */
  tried: { value: number; differencePp: Estimate; ringbufWins: boolean }[];
  /** The first value tried at which the answer flips; null when none did. */
  flipsAt: number | null;
  statement: string;
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
  /** always: the ring buffer wins at every shape; never: at none; from: a crossover; mixed: neither. */
  verdict: "always" | "never" | "from" | "mixed";
  /** The answer in plain words, with the margin at each shape. */
  statement: string;
  /** For always/never: what would flip it and where (null otherwise, or with flipSearch false). */
  flip: CrossoverFlip | null;
  rule: string;
}

export interface CrossoverOptions extends QueryRunOptions {
  /** Search for the setting that flips an always/never answer. @defaultValue true */
  flipSearch?: boolean;
}

export function crossover(spec: CrossoverSpec, options: CrossoverOptions = {}): CrossoverAnswer {
  const metric = spec.metric ?? defaultMetric(spec.trafficGbps !== undefined);
  if (!METRICS.includes(metric)) throw new ScenarioError(`crossover: metric = ${JSON.stringify(metric)}: must be one of ${METRICS.join(", ")}`);
  const perfTool = spec.perfTool ?? "retina-perf";
  const ringbufTool = spec.ringbufTool ?? "retina-ringbuf";
  // the two sides must be what they are named: a swapped pair would answer the question backwards
  if (loadTool(perfTool).buffer.kind !== "perf") {
    throw new ScenarioError(
      `crossover: perfTool = ${JSON.stringify(perfTool)}: uses a ${loadTool(perfTool).buffer.kind} buffer, not a perf event array (swapped with ringbufTool?)`,
    );
  }
  if (loadTool(ringbufTool).buffer.kind !== "ringbuf") {
    throw new ScenarioError(
      `crossover: ringbufTool = ${JSON.stringify(ringbufTool)}: uses a ${loadTool(ringbufTool).buffer.kind} buffer, not a BPF ring buffer (swapped with perfTool?)`,
    );
  }
  const opts = {
    seed: options.seed ?? MANY_RUNS.seed,
    replications: options.replications ?? MANY_RUNS.replications,
    durationS: options.durationS ?? MANY_RUNS.durationS,
    maxIterations: options.maxIterations,
  };
  // by default every node shape; bench-* profiles are CPU topologies for the ring buffer benchmark
  const shapes = (spec.hardware ?? listProfiles("hardware").filter((n) => !n.startsWith("bench-")))
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
      perfKeepsUp: p.health.keepingUp,
      ringbufKeepsUp: r.health.keepingUp,
    };
  });
  let k = rows.length;
  while (k > 0 && rows[k - 1].ringbufWins) k--;
  const found = k < rows.length ? rows[k] : null;
  const wins = rows.filter((r) => r.ringbufWins).length;
  const verdict: CrossoverAnswer["verdict"] =
    wins === rows.length ? "always" : wins === 0 ? "never" : found !== null && rows.slice(0, k).every((r) => !r.ringbufWins) ? "from" : "mixed";
  const what = metric === "cpu" ? "node CPU" : "throughput overhead";
  const f2 = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`;
  const margins = rows
    .map((r) => `${r.vcpus} vCPUs ${f2(r.differencePp.mean)} pp [${r.differencePp.low.toFixed(2)}, ${r.differencePp.high.toFixed(2)}]`)
    .join(", ");
  const range = `${rows[0].vcpus}-${rows.at(-1)!.vcpus} vCPUs`;
  const statement =
    verdict === "always"
      ? `no crossover: the ring buffer costs less ${what} at every shape compared (${range}), so it wins always, not from ${rows[0].vcpus} vCPUs; margin perf - ring buffer: ${margins}`
      : verdict === "never"
        ? `no crossover: the ring buffer never costs less ${what} with 95% confidence at any shape compared (${range}); margin perf - ring buffer: ${margins}`
        : verdict === "from"
          ? `crossover at ${found!.vcpus} vCPUs: the ring buffer costs less ${what} from there on, not below; margin perf - ring buffer: ${margins}`
          : `no single crossover: the ring buffer wins at ${rows
              .filter((r) => r.ringbufWins)
              .map((r) => r.vcpus)
              .join(", ")} vCPUs but not at ${rows
              .filter((r) => !r.ringbufWins)
              .map((r) => r.vcpus)
              .join(", ")}; margin perf - ring buffer: ${margins}`;
  let flip: CrossoverFlip | null = null;
  if ((verdict === "always" || verdict === "never") && options.flipSearch !== false) {
    const tried: CrossoverFlip["tried"] = [];
    const marginAt = (hardware: string, perfExtra: Partial<ScenarioSpec>, both: Partial<ScenarioSpec>) => {
      const p = predict({ ...base(hardware, perfTool), ...perfExtra, ...both }, opts);
      const r = predict({ ...base(hardware, ringbufTool), ...both }, opts);
      return difference(metricOf(p, metric), metricOf(r, metric));
    };
    if (verdict === "always") {
      const at = rows.reduce((a, b) => (b.differencePp.mean < a.differencePp.mean ? b : a));
      let flipsAt: number | null = null;
      for (const w of [2, 4, 8, 16, 32, 64, 128]) {
        const d = marginAt(at.hardware, { wakeupEvents: w }, {});
        tried.push({ value: w, differencePp: d, ringbufWins: d.low > 0 });
        if (!(d.low > 0)) {
          flipsAt = w;
          break;
        }
      }
      flip = {
        mechanism:
          "perf wakeups: the perf array wakes its reader for every record (watermark 1); wakeup_events > 1 batches the wakeups, which is most of its cost here. (The other way round, ring-buffer lock contention grows with the per-CPU event rate of many producers.)",
        setting: "wakeupEvents",
        hardware: at.hardware,
        tried,
        flipsAt,
        statement:
          flipsAt === null
            ? `perf with wakeup_events up to 128 still costs more than the ring buffer at ${at.hardware} (the closest shape): the answer holds over that setting`
            : `perf with wakeup_events = ${flipsAt} (instead of a wakeup per record) no longer loses at ${at.hardware} (the closest shape): margin ${f2(tried.at(-1)!.differencePp.mean)} pp [${tried.at(-1)!.differencePp.low.toFixed(2)}, ${tried.at(-1)!.differencePp.high.toFixed(2)}]`,
      };
    } else {
      const at = rows.at(-1)!;
      const key = spec.trafficGbps !== undefined ? "trafficGbps" : spec.observedGbps !== undefined ? "observedGbps" : null;
      const now = spec.trafficGbps ?? spec.observedGbps;
      let flipsAt: number | null = null;
      if (key !== null && now !== undefined) {
        for (const m of [2, 4]) {
          const d = marginAt(at.hardware, {}, { [key]: now * m });
          tried.push({ value: now * m, differencePp: d, ringbufWins: d.low > 0 });
          if (d.low > 0) {
            flipsAt = now * m;
            break;
          }
        }
      }
      flip = {
        mechanism:
          "per-record perf wakeups grow with the event rate; the ring buffer's single shared ring is cheaper per record once the rate is high, unless its lock is contended by many producing CPUs",
        setting: key ?? "traffic",
        hardware: at.hardware,
        tried,
        flipsAt,
        statement:
          key === null
            ? "give --traffic or --observed to search the traffic at which it would flip"
            : flipsAt === null
              ? `at ${at.hardware} the ring buffer still does not win at ${tried.map((t) => t.value).join(" or ")} Gb/s: the answer holds over that range`
              : `at ${at.hardware} the ring buffer wins from about ${flipsAt} Gb/s (margin ${f2(tried.at(-1)!.differencePp.mean)} pp)`,
      };
    }
  }
  return {
    query: "crossover",
    spec: { ...spec, perfTool, ringbufTool, hardware: shapes.map((s) => s.name), metric },
    calibration: first!.calibration,
    replications: opts.replications,
    rows,
    crossoverVcpus: found?.vcpus ?? null,
    advantageAtCrossoverPp: found?.differencePp ?? null,
    verdict,
    statement,
    flip,
    rule: `the ring buffer wins at a shape when perf ${metric === "cpu" ? "node CPU" : "throughput overhead"} - ring buffer ${metric === "cpu" ? "node CPU" : "throughput overhead"} > 0 with 95% confidence; crossover = smallest vCPUs from which it wins at every larger shape`,
  };
}
