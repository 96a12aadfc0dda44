/**
 * What a window-limited receiver would need: for one seed row and its published overhead, how few
 * window-limited flows (Workload.windowLimited, node/simulate.ts `windowCap`) the row's receiver would
 * have to run for the node model to predict that overhead. Each flow's round trip grows by the agent's
 * hook work on its path, shared among the flows, so fewer flows lose more: 1/T = 1/T0 + h/flows, T0
 * the row's baseline without the agent.
 *
 * An inverse question, like required-cost.ts, not a fit: nothing found here is written back to
 * models/, and the study's rows keep CPU-bound receivers. If one flow count explained every row, a
 * receiver of that many window-limited flows would be a hypothesis to test; if the rows need very
 * different counts, the window response alone does not explain them.
 *
 * Search: the overhead does not grow with the flows, so the count is bracketed by doubling from 1 and
 * then bisected on whole numbers: the largest count whose overhead still reaches the target.
 */
import { buildScenario, type ScenarioSpec } from "../node/scenario.ts";
import { simulate, type SimulateOptions, type SimulationResult } from "../node/simulate.ts";
import type { ReproduceResult } from "./reproduce.ts";
import { countedRows, rowSpec } from "./required-cost.ts";

export interface RequiredFlowsOptions extends SimulateOptions {
  /** Stop when the overhead is within this many pp of the target. @defaultValue 0.25 */
  tolerancePp?: number;
  /** Give up above this many flows. @defaultValue 65536 */
  maxFlows?: number;
}

export type RequiredFlowsStatus = "found" | "already-above" | "unreachable";

export interface RequiredFlows {
  targetPct: number;
  /** Overhead with a CPU-bound receiver (the model as the rows run it). */
  modelPct: number;
  /** The row's baseline without the agent, the window's rate (Gb/s). */
  baselineGbps: number;
  /** The largest flow count whose overhead reaches the target (found); 1 when even one flow does not (unreachable); undefined when already above. */
  flows?: number;
  /** Overhead at `flows` (or the model's when already above). */
  achievedPct: number;
  /** Overhead with one window-limited flow: the most the window response can add. */
  oneFlowPct: number;
  status: RequiredFlowsStatus;
  evaluations: number;
}

/** The flow count at which `spec`'s receiver, window-limited at its own baseline (the window's rate left out), loses `targetPct`. */
export function requiredFlows(spec: ScenarioSpec, targetPct: number, options: RequiredFlowsOptions = {}): RequiredFlows {
  const { tolerancePp = 0.25, maxFlows = 65536, ...sim } = options;
  if (!(targetPct >= 0 && targetPct < 100)) throw new RangeError(`requiredFlows: targetPct = ${targetPct}: must be in [0, 100)`);
  if (!(tolerancePp > 0)) throw new RangeError(`requiredFlows: tolerancePp = ${tolerancePp}: must be > 0`);
  if (!(Number.isInteger(maxFlows) && maxFlows >= 2)) throw new RangeError(`requiredFlows: maxFlows = ${maxFlows}: must be an integer >= 2`);
  const scenario = buildScenario(spec);
  if (scenario.tool === null) throw new RangeError(`requiredFlows: tool = none: the scenario needs an agent`);
  let evaluations = 0;
  const base = simulate(scenario, sim);
  evaluations++;
  const t0 = base.baselineGbps.mean;
  const memo = new Map<number, SimulationResult>();
  const at = (flows: number): number => {
    let r = memo.get(flows);
    if (r === undefined) {
      evaluations++;
      r = simulate({ ...scenario, workload: { ...scenario.workload, windowLimited: { flows } } }, sim);
      memo.set(flows, r);
    }
    return r.overheadPct.mean;
  };
  const out = (status: RequiredFlowsStatus, flows: number | undefined, achievedPct: number): RequiredFlows => ({
    targetPct,
    modelPct: base.overheadPct.mean,
    baselineGbps: t0,
    flows,
    achievedPct,
    oneFlowPct: at(1),
    status,
    evaluations,
  });
  if (base.overheadPct.mean >= targetPct - tolerancePp) return out("already-above", undefined, base.overheadPct.mean);
  if (at(1) < targetPct - tolerancePp) return out("unreachable", 1, at(1));
  // lo reaches the target, hi does not
  let lo = 1;
  let hi = 2;
  while (at(hi) >= targetPct - tolerancePp) {
    if (hi >= maxFlows) return out("found", hi, at(hi));
    lo = hi;
    hi = Math.min(maxFlows, hi * 2);
  }
  while (hi - lo > 1) {
    const mid = Math.round(Math.sqrt(lo * hi));
    const m = mid <= lo ? lo + 1 : mid >= hi ? hi - 1 : mid;
    if (at(m) >= targetPct - tolerancePp) lo = m;
    else hi = m;
  }
  return out("found", lo, at(lo));
}

export interface RequiredFlowsRow extends RequiredFlows {
  table: string;
  label: string;
}

/** requiredFlows for every counted overhead row of a reproduce result, with the row's own scenario. */
export function requiredFlowsTable(rep: ReproduceResult, options: RequiredFlowsOptions = {}): RequiredFlowsRow[] {
  return countedRows(rep).map((r) => ({ table: r.table, label: r.label, ...requiredFlows(rowSpec(rep, r), r.published, options) }));
}

export interface CommonFlowsRow {
  table: string;
  label: string;
  published: number;
  predictedPct: number;
}

/**
 * Every counted row with the same number of window-limited flows (each at its own baseline): does one
 * receiver regime give the rows' shape (the rise with core count, the 32-core order)?
 */
export function atCommonFlows(rep: ReproduceResult, flows: number, options: SimulateOptions = {}): CommonFlowsRow[] {
  if (!(Number.isInteger(flows) && flows >= 1)) throw new RangeError(`atCommonFlows: flows = ${flows}: must be an integer >= 1`);
  return countedRows(rep).map((r) => {
    // the window's rate left out: the node's own baseline (Workload.windowLimited)
    const scenario = buildScenario({ ...rowSpec(rep, r), windowFlows: flows });
    const w = simulate(scenario, options);
    return { table: r.table, label: r.label, published: r.published, predictedPct: w.overheadPct.mean };
  });
}
