/**
 * bpfsim's public API: the only entry point. Everything a program, notebook or the CLI needs is
 * exported here; internals stay in their files.
 */
export * as engine from "./engine/index.ts";
export { simulate, type Scenario, type SimulateOptions, type SimulationResult, type Attribution } from "./node/simulate.ts";
export { buildScenario, type ScenarioSpec } from "./node/scenario.ts";
export { UserError, isUserError } from "./errors.ts";
export { ScenarioError } from "./node/costs.ts";
export { solveThroughput, type Bottleneck } from "./node/throughput.ts";
export { COST_CATEGORIES, type CostCategory } from "./kernel/cpu-ledger.ts";
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
export {
  loadHardware,
  loadTool,
  loadPlacement,
  loadWorkload,
  loadCalibration,
  validateProfile,
  listProfiles,
  ModelError,
} from "./models/load.ts";
export { reproduce, type ReproduceResult, type ReproduceRow, type ReproduceOptions } from "./validation/reproduce.ts";
export { requiredExtraCost, requiredCostTable, type RequiredCost, type RequiredCostRow, type RequiredCostOptions } from "./validation/required-cost.ts";
export { renderSvg, renderPng, type VegaLiteSpec } from "./charts/render.ts";
