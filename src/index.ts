/**
 * bpfsim's public API: the only entry point. Everything a program, notebook or the CLI needs is
 * exported here; internals stay in their files.
 */
export * as engine from "./engine/index.ts";
export { simulate, type Scenario, type SimulateOptions, type SimulationResult, type Attribution } from "./node/simulate.ts";
export { buildScenario, type ScenarioSpec } from "./node/scenario.ts";
export { applyToolOverrides, toolWithOverrides, type ToolOverrides, type ToolLookup } from "./node/overrides.ts";
export { SIMULATION_FIELDS, type SimulationMetric } from "./node/simulation-metrics.ts";
export { UserError, isUserError } from "./errors.ts";
export { ScenarioError } from "./node/costs.ts";
export { solveThroughput, type Bottleneck } from "./node/throughput.ts";
export { COST_CATEGORIES, type CostCategory } from "./accounting/cpu-ledger.ts";
export type {
  HardwareProfile,
  ToolProfile,
  Placement,
  Workload,
  CalibrationFile,
  CalibratedConstant,
  PerfBufferSettings,
  RingbufSettings,
  Source,
} from "./models/types.ts";
export { CALIBRATION_CONSTANTS } from "./models/types.ts";
export { loadHardware, loadTool, loadPlacement, loadWorkload, loadCalibration, validateProfile, listProfiles, ModelError } from "./models/load.ts";
export { reproduce, reproduceParallel, type ReproduceResult, type ReproduceRow, type ReproduceOptions } from "./validation/reproduce.ts";
export { requiredExtraCost, requiredCostTable, type RequiredCost, type RequiredCostRow, type RequiredCostOptions } from "./validation/required-cost.ts";
export { renderSvg, renderPng, type VegaLiteSpec } from "./charts/render.ts";

// ---- capacity-planning queries (each a library function the CLI command is a shell over) ----
export { predict, type Prediction } from "./queries/predict.ts";
export { budget, type BudgetOptions, type BudgetAnswer } from "./queries/budget.ts";
export { crossover, type CrossoverSpec, type CrossoverOptions, type CrossoverAnswer, type CrossoverRow, type CrossoverFlip } from "./queries/crossover.ts";
export { size, type SizeAnswer, type SizeCandidate } from "./queries/size.ts";
export { reserve, type ReserveOptions, type ReserveAnswer, type ReserveOption } from "./queries/reserve.ts";
export { loadClaim, validateClaim, judgeClaim, type Claim, type ClaimAnswer, type Verdict } from "./queries/claim.ts";
export { sweep, sweepLines, planSweep, type Grid, type SweepOptions, type SweepLine } from "./queries/sweep.ts";
export { merge } from "./queries/merge.ts";
export { headline, agentHealth, type AgentHealth, type Headline, type HealthCriteria } from "./queries/health.ts";
export type { QueryOptions, QueryRunOptions, ResultSummary } from "./queries/common.ts";

// ---- the many-core mechanisms, the node family's fit, the ring buffer benchmark ----
export { MECHANISMS, MECHANISM_NAMES, type Mechanism } from "./node/mechanisms.ts";
export { fitFamily, familyBaseline, type FamilyFit, type FamilyPoint } from "./node/family-fit.ts";
export { rxChannelCount, type RxChannelCount } from "./kernel/rx-channels.ts";
export { ringbufBench, type RingbufBenchOptions, type RingbufBenchResult } from "./node/ringbuf-bench.ts";

// ---- validation, calibration and measurement ----
export { loadUnknowns, type Unknown } from "./validation/unknowns.ts";
export { buildReport, writeReport, type Report, type ReportOptions } from "./validation/report.ts";
export { runCalibrate, type CalibrateOptions } from "./calibration/calibrate.ts";
export { runMeasure, type MeasureOptions, type MeasureSummary } from "./measure/measure.ts";
