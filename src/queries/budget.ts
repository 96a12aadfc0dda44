/**
 * `budget(spec, maxOverheadPct)`: the highest offered traffic the node carries with the agent's
 * overhead within a budget.
 *
 * Bisection over the offered traffic (workload mode "offered") between 0 and the NIC's bandwidth,
 * assuming the overhead does not decrease as traffic grows (more packets, more events, the same
 * CPUs). A point is within budget when its mean overhead is <= the budget; the answer is the last
 * point within budget, and `exceededAtGbps` the first point found above it (within `toleranceGbps`).
 * When the NIC's bandwidth is itself within budget the budget does not bind: the answer is the NIC's
 * bandwidth and `binding` is false.
 */
import { loadHardware } from "../models/load.ts";
import { ScenarioError } from "../node/costs.ts";
import type { ScenarioSpec } from "../node/scenario.ts";
import { MANY_RUNS, type QueryOptions } from "./common.ts";
import { predict, type Prediction } from "./predict.ts";

export interface BudgetOptions extends QueryOptions {
  /** Bisection stops when the bracket is this narrow (Gb/s). @defaultValue 0.25 */
  toleranceGbps?: number;
}

export interface BudgetAnswer {
  query: "budget";
  spec: Omit<ScenarioSpec, "trafficGbps" | "observedGbps">;
  maxOverheadPct: number;
  /** Highest offered traffic found within budget, Gb/s. */
  maxTrafficGbps: number;
  /** False when even the NIC's bandwidth is within budget. */
  binding: boolean;
  /** The lowest offered traffic found over budget (null when not binding). */
  exceededAtGbps: number | null;
  nicBandwidthGbps: number;
  toleranceGbps: number;
  assumption: string;
  /** The prediction at the answer (its overhead interval is the answer's CI). */
  atAnswer: Prediction;
  /** The prediction just over the answer (null when not binding). */
  atExceeded: Prediction | null;
  /** Every point the bisection evaluated, in order. */
  steps: { trafficGbps: number; overheadPct: number; withinBudget: boolean }[];
}

export function budget(spec: ScenarioSpec, maxOverheadPct: number, options: BudgetOptions = {}): BudgetAnswer {
  if (!(maxOverheadPct >= 0 && maxOverheadPct < 100)) {
    throw new ScenarioError(`budget: maxOverheadPct = ${maxOverheadPct}: must be in [0, 100)`);
  }
  const tol = options.toleranceGbps ?? 0.25;
  if (!(tol > 0)) throw new ScenarioError(`budget: toleranceGbps = ${tol}: must be > 0`);
  const { trafficGbps: _t, observedGbps: _o, ...base } = spec;
  const opts = { seed: options.seed ?? MANY_RUNS.seed, replications: options.replications ?? MANY_RUNS.replications, durationS: options.durationS ?? MANY_RUNS.durationS };
  const nic = loadHardware(spec.hardware).nic.bandwidthGbps;
  const steps: BudgetAnswer["steps"] = [];
  const at = (gbps: number): Prediction => {
    const p = predict({ ...base, trafficGbps: gbps }, opts);
    steps.push({ trafficGbps: gbps, overheadPct: p.overheadPct.mean, withinBudget: p.overheadPct.mean <= maxOverheadPct });
    return p;
  };
  const common = { query: "budget" as const, spec: base, maxOverheadPct, nicBandwidthGbps: nic, toleranceGbps: tol, assumption: "overhead does not decrease as offered traffic grows (monotone); within budget = mean overhead <= budget" };
  const top = at(nic);
  if (top.overheadPct.mean <= maxOverheadPct) {
    return { ...common, maxTrafficGbps: nic, binding: false, exceededAtGbps: null, atAnswer: top, atExceeded: null, steps };
  }
  let lo = 0;
  let loP: Prediction | null = null;
  let hi = nic;
  let hiP = top;
  while (hi - lo > tol) {
    const mid = (lo + hi) / 2;
    const p = at(mid);
    if (p.overheadPct.mean <= maxOverheadPct) {
      lo = mid;
      loP = p;
    } else {
      hi = mid;
      hiP = p;
    }
  }
  if (loP === null) loP = at(lo > 0 ? lo : Math.min(0.001, tol)); // offered traffic must be > 0
  return { ...common, maxTrafficGbps: lo, binding: true, exceededAtGbps: hi, atAnswer: loP, atExceeded: hiP, steps };
}
