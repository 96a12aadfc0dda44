/**
 * One-at-a-time sensitivity of the 32-vCPU predictions to each calibration constant.
 *
 * For every constant of CALIBRATION_CONSTANTS, the value is multiplied by 0.8 and by 1.2 (the others
 * fixed) and the four 32-core scenarios of the field study (perf array default / no CPU limits /
 * pinned, ring buffer; reproduce.ts's mapping, observed at the study's 8.0 Gb/s baseline) are
 * simulated again with the same seeds, so the differences are paired. Rows are sorted by the
 * largest absolute change of any scenario's overhead.
 */
import { CALIBRATION_CONSTANTS, type CalibrationConstantName, type CalibrationFile } from "../models/types.ts";
import { buildScenario, DEFAULT_CALIBRATION } from "../node/scenario.ts";
import { loadSeed } from "./seed.ts";
import { simulate, type SimulateOptions } from "../node/simulate.ts";
import { loadCalibration } from "../models/load.ts";

export const SENSITIVITY_SCENARIOS = [
  { key: "perfDefault", label: "perf, default (limited)", tool: "retina-perf", placement: "limited" },
  { key: "perfUnlimited", label: "perf, no CPU limits", tool: "retina-perf", placement: "unlimited" },
  { key: "perfPinned", label: "perf, pinned", tool: "retina-perf", placement: "pinned" },
  { key: "ringbuf", label: "ring buffer", tool: "retina-ringbuf", placement: "limited" },
] as const;
export type SensitivityKey = (typeof SENSITIVITY_SCENARIOS)[number]["key"];

export interface SensitivityOptions extends SimulateOptions {
  /** Calibration host class or file. @defaultValue DEFAULT_CALIBRATION (the measured host calibration) */
  calibration?: string;
  /** @defaultValue "azure-d32s-v5" */
  hardware?: string;
  /** Observed baseline, Gb/s (the study's 32-core baseline). @defaultValue 8 */
  observedGbps?: number;
  /** Relative step. @defaultValue 0.2 */
  step?: number;
  /** Constants to vary. @defaultValue all of CALIBRATION_CONSTANTS */
  constants?: readonly CalibrationConstantName[];
}

export interface SensitivityRow {
  constant: CalibrationConstantName;
  value: number;
  unit: string;
  method: string;
  /** Overhead change in pp at (1 - step) and (1 + step), per scenario. */
  down: Record<SensitivityKey, number>;
  up: Record<SensitivityKey, number>;
  /** Largest |change| over scenarios and directions, pp. */
  impact: number;
}

export interface SensitivityResult {
  base: Record<SensitivityKey, number>;
  rows: SensitivityRow[];
  step: number;
}

/** A copy of `cal` with one constant multiplied by `factor`. */
export function scaleConstant(cal: CalibrationFile, name: CalibrationConstantName, factor: number): CalibrationFile {
  if (!(name in cal.constants)) throw new RangeError(`scaleConstant: no constant ${name}`);
  if (!(factor > 0)) throw new RangeError(`scaleConstant: factor = ${factor}: must be > 0`);
  const c = structuredClone(cal);
  c.constants[name] = { ...c.constants[name], value: c.constants[name].value * factor };
  return c;
}

function seedBaseline32(): number {
  const base = loadSeed().scenarios_32_cores.find((r) => r.reduction_pct === 0);
  if (base === undefined) throw new RangeError("sensitivity: the seed file has no 32-core baseline row");
  return base.gbps;
}

export function sensitivity(o: SensitivityOptions = {}): SensitivityResult {
  const { calibration = DEFAULT_CALIBRATION, hardware = "azure-d32s-v5", step = 0.2, constants = CALIBRATION_CONSTANTS, ...sim } = o;
  // the 32-core rows' workload: the study's published baseline, read from validation/ (never written in src/)
  const observedGbps = o.observedGbps ?? seedBaseline32();
  const cal = loadCalibration(calibration);
  const scenarios = SENSITIVITY_SCENARIOS.map((s) => ({
    ...s,
    scenario: buildScenario({ hardware, tool: s.tool, placement: s.placement, observedGbps, calibration }),
  }));
  const overheads = (c: CalibrationFile) =>
    Object.fromEntries(scenarios.map((s) => [s.key, simulate({ ...s.scenario, calibration: c }, sim).overheadPct.mean])) as Record<SensitivityKey, number>;
  const base = overheads(cal);
  const diff = (x: Record<SensitivityKey, number>) =>
    Object.fromEntries(SENSITIVITY_SCENARIOS.map((s) => [s.key, x[s.key] - base[s.key]])) as Record<SensitivityKey, number>;
  const rows: SensitivityRow[] = constants.map((name) => {
    const down = diff(overheads(scaleConstant(cal, name, 1 - step)));
    const up = diff(overheads(scaleConstant(cal, name, 1 + step)));
    const impact = Math.max(...[...Object.values(down), ...Object.values(up)].map(Math.abs));
    const k = cal.constants[name];
    return { constant: name, value: k.value, unit: k.unit, method: k.method, down, up, impact };
  });
  rows.sort((a, b) => b.impact - a.impact || a.constant.localeCompare(b.constant));
  return { base, rows, step };
}
