/**
 * One grid point of a sweep: simulate(buildScenario(spec), options), summarised. The default export
 * is the piscina worker (see sweep.ts); runPoint is the same in the calling thread.
 */
import { buildScenario, type ScenarioSpec } from "../node/scenario.ts";
import { simulate } from "../node/simulate.ts";
import { isUserError } from "../errors.ts";
import { summarize, type QueryOptions, type ResultSummary } from "./common.ts";

export type PointResult = ResultSummary & { calibration: string };

export function runPoint(task: { spec: ScenarioSpec; options: Required<QueryOptions> }): { result?: PointResult; error?: string } {
  try {
    const r = simulate(buildScenario(task.spec), { ...task.options, warmupS: 0.02 });
    return { result: { ...summarize(r), calibration: r.scenario.calibration } };
  } catch (err) {
    if (isUserError(err)) return { error: (err as Error).message };
    throw err;
  }
}

export default runPoint;
