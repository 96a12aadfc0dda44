/**
 * `reserve(spec)`: how much CPU to reserve for the agent. Compares a CPU limit (CFS bandwidth) over a
 * range of limits with no limit and with a pinned (exclusive) CPU, and recommends the smallest limit
 * under which the agent is not starved: no lost events (mean lost/s below `maxLostPerS`) and the
 * reader throttled for less than `maxThrottledPct` of the time. When no limit qualifies, it
 * recommends pinning if that loses nothing, else no limit.
 *
 * The limited placements are built here (name `limited-<cores>`), with the CFS period of the shipped
 * `limited` placement, and checked with validateProfile like any profile file.
 */
import type { Estimate } from "../engine/index.ts";
import { loadPlacement, validateProfile } from "../models/load.ts";
import type { Placement } from "../models/types.ts";
import { ScenarioError } from "../node/costs.ts";
import { buildScenario, type ScenarioSpec } from "../node/scenario.ts";
import { MANY_RUNS, type CalibrationRef, type QueryOptions } from "./common.ts";
import { predictScenario } from "./predict.ts";

export interface ReserveOptions extends QueryOptions {
  /** CPU limits to try, in cores. @defaultValue [0.1, 0.25, 0.5, 1, 2, 4] */
  limits?: number[];
  /** @defaultValue 1 (lost events/s) */
  maxLostPerS?: number;
  /** @defaultValue 5 (% of the time) */
  maxThrottledPct?: number;
}

export interface ReserveOption {
  placement: string;
  kind: "limited" | "unlimited" | "pinned";
  /** Cores the agent may use (limited), owns (pinned), or null (unlimited). */
  cpuCores: number | null;
  overheadPct: Estimate;
  lostPerS: Estimate;
  throttledPct: Estimate;
  agentCpuCores: Estimate;
  starved: boolean;
}

export interface ReserveAnswer {
  query: "reserve";
  spec: Omit<ScenarioSpec, "placement">;
  calibration: CalibrationRef;
  replications: number;
  criteria: { maxLostPerS: number; maxThrottledPct: number };
  options: ReserveOption[];
  /** The smallest limit that does not starve the agent (null when none of the limits tried). */
  smallestSafeLimit: number | null;
  recommendation: string;
}

/** A limited placement with `cpuLimit` cores, validated against the placement schema. */
export function limitedPlacement(cpuLimit: number, cfsPeriodUs: number): Placement {
  return validateProfile(
    "placement",
    {
      name: `limited-${cpuLimit}`,
      kind: "limited",
      description: `The agent under a CPU limit of ${cpuLimit} cores (CFS quota ${cpuLimit} x ${cfsPeriodUs} us per period).`,
      cpuLimit,
      cfsPeriodUs,
    },
    `placement limited-${cpuLimit}`,
  );
}

export function reserve(spec: ScenarioSpec, options: ReserveOptions = {}): ReserveAnswer {
  const limits = [...(options.limits ?? [0.1, 0.25, 0.5, 1, 2, 4])].sort((a, b) => a - b);
  for (const l of limits) if (!(l > 0)) throw new ScenarioError(`reserve: limit = ${l}: must be > 0 cores`);
  const maxLostPerS = options.maxLostPerS ?? 1;
  const maxThrottledPct = options.maxThrottledPct ?? 5;
  const opts = { seed: options.seed ?? MANY_RUNS.seed, replications: options.replications ?? MANY_RUNS.replications, durationS: options.durationS ?? MANY_RUNS.durationS };
  const { placement: _p, ...base } = spec;
  const period = loadPlacement("limited");
  const cfsPeriodUs = period.kind === "limited" ? period.cfsPeriodUs : 100000;
  const starved = (lost: Estimate, thr: Estimate) => !(lost.mean < maxLostPerS && thr.mean < maxThrottledPct);
  let calibration: CalibrationRef | null = null;
  const out: ReserveOption[] = [];
  const run = (placement: Placement, cpuCores: number | null) => {
    const scenario = { ...buildScenario({ ...base, placement: "unlimited" }), placement };
    const p = predictScenario({ ...base, placement: placement.name }, scenario, opts);
    calibration ??= p.calibration;
    out.push({
      placement: placement.name,
      kind: placement.kind,
      cpuCores,
      overheadPct: p.overheadPct,
      lostPerS: p.lostPerS,
      throttledPct: p.throttledPct,
      agentCpuCores: p.agentCpuCores,
      starved: starved(p.lostPerS, p.throttledPct),
    });
  };
  for (const l of limits) run(limitedPlacement(l, cfsPeriodUs), l);
  run(loadPlacement("unlimited"), null);
  const pinned = loadPlacement("pinned");
  run(pinned, pinned.kind === "pinned" ? pinned.dedicatedCpus : null);
  const safe = out.find((o) => o.kind === "limited" && !o.starved) ?? null;
  const pin = out.find((o) => o.kind === "pinned")!;
  const unl = out.find((o) => o.kind === "unlimited")!;
  const pct = (e: Estimate) => `${e.mean.toFixed(2)} ± ${e.halfWidth.toFixed(2)}%`;
  let recommendation: string;
  if (safe) {
    recommendation = `limit the agent to ${safe.cpuCores} CPU (overhead ${pct(safe.overheadPct)}; unlimited ${pct(unl.overheadPct)}, pinned ${pct(pin.overheadPct)})`;
  } else if (!pin.starved) {
    recommendation = `no limit tried (up to ${limits.at(-1)} CPU) avoids losses; pin the agent to ${pin.cpuCores} dedicated CPU (overhead ${pct(pin.overheadPct)})`;
  } else {
    recommendation = `neither a limit up to ${limits.at(-1)} CPU nor pinning avoids losses; run the agent unlimited (overhead ${pct(unl.overheadPct)}, lost ${unl.lostPerS.mean.toFixed(0)}/s) or sample`;
  }
  return {
    query: "reserve",
    spec: base,
    calibration: calibration!,
    replications: opts.replications,
    criteria: { maxLostPerS, maxThrottledPct },
    options: out,
    smallestSafeLimit: safe?.cpuCores ?? null,
    recommendation,
  };
}
