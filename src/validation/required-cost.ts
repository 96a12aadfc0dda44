/**
 * What the model would need: for one scenario and a target overhead, the extra CPU time per record
 * on the producing CPU (added to bpf_perf_event_output / bpf_ringbuf_output, so it lands where the
 * TC program runs, inside the softirq) that makes the predicted overhead equal the target.
 *
 * This is an inverse question asked of the seed rows, not a fit: nothing found here is written back
 * to models/. If one extra cost per record explained every row, the model would lack one constant;
 * if the rows need very different amounts, no per-record constant can reproduce them and the missing
 * loss must come from a mechanism whose cost grows with something else (core count, latency).
 *
 * Search: overhead is non-decreasing in the extra cost (more CPU per record on the receive CPUs can
 * only lower what they carry), so the extra is bracketed by doubling from `startNs` and then bisected
 * on a log scale until the overhead is within `tolerancePp` of the target. Each evaluation is a full
 * `simulate` with the same seeds, so the curve is deterministic.
 */
import type { CalibrationFile } from "../models/types.ts";
import { buildScenario, type ScenarioSpec } from "../node/scenario.ts";
import { simulate, type SimulateOptions, type SimulationResult } from "../node/simulate.ts";
import type { ReproduceResult, ReproduceRow } from "./reproduce.ts";

export interface RequiredCostOptions extends SimulateOptions {
  /** Stop when the overhead is within this many pp of the target. @defaultValue 0.25 */
  tolerancePp?: number;
  /** First bracket, ns per record. @defaultValue 1000 */
  startNs?: number;
  /** Give up above this extra, ns per record. @defaultValue 1e6 (1 ms) */
  maxNs?: number;
  /** Bisection steps at most. @defaultValue 24 */
  maxSteps?: number;
}

export type RequiredCostStatus = "found" | "already-above" | "unreachable";

export interface RequiredCost {
  targetPct: number;
  /** Overhead with no extra cost (the model as it is). */
  modelPct: number;
  /** The agent's kernel CPU per record on the producing CPUs as modelled (BPF, output, wakeups, lock, lines), ns. */
  modelNsPerRecord: number;
  /** Extra ns per record that reaches the target (0 when already above; the largest tried when unreachable). */
  extraNs: number;
  /** Overhead at extraNs. */
  achievedPct: number;
  /** Records per second at extraNs. */
  eventsPerS: number;
  status: RequiredCostStatus;
  evaluations: number;
}

/** A copy of `cal` whose output helpers cost `extraNs` more per record. */
export function withExtraOutputCost(cal: CalibrationFile, extraNs: number): CalibrationFile {
  if (!(extraNs >= 0) || !Number.isFinite(extraNs)) throw new RangeError(`withExtraOutputCost: extraNs = ${extraNs}: must be a finite number >= 0`);
  const c = structuredClone(cal);
  for (const k of ["perfOutputNs", "ringbufOutputNs"] as const) c.constants[k] = { ...c.constants[k], value: c.constants[k].value + extraNs };
  return c;
}

function checkOptions(targetPct: number, o: RequiredCostOptions): Required<Pick<RequiredCostOptions, "tolerancePp" | "startNs" | "maxNs" | "maxSteps">> {
  const r = { tolerancePp: o.tolerancePp ?? 0.25, startNs: o.startNs ?? 1000, maxNs: o.maxNs ?? 1e6, maxSteps: o.maxSteps ?? 24 };
  const bad = (field: string, v: number, what: string) => new RangeError(`requiredExtraCost: ${field} = ${v}: ${what}`);
  if (!(targetPct >= 0 && targetPct < 100)) throw bad("targetPct", targetPct, "must be in [0, 100)");
  if (!(r.tolerancePp > 0)) throw bad("tolerancePp", r.tolerancePp, "must be > 0");
  if (!(r.startNs > 0 && Number.isFinite(r.startNs))) throw bad("startNs", r.startNs, "must be a finite number > 0");
  if (!(r.maxNs >= r.startNs && Number.isFinite(r.maxNs))) throw bad("maxNs", r.maxNs, "must be finite and >= startNs");
  if (!(Number.isInteger(r.maxSteps) && r.maxSteps >= 1)) throw bad("maxSteps", r.maxSteps, "must be an integer >= 1");
  return r;
}

/** The extra producer-side ns per record that brings `spec`'s overhead to `targetPct`. */
export function requiredExtraCost(spec: ScenarioSpec, targetPct: number, options: RequiredCostOptions = {}): RequiredCost {
  const { tolerancePp, startNs, maxNs, maxSteps } = checkOptions(targetPct, options);
  const { tolerancePp: _t, startNs: _s, maxNs: _m, maxSteps: _x, ...sim } = options;
  const scenario = buildScenario(spec);
  if (scenario.tool === null) throw new RangeError(`requiredExtraCost: tool = none: the scenario needs an agent`);
  let evaluations = 0;
  const at = (extraNs: number): SimulationResult => {
    evaluations++;
    return simulate({ ...scenario, calibration: withExtraOutputCost(scenario.calibration, extraNs) }, sim);
  };
  const base = at(0);
  const perRecord = base.eventsPerS.mean > 0 ? (base.kernelCpuCores.mean * 1e9) / base.eventsPerS.mean : 0;
  const out = (extraNs: number, r: SimulationResult, status: RequiredCostStatus): RequiredCost => ({
    targetPct,
    modelPct: base.overheadPct.mean,
    modelNsPerRecord: perRecord,
    extraNs,
    achievedPct: r.overheadPct.mean,
    eventsPerS: r.eventsPerS.mean,
    status,
    evaluations,
  });
  if (base.overheadPct.mean >= targetPct - tolerancePp) return out(0, base, "already-above");
  // bracket: lo below the target, hi at or above it
  let lo = 0;
  let hi = startNs;
  let rHi = at(hi);
  while (rHi.overheadPct.mean < targetPct - tolerancePp) {
    if (hi >= maxNs) return out(hi, rHi, "unreachable");
    lo = hi;
    hi = Math.min(maxNs, hi * 2);
    rHi = at(hi);
  }
  if (Math.abs(rHi.overheadPct.mean - targetPct) <= tolerancePp) return out(hi, rHi, "found");
  let best = { x: hi, r: rHi };
  for (let step = 0; step < maxSteps; step++) {
    const mid = lo > 0 ? Math.sqrt(lo * hi) : hi / 2;
    const r = at(mid);
    if (Math.abs(r.overheadPct.mean - targetPct) < Math.abs(best.r.overheadPct.mean - targetPct)) best = { x: mid, r };
    if (Math.abs(r.overheadPct.mean - targetPct) <= tolerancePp) break;
    if (r.overheadPct.mean < targetPct) lo = mid;
    else hi = mid;
  }
  return out(best.x, best.r, "found");
}

export interface RequiredCostRow extends RequiredCost {
  table: string;
  label: string;
}

/** The counted overhead rows of a reproduce result (predicted, not inputs). */
export function countedRows(rep: ReproduceResult): ReproduceRow[] {
  return rep.rows.filter((r) => r.status === "predicted" && r.metric === "reduction_pct");
}

/** A row's own scenario as reproduce ran it: its hardware, tool, placement, the family's cost scales, its offered load. */
export function rowSpec(rep: ReproduceResult, r: ReproduceRow): ScenarioSpec {
  return {
    hardware: r.scenario.hardware,
    tool: r.scenario.tool,
    placement: r.scenario.placement,
    calibration: rep.calibration,
    receiveCostScale: r.scenario.receiveCostScale,
    mobileCostScale: r.scenario.mobileCostScale,
    ...(r.scenario.offeredGbps === undefined ? {} : { trafficGbps: r.scenario.offeredGbps }),
  };
}

/** requiredExtraCost for every counted overhead row of a reproduce result, with the row's own scenario. */
export function requiredCostTable(rep: ReproduceResult, options: RequiredCostOptions = {}): RequiredCostRow[] {
  return countedRows(rep).map((r) => ({ table: r.table, label: r.label, ...requiredExtraCost(rowSpec(rep, r), r.published, options) }));
}
