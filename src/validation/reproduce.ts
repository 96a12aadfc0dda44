/**
 * `reproduce`: every row of the field study's tables, published beside predicted, with the error.
 *
 * How each row becomes a scenario (all profiles from models/, nothing from the seed but the row's
 * own workload description and the published baselines):
 * - node: the Azure Dsv5 shape with the row's core count, at the documented defaults of the study's
 *   unknowns (models/unknowns/field-study.json); tool: retina-perf, or retina-ringbuf for the ring
 *   buffer row; placement: "limited" for the default deployment (Kubernetes CPU limit), "unlimited"
 *   and "pinned" for the other two rows.
 * - receive costs: one receiver on one VM family pays the same per-byte work on every size, so the
 *   family's two scales (softirq part, application part; node/family-fit.ts) are fitted on the
 *   published baselines of the 16- and 32-core nodes together. Those baseline rows are inputs
 *   (status "fitted-input", not counted). Where a row publishes a baseline, that traffic is offered
 *   to the node (the 4-core node's 0.2 Gb/s is far below what the family's costs let it carry: it
 *   was offered that much); the 64-core row has none and saturates. The with-agent throughputs and
 *   overheads are predictions.
 * Overheads are compared in percentage points; event and wakeup rates in percent.
 */
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import type { Estimate } from "../engine/index.ts";
import { buildScenario, DEFAULT_CALIBRATION, type ScenarioSpec } from "../node/scenario.ts";
import { simulate, type SimulateOptions, type SimulationResult } from "../node/simulate.ts";
import { fitFamily, type FamilyFit } from "../node/family-fit.ts";
import { MECHANISM_NAMES, type Mechanism } from "../node/mechanisms.ts";
import { loadUnknowns, type Unknown } from "./unknowns.ts";
import { EVENT_RATES_NODE, loadSeed, SEED_TABLES, type SeedData } from "./seed.ts";

export type RowStatus = "predicted" | "fitted-input" | "not-comparable";

export interface ReproduceRow {
  table: string;
  label: string;
  metric: "baseline_gbps" | "with_tool_gbps" | "reduction_pct" | "events_per_s" | "wakeup_ratio" | "context_switches_per_s";
  published: number;
  /** How the published figure is stated ("=", "~", ">"). */
  publishedQualifier: "=" | "~" | ">";
  predicted: Estimate;
  /** predicted - published, in `errorUnit`. */
  error: number;
  errorUnit: "pp" | "%" | "Gb/s";
  status: RowStatus;
  /** For counted overhead rows: |error| <= 5 pp. For ">" rows: whether the prediction exceeds it. */
  withinGoal: boolean | null;
  /**
   * The row's scenario; offeredGbps is the published baseline it was offered at (absent: the node
   * saturates with the family's receive costs).
   */
  scenario: {
    hardware: string;
    tool: string;
    placement: string;
    workload: string;
    offeredGbps?: number;
    /** The family's fitted receive-cost scales the row ran with. */
    receiveCostScale: number;
    mobileCostScale: number;
  };
}

export interface ReproduceResult {
  source: string;
  calibration: string;
  options: SimulateOptions;
  rows: ReproduceRow[];
  summary: {
    countedRows: number;
    withinGoal: number;
    meanAbsErrorPp: number;
    worstAbsErrorPp: number;
    /** Predicted with-agent throughput order of the 32-core scenarios, lowest first. */
    predictedOrder: string[];
    /** Published order: no limits < default < pinned < ring buffer. */
    orderingPreserved: boolean;
  };
  /**
   * The node family's receive costs (node/family-fit.ts), fitted on the published baselines of the
   * 16- and 32-core nodes (fitted-input rows): the scales every row runs with, and the baselines the
   * fit gives back.
   */
  family: FamilyBaselines & { fit: FamilyFit };
  /** Attribution of the 32-core default row's overhead, in percentage points per mechanism. */
  attribution32: Record<string, Estimate>;
  /** The same for every 32-core scenario with the agent, by the study's scenario label. */
  attribution32ByScenario: Record<string, Record<string, Estimate>>;
  /** Share of the 32-core default row's records its agent's buffers lost (lost / outputs, means). */
  lostShare32: number;
  /** The same on the node the study's bpftrace rates were taken on (seed.ts EVENT_RATES_NODE). */
  lostShareRatesNode: number;
  /**
   * Delay the agent's hooks add to each skb's softirq processing (SimulationResult.skbDelayP50Us /
   * P99Us), for every row simulated with the agent, keyed "table|label".
   */
  skbDelayUs: Record<string, { p50: Estimate; p99: Estimate }>;
  /**
   * For each counted overhead row ("table|label"), what its agent's buffers took in and gave out
   * (means over replications): records output per s (attempts, lost ones included), the share of
   * them lost to full buffers, the agent's CPU cores and the share of CFS periods it was throttled in.
   */
  delivery: Record<string, RowDelivery>;
  /**
   * For each counted overhead row ("table|label"), the band of its overhead over the study's
   * unknowns (models/unknowns/field-study.json), one unknown at a time at each value of its range:
   * epistemic uncertainty, apart from the replication interval. Present with `band: true`.
   */
  band?: Record<string, RowBand>;
  /**
   * For each counted overhead row, its overhead (pp) with each mechanism switched off in turn
   * (node/mechanisms.ts), beside the overhead with all on. Present with `ablate: true`.
   */
  ablation?: { mechanisms: Mechanism[]; rows: Record<string, { all: number; without: Record<string, number> }> };
}

export interface RowDelivery {
  outputsPerS: number;
  lostShare: number;
  /** Records that reached the reader per s: outputsPerS less the lost ones. */
  deliveredPerS: number;
  agentCores: number;
  throttledPct: number;
}

export interface RowBand {
  published: number;
  atDefaults: number;
  low: number;
  high: number;
  /** Whether the published figure lies inside [low, high]. */
  covers: boolean;
  /** Overhead at each non-default value of each unknown. */
  byUnknown: Record<string, { value: string | number | boolean; overheadPct: number }[]>;
  /**
   * The unknowns together: each set to the value that raised (for `high`) or lowered (for `low`) the
   * row's overhead most when it moved alone (left at its default where none did), all at once. The
   * band over the ranges is not the one-at-a-time band when effects add up; these two corners are its
   * estimate, exact when each unknown's effect is monotone and does not reverse with the others.
   */
  joint: { low: number; high: number; lowAt: Record<string, string | number | boolean>; highAt: Record<string, string | number | boolean>; covers: boolean };
}

/** How a counted overhead row becomes a scenario. */
interface RowSpec {
  key: string;
  published: number;
  cores: number;
  tool: string;
  placement: string;
  /** The row's published baseline, offered to the node; absent: the node saturates. */
  offeredGbps?: number;
}

/** The nodes whose published baselines fit the family's receive costs: every core count with one and an agent row. */
export interface FamilyBaselines {
  points: { cores: number; gbps: number }[];
}

export interface ReproduceOptions extends SimulateOptions {
  /** Calibration host class or file. @defaultValue DEFAULT_CALIBRATION (the measured host calibration) */
  calibration?: string;
  /** Seed data file. @defaultValue validation/seed-retina-kubecon.json */
  seedFile?: string;
  /** Also run the band over the study's unknowns. @defaultValue false */
  band?: boolean;
  /** Also run the ablation (each mechanism off in turn). @defaultValue false */
  ablate?: boolean;
  /**
   * Replications and duration of each band/ablation run (far more runs than the main table, so
   * fewer replications). @defaultValue { replications: 2, durationS: the main runs' }
   */
  sweepReplications?: number;
  /** Unknowns' file. @defaultValue models/unknowns/field-study.json */
  unknownsFile?: string;
  /** reproduceParallel only: worker threads. @defaultValue os.availableParallelism() */
  workers?: number;
}

/** The study's node of each core count: the Azure Dsv5 shape with that many vCPUs. */
export const SHAPE: Record<number, string> = {
  4: "azure-d4s-v5",
  8: "azure-d8s-v5",
  16: "azure-d16s-v5",
  32: "azure-d32s-v5",
  48: "azure-d48s-v5",
  64: "azure-d64s-v5",
  96: "azure-d96s-v5",
};

export function reproduce(options: ReproduceOptions = {}): ReproduceResult {
  return reproduceWith(options, { results: new Map(), fits: new Map() });
}

/**
 * What one reproduce pass shares: the simulations already run (keyed by `simKey`: identical
 * scenarios with identical options run once), the family fits by their overrides, and, for the dry
 * pass of `reproduceParallel`, a recorder that takes each simulation asked for instead of running it.
 */
interface Shared {
  results: Map<string, SimulationResult>;
  fits: Map<string, FamilyFit>;
  record?: (key: string, job: SimJob) => SimulationResult;
  recordFit?: (key: string, job: FitJob) => FamilyFit;
}

/** One simulation of a reproduce run: a complete scenario spec (the family's scales set) and its options. */
export interface SimJob {
  kind: "sim";
  spec: ScenarioSpec;
  options: SimulateOptions;
}

/** One fit of the node family's receive costs (node/family-fit.ts) under a run's overrides. */
export interface FitJob {
  kind: "fit";
  points: { spec: ScenarioSpec; observedGbps: number }[];
  seed: number;
}

export function runFitJob(job: FitJob): FamilyFit {
  return fitFamily(
    job.points.map((p) => ({ scenario: buildScenario(p.spec), observedGbps: p.observedGbps })),
    job.seed,
  );
}

export function runSimJob(job: SimJob): SimulationResult {
  return simulate(buildScenario(job.spec), job.options);
}

function reproduceWith(options: ReproduceOptions, shared: Shared): ReproduceResult {
  const { calibration = DEFAULT_CALIBRATION, seedFile, band, ablate, sweepReplications, unknownsFile, workers: _w, ...simOptions } = options;
  const seed: SeedData = loadSeed(seedFile);
  const cache = new Map<string, SimulationResult>();
  const observedOf = new Map<SimulationResult, number | undefined>();
  const base32 = seed.scenarios_32_cores.find((s) => s.reduction_pct === 0);
  const observed = base32?.gbps;
  // the family's receive costs are fitted on the baselines of the nodes large enough to be CPU-bound
  // (the 4-core node's 0.2 Gb/s is far below what any CPU-bound fit of the others gives it: it was
  // offered that much, and is an input, not a fit point)
  const family: FamilyBaselines = {
    points: seed.throughput_by_core_count_perf_array
      .filter((r) => r.baseline_gbps !== undefined && r.cores >= 16)
      .map((r) => ({ cores: r.cores, gbps: r.baseline_gbps! })),
  };
  const specOf = (key: string, published: number, cores: number, tool: string, placement: string, offeredGbps: number | undefined): RowSpec => ({
    key,
    published,
    cores,
    tool,
    placement,
    // a node the family was fitted on carries what the fit gives it (its closed-loop receiver takes
    // all it can); another node with a published baseline is offered that traffic
    ...(offeredGbps !== undefined && !family.points.some((p) => p.cores === cores) ? { offeredGbps } : {}),
  });
  const fits = shared.fits;
  const fitFor = (extra: Partial<ScenarioSpec>): FamilyFit => {
    // the baseline does not depend on the agent: its Go version and the agent-side switches are left out
    const { goVersion: _g, ...rest } = extra;
    const nodeOnly = {
      ...rest,
      ...(rest.disabled ? { disabled: rest.disabled.filter((d) => d === "rxChannelPool" || d === "ksoftirqd" || d === "vmExits") } : {}),
    };
    // channels above the largest fitted node's vCPUs run as its vCPUs on every fitted node (rxChannelCount: min(vCPUs, channels))
    const maxCores = Math.max(...family.points.map((p) => p.cores));
    const key = JSON.stringify(nodeOnly.rxChannels !== undefined && nodeOnly.rxChannels > maxCores ? { ...nodeOnly, rxChannels: maxCores } : nodeOnly);
    let f = fits.get(key);
    if (f === undefined) {
      const job: FitJob = {
        kind: "fit",
        points: family.points.map((p) => ({ spec: { hardware: SHAPE[p.cores], tool: "none", calibration, ...nodeOnly }, observedGbps: p.gbps })),
        seed: simOptions.seed ?? 1,
      };
      if (shared.recordFit !== undefined) return shared.recordFit(key, job);
      f = runFitJob(job);
      fits.set(key, f);
    }
    return f;
  };
  const ctx: RowContext = { calibration, fitFor, shared };
  const specs: RowSpec[] = [];
  const run = (cores: number, tool: string, placement: string, observedGbps: number | undefined): SimulationResult => {
    const spec = specOf("", 0, cores, tool, placement, observedGbps);
    const key = JSON.stringify(spec);
    let r = cache.get(key);
    if (r === undefined) {
      r = simulateRow(spec, {}, ctx, simOptions);
      cache.set(key, r);
      observedOf.set(r, observedGbps);
    }
    return r;
  };
  const rows: ReproduceRow[] = [];
  const skbDelayUs: ReproduceResult["skbDelayUs"] = {};
  const delivery: ReproduceResult["delivery"] = {};
  const push = (
    table: string,
    label: string,
    metric: ReproduceRow["metric"],
    published: number,
    qualifier: ReproduceRow["publishedQualifier"],
    r: SimulationResult,
    predicted: Estimate,
    status: RowStatus,
  ) => {
    if (r.scenario.tool !== null) skbDelayUs[`${table}|${label}`] = { p50: r.skbDelayP50Us, p99: r.skbDelayP99Us };
    if (r.scenario.tool !== null && status === "predicted" && metric === "reduction_pct") {
      delivery[`${table}|${label}`] = {
        outputsPerS: r.eventsPerS.mean,
        lostShare: r.eventsPerS.mean > 0 ? r.lostPerS.mean / r.eventsPerS.mean : 0,
        deliveredPerS: r.eventsPerS.mean - r.lostPerS.mean,
        agentCores: r.agentCpuCores.mean,
        throttledPct: r.throttledPct.mean,
      };
    }
    const unit: ReproduceRow["errorUnit"] = metric === "reduction_pct" ? "pp" : metric.endsWith("gbps") ? "Gb/s" : "%";
    const error = unit === "%" ? (100 * (predicted.mean - published)) / published : predicted.mean - published;
    let withinGoal: boolean | null = null;
    if (qualifier === ">") withinGoal = predicted.mean > published;
    else if (status === "predicted" && metric === "reduction_pct") withinGoal = Math.abs(error) <= 5;
    rows.push({
      table,
      label,
      metric,
      published,
      publishedQualifier: qualifier,
      predicted,
      error,
      errorUnit: unit,
      status,
      withinGoal,
      scenario: {
        hardware: r.scenario.hardware,
        tool: r.scenario.tool ?? "none",
        placement: r.scenario.placement,
        workload: r.scenario.workload,
        ...(observedOf.get(r) === undefined ? {} : { offeredGbps: observedOf.get(r) }),
        receiveCostScale: fitFor({}).receiveCostScale,
        mobileCostScale: fitFor({}).mobileCostScale,
      },
    });
  };

  // Table 1: throughput by core count, perf array, default deployment
  const t1 = SEED_TABLES.byCores;
  for (const row of seed.throughput_by_core_count_perf_array) {
    const r = run(row.cores, "retina-perf", "limited", row.baseline_gbps);
    const label = `${row.cores} cores`;
    if (row.baseline_gbps !== undefined) {
      push(t1, label, "baseline_gbps", row.baseline_gbps, "=", r, r.baselineGbps, "fitted-input");
      if (row.with_tool_gbps !== undefined) push(t1, label, "with_tool_gbps", row.with_tool_gbps, "=", r, r.withAgentGbps, "predicted");
    }
    const pct = row.reduction_pct ?? row.reduction_pct_approx;
    if (pct !== undefined) {
      push(t1, label, "reduction_pct", pct, row.reduction_pct === undefined ? "~" : "=", r, r.overheadPct, "predicted");
      specs.push(specOf(`${t1}|${label}`, pct, row.cores, "retina-perf", "limited", row.baseline_gbps));
    }
  }

  // Table 2: the 32-core scenarios
  const t2 = SEED_TABLES.scenarios32;
  const map: [RegExp, string, string][] = [
    [/no cpu limits/i, "retina-perf", "unlimited"],
    [/pinned/i, "retina-perf", "pinned"],
    [/ring buffer/i, "retina-ringbuf", "limited"],
    [/default/i, "retina-perf", "limited"],
  ];
  const order: { label: string; gbps: number }[] = [];
  const attribution32ByScenario: Record<string, Record<string, Estimate>> = {};
  for (const s of seed.scenarios_32_cores) {
    if (s === base32) {
      const r = run(32, "none", "limited", observed);
      push(t2, s.scenario, "baseline_gbps", s.gbps, "=", r, r.baselineGbps, "fitted-input");
      continue;
    }
    const m = map.find(([re]) => re.test(s.scenario));
    if (m === undefined) throw new RangeError(`reproduce: no scenario mapping for "${s.scenario}"`);
    const r = run(32, m[1], m[2], observed);
    push(t2, s.scenario, "with_tool_gbps", s.gbps, "=", r, r.withAgentGbps, "predicted");
    push(t2, s.scenario, "reduction_pct", s.reduction_pct, "=", r, r.overheadPct, "predicted");
    specs.push(specOf(`${t2}|${s.scenario}`, s.reduction_pct, 32, m[1], m[2], observed));
    order.push({ label: s.scenario, gbps: r.withAgentGbps.mean });
    attribution32ByScenario[s.scenario] = r.attribution;
  }

  // Table 3: the bpftrace run's event and wakeup rates, perf array, default deployment, on the node
  // the study's debugging section ran on (seed.ts EVENT_RATES_NODE), then on the 32-core node
  const t3 = SEED_TABLES.eventRates;
  const w = seed.wakeups_32_cores_perf_array;
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const rateNodes = [EVENT_RATES_NODE.cores as number, 32].filter((c, i, a) => a.indexOf(c) === i);
  const lostShare: Record<number, number> = {};
  for (const cores of rateNodes) {
    const published = seed.throughput_by_core_count_perf_array.find((row) => row.cores === cores)?.baseline_gbps;
    const r = run(cores, "retina-perf", "limited", published);
    const where = cores === EVENT_RATES_NODE.cores ? `${cores}-vCPU node (the map's max_entries)` : `${cores}-core node`;
    push(
      t3,
      `perf_event_output per s (median of published samples), ${where}`,
      "events_per_s",
      median(w.perf_event_output_per_s),
      "=",
      r,
      r.eventsPerS,
      "predicted",
    );
    const ratio: Estimate = {
      ...r.wakeupsPerS,
      mean: r.wakeupsPerS.mean / r.eventsPerS.mean,
      halfWidth: r.wakeupsPerS.halfWidth / r.eventsPerS.mean,
      low: r.wakeupsPerS.low / r.eventsPerS.mean,
      high: r.wakeupsPerS.high / r.eventsPerS.mean,
    };
    push(t3, `perf_event_wakeup / perf_event_output, ${where}`, "wakeup_ratio", w.wakeup_ratio_approx, "~", r, ratio, "predicted");
    lostShare[cores] = r.eventsPerS.mean > 0 ? r.lostPerS.mean / r.eventsPerS.mean : 0;
  }
  const r32 = run(32, "retina-perf", "limited", observed);
  const rUnl = run(32, "retina-perf", "unlimited", observed);
  const cs = Number(seed.context_switches_per_s_no_cpu_limits.replace(/[^0-9.]/g, ""));
  push(
    t3,
    "context switches per s, no CPU limits (published: whole node; predicted: agent threads)",
    "context_switches_per_s",
    cs,
    ">",
    rUnl,
    rUnl.contextSwitchesPerS,
    "predicted",
  );

  const counted = rows.filter((r) => r.status === "predicted" && r.metric === "reduction_pct");
  const absErr = counted.map((r) => Math.abs(r.error));
  const predictedOrder = [...order].sort((a, b) => a.gbps - b.gbps).map((o) => o.label);
  const want = [/no cpu limits/i, /default/i, /pinned/i, /ring buffer/i];
  const orderingPreserved = predictedOrder.length === want.length && predictedOrder.every((l, i) => want[i].test(l));
  return {
    source: seed.source,
    calibration,
    options: simOptions,
    rows,
    summary: {
      countedRows: counted.length,
      withinGoal: counted.filter((r) => r.withinGoal).length,
      meanAbsErrorPp: absErr.reduce((a, b) => a + b, 0) / Math.max(1, absErr.length),
      worstAbsErrorPp: Math.max(0, ...absErr),
      predictedOrder,
      orderingPreserved,
    },
    family: { points: family.points, fit: fitFor({}) },
    attribution32: r32.attribution,
    attribution32ByScenario,
    lostShare32: lostShare[32],
    lostShareRatesNode: lostShare[EVENT_RATES_NODE.cores],
    skbDelayUs,
    delivery,
    ...(band ? { band: bandOver(specs, rows, ctx, sweepOptions(simOptions, sweepReplications), loadUnknowns(unknownsFile)) } : {}),
    ...(ablate ? { ablation: ablation(specs, rows, ctx, sweepOptions(simOptions, sweepReplications)) } : {}),
  };
}

/**
 * `reproduce` with its family fits and simulations on worker threads: the same result, value for
 * value (the CLI's `reproduce` runs this). A dry pass of it with placeholder fits lists every fit it
 * will ask for, and a second dry pass with the real fits every simulation; each list runs on
 * `workers` threads, longest first. Only the band's joint corners depend on simulated values (which
 * unknown values they combine), so the passes repeat, with what is done kept, until a round lists
 * nothing new (two rounds with a band). The last pass is reproduce itself, finding each fit and
 * simulation done. One a dry pass had missed would run in the calling thread: the output never
 * depends on the plan.
 */
export async function reproduceParallel(options: ReproduceOptions = {}): Promise<ReproduceResult> {
  const threads = options.workers ?? availableParallelism();
  // started first: the threads load while the dry passes run
  const pool =
    threads > 1
      ? new Piscina({
          filename: new URL("./reproduce-worker.ts", import.meta.url).href,
          // resolved from this package, not from the current directory (which may have no node_modules)
          execArgv: ["--import", import.meta.resolve("tsx")],
          minThreads: threads,
          maxThreads: threads,
        })
      : null;
  const runAll = async <J extends SimJob | FitJob, R>(jobs: Map<string, J>, cost: (j: J) => number, local: (j: J) => R): Promise<Map<string, R>> => {
    const out = new Map<string, R>();
    // longest first, so no thread is left with a long one at the end
    const order = [...jobs].sort((a, b) => cost(b[1]) - cost(a[1]));
    if (pool === null) for (const [key, job] of order) out.set(key, local(job));
    else await Promise.all(order.map(async ([key, job]) => out.set(key, (await pool.run(job)) as R)));
    return out;
  };
  try {
    // rounds of dry passes until one asks for nothing new: the band's joint corners depend on the
    // one-at-a-time results, so their fits and simulations are only listed once those are in
    const fits = new Map<string, FamilyFit>();
    const results = new Map<string, SimulationResult>();
    const cost = (j: SimJob) => (j.options.replications ?? 5) * (j.options.durationS ?? 0.22) * (shapeVcpus(j.spec.hardware) ?? 1);
    for (let round = 0; round < 4; round++) {
      // 1. the family fits the run needs (a dry pass with placeholder fits and results), on the threads
      const fitJobs = new Map<string, FitJob>();
      reproduceWith(options, {
        results: new Map(results),
        fits: new Map(fits),
        record: () => PLACEHOLDER,
        recordFit: (key, job) => (fitJobs.set(key, job), PLACEHOLDER_FIT),
      });
      for (const [k, f] of await runAll(fitJobs, () => 1, runFitJob)) fits.set(k, f);
      // 2. the simulations (a dry pass with the real fits), on the threads
      const simJobs = new Map<string, SimJob>();
      reproduceWith(options, { results: new Map(results), fits: new Map(fits), record: (key, job) => (simJobs.set(key, job), PLACEHOLDER) });
      for (const [k, r] of await runAll(simJobs, cost, runSimJob)) results.set(k, r);
      if (fitJobs.size === 0 && simJobs.size === 0) break;
    }
    // 3. reproduce itself, every fit and simulation found done
    return reproduceWith(options, { results, fits });
  } finally {
    await pool?.destroy();
  }
}

/** vCPUs of a SHAPE node by name. */
function shapeVcpus(hardware: string): number | undefined {
  const e = Object.entries(SHAPE).find(([, name]) => name === hardware);
  return e === undefined ? undefined : Number(e[0]);
}

/** The dry pass's stand-in for every simulation result: every estimate NaN. */
const NAN_ESTIMATE: Estimate = { mean: NaN, halfWidth: NaN, low: NaN, high: NaN, n: 0 };
const PLACEHOLDER: SimulationResult = new Proxy({} as SimulationResult, {
  get: (_t, k) => (k === "scenario" ? { hardware: "", tool: "", placement: "", workload: "", calibration: "" } : k === "attribution" ? {} : NAN_ESTIMATE),
});
const PLACEHOLDER_FIT: FamilyFit = { receiveCostScale: NaN, mobileCostScale: NaN, logRms: NaN, baselines: [] };

function sweepOptions(o: SimulateOptions, replications: number | undefined): SimulateOptions {
  return { ...o, replications: replications ?? 2 };
}

/** Simulates one row's scenario with overrides (the unknowns' values, switched-off mechanisms). */
interface RowContext {
  calibration: string;
  fitFor: (extra: Partial<ScenarioSpec>) => FamilyFit;
  shared: Shared;
}

/**
 * Simulates one row's scenario with overrides (the unknowns' values, switched-off mechanisms): the
 * family's receive costs (refitted under the same overrides), offered the row's published baseline
 * where it has one.
 */
function simulateRow(spec: RowSpec, extra: Partial<ScenarioSpec>, ctx: RowContext, o: SimulateOptions): SimulationResult {
  const hardware = SHAPE[spec.cores];
  if (hardware === undefined) throw new RangeError(`reproduce: no hardware profile for ${spec.cores} cores`);
  const f = ctx.fitFor(extra);
  const full: ScenarioSpec = {
    hardware,
    tool: spec.tool,
    placement: spec.placement,
    trafficGbps: spec.offeredGbps,
    calibration: ctx.calibration,
    receiveCostScale: f.receiveCostScale,
    mobileCostScale: f.mobileCostScale,
    ...extra,
  };
  const key = simKey(full, o, spec.cores);
  let r = ctx.shared.results.get(key);
  if (r === undefined) {
    r = ctx.shared.record !== undefined ? ctx.shared.record(key, { kind: "sim", spec: full, options: o }) : runSimJob({ kind: "sim", spec: full, options: o });
    ctx.shared.results.set(key, r);
  }
  return r;
}

/**
 * The key of one simulation: its spec and options, with what cannot change the run made equal. A
 * receive channel count above the node's vCPUs runs as the vCPUs (kernel/rx-channels.ts
 * rxChannelCount: min(vCPUs, channels)), so the band's 16, 32 and 64 channels on a 16-core node are
 * one run (its result differs only in `rxChannels.rule`'s wording, which reproduce does not read).
 * (SHAPE's node of `cores` cores has `cores` vCPUs.)
 */
function simKey(spec: ScenarioSpec, o: SimulateOptions, vcpus: number): string {
  const s = spec.rxChannels !== undefined && spec.rxChannels > vcpus ? { ...spec, rxChannels: vcpus } : spec;
  return JSON.stringify([s, o]);
}

/** The value an unknown takes in a scenario spec. */
function overrideOf(u: Unknown, value: string | number | boolean): Partial<ScenarioSpec> {
  return { [u.name]: value } as Partial<ScenarioSpec>;
}

function bandOver(specs: RowSpec[], rows: ReproduceRow[], ctx: RowContext, o: SimulateOptions, unknowns: Unknown[]): Record<string, RowBand> {
  const out: Record<string, RowBand> = {};
  for (const spec of specs) {
    const row = rows.find((r) => `${r.table}|${r.label}` === spec.key && r.metric === "reduction_pct");
    const atDefaults = row?.predicted.mean ?? NaN;
    const byUnknown: RowBand["byUnknown"] = {};
    let low = atDefaults;
    let high = atDefaults;
    for (const u of unknowns) {
      if (u.name === "goVersion" && spec.tool !== "retina-perf" && spec.tool !== "retina-ringbuf") continue;
      byUnknown[u.name] = [];
      for (const v of u.values) {
        if (v === u.default) continue;
        const r = simulateRow(spec, overrideOf(u, v), ctx, o);
        byUnknown[u.name].push({ value: v, overheadPct: r.overheadPct.mean });
        low = Math.min(low, r.overheadPct.mean);
        high = Math.max(high, r.overheadPct.mean);
      }
    }
    // the corners: every unknown at the value that moved the overhead furthest each way on its own
    const highAt: Record<string, string | number | boolean> = {};
    const lowAt: Record<string, string | number | boolean> = {};
    for (const [name, xs] of Object.entries(byUnknown)) {
      let hi: (typeof xs)[number] | null = null;
      let lo: (typeof xs)[number] | null = null;
      for (const x of xs) {
        if (x.overheadPct > (hi?.overheadPct ?? atDefaults)) hi = x;
        if (x.overheadPct < (lo?.overheadPct ?? atDefaults)) lo = x;
      }
      if (hi !== null) highAt[name] = hi.value;
      if (lo !== null) lowAt[name] = lo.value;
    }
    const corner = (at: Record<string, string | number | boolean>, alone: number) =>
      Object.keys(at).length < 2 ? alone : simulateRow(spec, at as Partial<ScenarioSpec>, ctx, o).overheadPct.mean;
    const jHigh = Math.max(high, corner(highAt, high));
    const jLow = Math.min(low, corner(lowAt, low));
    const inside = (a: number, b: number) => spec.published >= a - 1e-9 && spec.published <= b + 1e-9;
    out[spec.key] = {
      published: spec.published,
      atDefaults,
      low,
      high,
      covers: inside(low, high),
      byUnknown,
      joint: { low: jLow, high: jHigh, lowAt, highAt, covers: inside(jLow, jHigh) },
    };
  }
  return out;
}

function ablation(specs: RowSpec[], rows: ReproduceRow[], ctx: RowContext, o: SimulateOptions): NonNullable<ReproduceResult["ablation"]> {
  const out: NonNullable<ReproduceResult["ablation"]> = { mechanisms: [...MECHANISM_NAMES], rows: {} };
  for (const spec of specs) {
    const row = rows.find((r) => `${r.table}|${r.label}` === spec.key && r.metric === "reduction_pct");
    const without: Record<string, number> = {};
    for (const m of MECHANISM_NAMES) without[m] = simulateRow(spec, { disabled: [m] }, ctx, o).overheadPct.mean;
    out.rows[spec.key] = { all: row?.predicted.mean ?? NaN, without };
  }
  return out;
}
