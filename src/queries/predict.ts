/**
 * `predict(spec)`: what the agent costs one node, with the mechanism that dominates the cost.
 * One simulation (simulate()) of the scenario built from profile names and overrides.
 */
import { buildScenario, type ScenarioSpec } from "../node/scenario.ts";
import { simulate, type Scenario, type SimulationResult } from "../node/simulate.ts";
import { calibrationRef, SINGLE_RUN, simulateOptions, summarize, type CalibrationRef, type QueryRunOptions, type ResultSummary } from "./common.ts";

export interface Prediction extends ResultSummary {
  query: "predict";
  spec: ScenarioSpec;
  calibration: CalibrationRef;
  /** Replications behind each 95% interval. */
  replications: number;
  /** The full simulation result (attribution, latency, conservation). */
  result: SimulationResult;
}

/** Predicts overhead, throughput, events, wakeups, losses and agent CPU for one scenario. */
export function predict(spec: ScenarioSpec, options: QueryRunOptions = {}): Prediction {
  return predictScenario(spec, buildScenario(spec), options);
}

/** As predict(), for a scenario built (or altered) in code; `spec` is what the answer reports. */
export function predictScenario(spec: ScenarioSpec, scenario: Scenario, options: QueryRunOptions = {}): Prediction {
  const result = simulate(scenario, simulateOptions(options, SINGLE_RUN));
  return {
    query: "predict",
    ...summarize(result),
    spec,
    calibration: calibrationRef(spec, result),
    replications: result.options.replications,
    result,
  };
}
