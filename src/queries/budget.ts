/**
 * `budget(spec, maxPct, { metric })`: the highest offered traffic up to which the agent stays within a
 * budget, of the node's CPU (metric "cpu", the default: nodeCpuPct) or of throughput (metric
 * "throughput": overheadPct).
 *
 * The metric need not grow with traffic: a CPU-limited agent that is throttled takes less of the node's
 * CPU as traffic grows past its limit (it falls behind and loses events), so the NIC's bandwidth being
 * within budget does not mean every lower traffic is. The query first scans `scanPoints` evenly spaced
 * offered traffics up to the NIC's bandwidth; the first point over budget, if any, and the scan point
 * before it bracket the answer, which bisection narrows to `toleranceGbps`, assuming the metric crosses
 * the budget once between those two points. A point is within budget when its mean is <= the budget;
 * the answer is the last point within budget, and `exceededAtGbps` the first point above it. When every
 * scan point is within budget the budget does not bind: the answer is the NIC's bandwidth and `binding`
 * is false. When even the least traffic is over budget (e.g. a pinned agent's reserved CPUs), the answer
 * is 0 and `feasible` is false.
 *
 * Every search is bounded twice: by `toleranceGbps` and by `maxBisections` steps. A tolerance that
 * `maxBisections` halvings of the scan bracket (NIC / scanPoints) cannot reach is rejected up front;
 * and bisection stops early, saying so (`stoppedBy: "resolution"`), once the bracket is narrower than
 * the traffic step the simulation can resolve there: the metric's 95% half-width at the bracket's ends
 * over the metric's slope between them (below that, which side of the budget a point falls on is noise).
 */
import { loadHardware } from "../models/load.ts";
import { ScenarioError } from "../node/costs.ts";
import type { ScenarioSpec } from "../node/scenario.ts";
import { defaultMetric, MANY_RUNS, METRICS, metricOf, type MetricBasis, type QueryRunOptions } from "./common.ts";
import { predict, type Prediction } from "./predict.ts";

export interface BudgetOptions extends QueryRunOptions {
  /** Bisection stops when the bracket is this narrow (Gb/s). @defaultValue 0.25 */
  toleranceGbps?: number;
  /** What the budget limits: the node's CPU the agent takes, or throughput lost. @defaultValue "cpu" (budget runs offered traffic) */
  metric?: MetricBasis;
  /** Evenly spaced offered traffics scanned before bisecting (the last is the NIC's bandwidth). @defaultValue 8 */
  scanPoints?: number;
  /** At most this many bisection steps. @defaultValue 12 */
  maxBisections?: number;
}

export interface BudgetAnswer {
  query: "budget";
  spec: Omit<ScenarioSpec, "trafficGbps" | "observedGbps">;
  /** What the budget limits: "cpu" (nodeCpuPct, % of the node's CPU) or "throughput" (overheadPct, % of throughput). */
  metric: MetricBasis;
  /** The budget, % of the node's CPU (metric cpu) or of throughput (metric throughput). */
  maxOverheadPct: number;
  /** Highest offered traffic found within budget, Gb/s (0 when not feasible). */
  maxTrafficGbps: number;
  /** False when every scanned traffic up to the NIC's bandwidth is within budget. */
  binding: boolean;
  /** False when even the least traffic evaluated is over budget. */
  feasible: boolean;
  /** The lowest offered traffic found over budget (null when not binding). */
  exceededAtGbps: number | null;
  nicBandwidthGbps: number;
  toleranceGbps: number;
  scanPoints: number;
  maxBisections: number;
  /** Why bisection stopped: the tolerance reached, the simulation's resolution reached, or no bisection (not binding). */
  stoppedBy: "tolerance" | "resolution" | "iterations" | "none";
  /** Traffic step the simulation resolves at the answer (Gb/s): the metric's half-width over its slope; null when not bisected. */
  resolutionGbps: number | null;
  assumption: string;
  /** The prediction at the answer (its metric's interval is the answer's CI). */
  atAnswer: Prediction;
  /** The prediction just over the answer (null when not binding). */
  atExceeded: Prediction | null;
  /** Every point evaluated, in order; `valuePct` is the metric's mean. */
  steps: { trafficGbps: number; valuePct: number; overheadPct: number; nodeCpuPct: number; withinBudget: boolean }[];
}

export function budget(spec: ScenarioSpec, maxOverheadPct: number, options: BudgetOptions = {}): BudgetAnswer {
  if (!(maxOverheadPct >= 0 && maxOverheadPct < 100)) {
    throw new ScenarioError(`budget: maxOverheadPct = ${maxOverheadPct}: must be in [0, 100)`);
  }
  const tol = options.toleranceGbps ?? 0.25;
  if (!(tol > 0)) throw new ScenarioError(`budget: toleranceGbps = ${tol}: must be > 0`);
  const metric = options.metric ?? defaultMetric(true);
  if (!METRICS.includes(metric)) throw new ScenarioError(`budget: metric = ${JSON.stringify(metric)}: must be one of ${METRICS.join(", ")}`);
  const scan = options.scanPoints ?? 8;
  if (!(Number.isInteger(scan) && scan >= 1 && scan <= 100)) throw new ScenarioError(`budget: scanPoints = ${scan}: must be an integer in [1, 100]`);
  const maxBis = options.maxBisections ?? 12;
  if (!(Number.isInteger(maxBis) && maxBis >= 0 && maxBis <= 40)) throw new ScenarioError(`budget: maxBisections = ${maxBis}: must be an integer in [0, 40]`);
  const { trafficGbps: _t, observedGbps: _o, ...base } = spec;
  const opts = {
    seed: options.seed ?? MANY_RUNS.seed,
    replications: options.replications ?? MANY_RUNS.replications,
    durationS: options.durationS ?? MANY_RUNS.durationS,
    maxIterations: options.maxIterations,
  };
  const nic = loadHardware(spec.hardware).nic.bandwidthGbps;
  const finest = nic / scan / 2 ** maxBis;
  if (tol < finest) {
    throw new ScenarioError(
      `budget: toleranceGbps = ${tol}: below what ${maxBis} bisections of the ${(nic / scan).toFixed(3)} Gb/s scan bracket reach (${finest.toPrecision(3)} Gb/s); raise it or maxBisections`,
    );
  }
  const steps: BudgetAnswer["steps"] = [];
  const within = (p: Prediction) => metricOf(p, metric).mean <= maxOverheadPct;
  const at = (gbps: number): Prediction => {
    const p = predict({ ...base, trafficGbps: gbps }, opts);
    steps.push({
      trafficGbps: gbps,
      valuePct: metricOf(p, metric).mean,
      overheadPct: p.overheadPct.mean,
      nodeCpuPct: p.nodeCpuPct.mean,
      withinBudget: within(p),
    });
    return p;
  };
  const what = metric === "cpu" ? "the node's CPU the agent takes (nodeCpuPct)" : "throughput overhead (overheadPct)";
  const common = {
    query: "budget" as const,
    spec: base,
    metric,
    maxOverheadPct,
    nicBandwidthGbps: nic,
    toleranceGbps: tol,
    scanPoints: scan,
    maxBisections: maxBis,
    assumption: `metric: ${what}; scanned at ${scan} evenly spaced offered traffics up to the NIC's bandwidth, then bisected, assuming it crosses the budget once between the last scan point within budget and the first over it; within budget = mean <= budget`,
  };
  let lo = 0;
  let loP: Prediction | null = null;
  let hi = -1;
  let hiP: Prediction | null = null;
  for (let i = 1; i <= scan; i++) {
    const g = (nic * i) / scan;
    const p = at(g);
    if (!within(p)) {
      hi = g;
      hiP = p;
      break;
    }
    lo = g;
    loP = p;
  }
  if (hiP === null) {
    return {
      ...common,
      maxTrafficGbps: nic,
      binding: false,
      feasible: true,
      exceededAtGbps: null,
      atAnswer: loP!,
      atExceeded: null,
      steps,
      stoppedBy: "none",
      resolutionGbps: null,
    };
  }
  // the traffic step the simulation resolves between two points: the metric's half-width over its slope
  const resolution = (a: Prediction | null, ga: number, b: Prediction, gb: number): number => {
    if (a === null) return 0;
    const ea = metricOf(a, metric);
    const eb = metricOf(b, metric);
    const slope = Math.abs(eb.mean - ea.mean) / (gb - ga);
    const hw = Math.max(ea.halfWidth, eb.halfWidth);
    return slope > 0 ? hw / slope : hw > 0 ? Infinity : 0;
  };
  let stoppedBy: BudgetAnswer["stoppedBy"] = "tolerance";
  let bisections = 0;
  while (hi - lo > tol) {
    if (bisections >= maxBis) {
      stoppedBy = "iterations";
      break;
    }
    if (hi - lo < resolution(loP, lo, hiP!, hi)) {
      stoppedBy = "resolution";
      break;
    }
    bisections++;
    const mid = (lo + hi) / 2;
    const p = at(mid);
    if (within(p)) {
      lo = mid;
      loP = p;
    } else {
      hi = mid;
      hiP = p;
    }
  }
  if (loP === null) {
    // offered traffic must be > 0: the least traffic evaluated stands for 0
    const least = Math.min(0.001, tol);
    const p = at(least);
    if (!within(p))
      return {
        ...common,
        maxTrafficGbps: 0,
        binding: true,
        feasible: false,
        exceededAtGbps: least,
        atAnswer: p,
        atExceeded: p,
        steps,
        stoppedBy,
        resolutionGbps: null,
      };
    loP = p;
  }
  const res = resolution(loP, lo, hiP!, hi);
  return {
    ...common,
    maxTrafficGbps: lo,
    binding: true,
    feasible: true,
    exceededAtGbps: hi,
    atAnswer: loP,
    atExceeded: hiP,
    steps,
    stoppedBy,
    resolutionGbps: Number.isFinite(res) ? res : null,
  };
}
