/**
 * `reserve(spec)`: how much CPU to reserve for the agent. Compares a CPU limit (CFS bandwidth) over a
 * range of limits with no limit and with pinned (exclusive) CPUs, and recommends only a placement
 * that carries the agent's demand: the smallest limit under which the agent is not starved (mean
 * lost/s below `maxLostPerS`, reader throttled less than `maxThrottledPct` of the time); else the
 * fewest pinned CPUs that lose nothing and that its threads (reader and workers, which can use at most
 * those CPUs) use less than `maxPinnedUsePct` of (at capacity the reader is behind and its buffers only
 * hold the backlog off for a while); else no limit.
 *
 * The limited and pinned placements are built here (names `limited-<cores>`, `pinned-<cpus>`), with
 * the CFS period of the shipped `limited` placement and the exclusivity of the shipped `pinned` one,
 * and checked with validateProfile like any profile file.
 */
import type { Estimate } from "../engine/index.ts";
import { loadPlacement, validateProfile } from "../models/load.ts";
import type { Placement } from "../models/types.ts";
import { ScenarioError } from "../node/costs.ts";
import { buildScenario, type ScenarioSpec } from "../node/scenario.ts";
import { MANY_RUNS, type CalibrationRef, type QueryRunOptions } from "./common.ts";
import { predictScenario } from "./predict.ts";

export interface ReserveOptions extends QueryRunOptions {
  /** CPU limits to try, in cores. @defaultValue [0.1, 0.25, 0.5, 1, 2, 4] */
  limits?: number[];
  /** @defaultValue 1 (lost events/s) */
  maxLostPerS?: number;
  /** @defaultValue 5 (% of the time) */
  maxThrottledPct?: number;
  /** Dedicated CPU counts to try pinned (those below the node's vCPUs). @defaultValue [1, 2, 4] */
  pinnedCpus?: number[];
  /** A pinned agent is starved when its threads use this % of its CPUs or more. @defaultValue 90 */
  maxPinnedUsePct?: number;
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
  nodeCpuPct: Estimate;
  nodeCpuCores: Estimate;
  lostPct: Estimate;
  starved: boolean;
}

export interface ReserveAnswer {
  query: "reserve";
  spec: Omit<ScenarioSpec, "placement">;
  calibration: CalibrationRef;
  replications: number;
  criteria: { maxLostPerS: number; maxThrottledPct: number; maxPinnedUsePct: number };
  options: ReserveOption[];
  /** The smallest limit that does not starve the agent (null when none of the limits tried). */
  smallestSafeLimit: number | null;
  /** The fewest pinned CPUs that carry the agent's demand (null when none tried does). */
  smallestSafePinned: number | null;
  /** The option recommended: one that carries the agent's demand, or `unlimited` when none tried does (the recommendation says so). */
  recommended: string;
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

/** A pinned placement with `cpus` dedicated CPUs, validated against the placement schema. */
export function pinnedPlacement(cpus: number, exclusive = true): Placement {
  return validateProfile(
    "placement",
    {
      name: `pinned-${cpus}`,
      kind: "pinned",
      description: `The agent pinned to ${cpus} dedicated CPU(s) (CPUManager static policy, request = limit = ${cpus}).`,
      dedicatedCpus: cpus,
      exclusive,
    },
    `placement pinned-${cpus}`,
  );
}

export function reserve(spec: ScenarioSpec, options: ReserveOptions = {}): ReserveAnswer {
  const limits = [...(options.limits ?? [0.1, 0.25, 0.5, 1, 2, 4])].sort((a, b) => a - b);
  for (const l of limits) if (!(l > 0)) throw new ScenarioError(`reserve: limit = ${l}: must be > 0 cores`);
  const maxLostPerS = options.maxLostPerS ?? 1;
  const maxThrottledPct = options.maxThrottledPct ?? 5;
  const maxPinnedUsePct = options.maxPinnedUsePct ?? 90;
  if (!(maxPinnedUsePct > 0 && maxPinnedUsePct <= 100)) throw new ScenarioError(`reserve: maxPinnedUsePct = ${maxPinnedUsePct}: must be in (0, 100]`);
  const pinnedCpus = [...(options.pinnedCpus ?? [1, 2, 4])].sort((a, b) => a - b);
  for (const k of pinnedCpus) if (!(Number.isInteger(k) && k >= 1)) throw new ScenarioError(`reserve: pinned CPUs = ${k}: must be an integer >= 1`);
  const opts = {
    seed: options.seed ?? MANY_RUNS.seed,
    replications: options.replications ?? MANY_RUNS.replications,
    durationS: options.durationS ?? MANY_RUNS.durationS,
    maxIterations: options.maxIterations,
  };
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
      nodeCpuPct: p.nodeCpuPct,
      nodeCpuCores: p.nodeCpuCores,
      lostPct: p.health.lostPct,
      starved:
        starved(p.lostPerS, p.throttledPct) || (placement.kind === "pinned" && p.agentCpuCores.mean >= (maxPinnedUsePct / 100) * placement.dedicatedCpus),
    });
  };
  for (const l of limits) run(limitedPlacement(l, cfsPeriodUs), l);
  run(loadPlacement("unlimited"), null);
  const shipped = loadPlacement("pinned");
  const exclusive = shipped.kind === "pinned" ? (shipped.exclusive ?? true) : true;
  const vcpus = buildScenario({ ...base, placement: "unlimited" }).hardware.vcpus;
  const pinTried = pinnedCpus.filter((k) => k < vcpus);
  for (const k of pinTried) run(pinnedPlacement(k, exclusive), k);
  const safe = out.find((o) => o.kind === "limited" && !o.starved) ?? null;
  const pin = out.find((o) => o.kind === "pinned" && !o.starved) ?? null;
  const unl = out.find((o) => o.kind === "unlimited")!;
  const pct = (e: Estimate) => `${e.mean.toFixed(2)}%`;
  const cpu = (o: ReserveOption) => `its threads use ${o.agentCpuCores.mean.toFixed(2)} cores, node CPU ${o.nodeCpuPct.mean.toFixed(2)}%`;
  let recommendation: string;
  let recommended: ReserveOption;
  if (safe) {
    recommended = safe;
    recommendation = `limit the agent to ${safe.cpuCores} CPU: it carries the agent's demand (${cpu(safe)}, overhead ${pct(safe.overheadPct)}; unlimited takes ${unl.agentCpuCores.mean.toFixed(2)} cores)`;
  } else if (pin) {
    recommended = pin;
    recommendation = `no limit tried (up to ${limits.at(-1)} CPU) avoids losses; pin the agent to ${pin.cpuCores} dedicated CPU(s): they carry its demand (${cpu(pin)}, ${((100 * pin.agentCpuCores.mean) / pin.cpuCores!).toFixed(0)}% of them)`;
  } else {
    recommended = unl;
    const tried = pinTried.length > 0 ? `nor pinning to ${pinTried.join(", ")} CPU(s)` : "and the node is too small to pin";
    recommendation =
      `neither a limit up to ${limits.at(-1)} CPU ${tried} carries the agent's demand (${unl.agentCpuCores.mean.toFixed(2)} cores unlimited); ` +
      `run the agent unlimited (${cpu(unl)}, lost ${unl.lostPerS.mean.toFixed(0)}/s) or sample`;
  }
  return {
    query: "reserve",
    spec: base,
    calibration: calibration!,
    replications: opts.replications,
    criteria: { maxLostPerS, maxThrottledPct, maxPinnedUsePct },
    options: out,
    smallestSafeLimit: safe?.cpuCores ?? null,
    smallestSafePinned: pin?.cpuCores ?? null,
    recommended: recommended.placement,
    recommendation,
  };
}
