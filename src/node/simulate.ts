/**
 * `simulate(scenario, options)`: a node with and without the agent, over independent replications.
 *
 * Each replication draws the RSS imbalance, solves the baseline throughput (no agent), then
 * alternates a discrete-event run of the agent at the current throughput (node-run.ts) with the
 * throughput solver fed the agent's measured per-CPU costs (throughput.ts), until the throughput
 * moves by less than 0.5% or `maxIterations` runs were made. Every output is reported as a mean with
 * its Student-t 95% interval over the replications; a given seed gives the same result, bit for bit.
 */
import { confidenceInterval, RandomStreams, type Estimate } from "../engine/index.ts";
import type { CalibrationFile, HardwareProfile, Placement, ToolProfile, Workload } from "../models/types.ts";
import { rxQueues } from "../kernel/rx-queues.ts";
import { rxChannelCount } from "../kernel/rx-channels.ts";
import { saturatedSoftirqShare } from "../kernel/softirq.ts";
import { parseKernel } from "../kernel/version.ts";
import type { Mechanism } from "./mechanisms.ts";
import { COST_CATEGORIES, type CostCategory } from "../accounting/cpu-ledger.ts";
import { calibratedInVm, calibrationVmExitNs, costsFrom, ScenarioError } from "./costs.ts";
import { agentPlacement } from "./placement.ts";
import { runNode, type NodeRunOutput, type ReaderPreemption, type RunqueueWaitHistogram } from "./node-run.ts";
import { SIMULATION_FIELDS, type ReplicationFigures, type SimulationFields } from "./simulation-metrics.ts";
import { cpuBusy, cpuSoftirqShare, receiveCostScaleFor, solveThroughput, type Bottleneck, type ThroughputResult } from "./throughput.ts";

function checkWaitHistogram(h: RunqueueWaitHistogram, field: string): void {
  const bad = (where: string, v: unknown, why: string): never => {
    throw new ScenarioError(`${field}${where} = ${JSON.stringify(v)}: ${why}`, `${field}${where}`, v);
  };
  if (!Array.isArray(h) || h.length === 0) bad("", h, "must be a non-empty list of [low µs, high µs, count] bins");
  let total = 0;
  for (const [i, b] of h.entries()) {
    if (!Array.isArray(b) || b.length !== 3 || !b.every((x) => typeof x === "number" && Number.isFinite(x) && x >= 0)) {
      bad(`[${i}]`, b, "must be [low µs, high µs, count], finite numbers >= 0");
    }
    if (b[1] < b[0]) bad(`[${i}]`, b, "high must be >= low");
    total += b[2];
  }
  if (!(total > 0)) bad("", h, "the counts must not all be zero");
}

/** What to simulate: data from models/ (or built in code and checked with validateProfile). */
export interface Scenario {
  hardware: HardwareProfile;
  /** The agent; null simulates the node without one. */
  tool: ToolProfile | null;
  placement: Placement;
  workload: Workload;
  calibration: CalibrationFile;
  /** Mechanisms switched off (ablation, node/mechanisms.ts); omitted: all on. */
  disabled?: Mechanism[];
  /**
   * A what-if: the woken reader's wait for a CPU drawn at every wakeup from this measured
   * wakeup-to-run histogram ([low µs, high µs, count] bins; bpf/tools/wake-to-run.bt) instead of an
   * exponential of mean runqueueWaitNs on a busy CPU. Omitted: the exponential.
   */
  runqueueWaitUs?: RunqueueWaitHistogram;
  /**
   * A what-if: the running reader (on a CPU it does not own) preempted at `perRunningS` a second of
   * its running time, each stall drawn from the measured `stallUs` bins (bpf/tools/preempt-stalls.bt).
   * Omitted: never preempted while it runs.
   */
  readerPreemption?: ReaderPreemption;
}

export interface SimulateOptions {
  /**
   * Seed of replication 0; replication i uses seed + i.
   * @defaultValue 1
   */
  seed?: number;
  /**
   * Independent replications (>= 2 for a confidence interval).
   * @defaultValue 5
   */
  replications?: number;
  /**
   * Simulated seconds of each discrete-event run, warm-up included. The default leaves a measured
   * window of two CFS periods (2 x 100 ms), so a CPU-limited agent's throttling is seen whole.
   * @defaultValue 0.22
   */
  durationS?: number;
  /**
   * Simulated seconds discarded at the start of each run.
   * @defaultValue 0.02
   */
  warmupS?: number;
  /**
   * Discrete-event runs per replication in the throughput fixed point.
   * @defaultValue 4
   */
  maxIterations?: number;
}

/** Overhead taken from the application, split by mechanism, in percentage points of throughput. */
export type Attribution = Record<CostCategory | "dedicatedCpus", Estimate>;

/**
 * One scenario simulated with and without the agent. Its metrics (each an Estimate over the
 * replications), their units and meanings are declared once in node/simulation-metrics.ts
 * (SIMULATION_FIELDS), in the order the JSON gives them.
 */
export interface SimulationResult extends SimulationFields {
  scenario: { hardware: string; tool: string | null; placement: string; workload: string; calibration: string };
  options: Required<SimulateOptions>;
  /** Summed over all replications: attempted = consumed + lost + buffered. */
  conservation: { attempted: number; consumed: number; lost: number; buffered: number };
  /** What makes these figures less trustworthy than they look (e.g. a window shorter than the CFS period). */
  warnings: string[];
}

const DEFAULTS: Required<SimulateOptions> = { seed: 1, replications: 5, durationS: 0.22, warmupS: 0.02, maxIterations: 4 };

function checkOptions(o: SimulateOptions): Required<SimulateOptions> {
  const r = { ...DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  const bad = (field: string, v: unknown, what: string) => new ScenarioError(`simulate: ${field} = ${String(v)}: ${what}`);
  // a safe integer, and so is the last replication's seed: beyond 2^53 seed + i rounds to seed and every replication is the same run
  if (!Number.isSafeInteger(r.seed)) throw bad("seed", r.seed, `must be an integer of at most ${Number.MAX_SAFE_INTEGER} in magnitude`);
  if (!Number.isInteger(r.replications) || r.replications < 1 || r.replications > 1000) {
    throw bad("replications", r.replications, "must be an integer in [1, 1000]");
  }
  if (!Number.isSafeInteger(r.seed + r.replications))
    throw bad("seed", r.seed, `seed + replications must stay within ${Number.MAX_SAFE_INTEGER} so that every replication has its own seed`);
  if (!(r.durationS > 0 && r.durationS <= 3600)) throw bad("durationS", r.durationS, "must be in (0, 3600] seconds");
  if (!(r.warmupS >= 0 && r.warmupS < r.durationS)) throw bad("warmupS", r.warmupS, "must be >= 0 and below durationS");
  if (!Number.isInteger(r.maxIterations) || r.maxIterations < 1 || r.maxIterations > 50) {
    throw bad("maxIterations", r.maxIterations, "must be an integer in [1, 50]");
  }
  return r;
}

interface ReplicationOutput {
  /** What the metrics are computed from (SIMULATION_FIELDS' value functions). */
  figures: ReplicationFigures;
  bottleneck: { baseline: Bottleneck; withAgent: Bottleneck };
  totals: NodeRunOutput["totals"];
  /** Relative throughput move of the last fixed-point iteration (below 0.005: converged). */
  lastMove: number;
}

/** What a scenario's hardware, kernel and switches make of the node: channels, ksoftirqd share, the tool as run. */
interface NodeSetup {
  hw: HardwareProfile;
  tool: ToolProfile | null;
  kernel: ReturnType<typeof parseKernel>;
  channels: { channels: number; rule: string; documented: boolean };
  saturatedSoftirqShare: ((appBusyShare: number) => number) | undefined;
  epollLock: boolean;
  /** The receive path's inline softirq on the reader's CPU thins out its time (mechanism readerInterruptTime). */
  readerInterruptTime: boolean;
}

export function nodeSetup(s: Scenario): NodeSetup {
  const off = new Set(s.disabled ?? []);
  let hw = s.hardware;
  if (off.has("vmExits")) hw = { ...hw, vmExitNs: 0 };
  let tool = s.tool;
  if (tool !== null && (off.has("goRuntime") || off.has("readerRingScan"))) {
    const reader = { ...tool.reader };
    if (off.has("goRuntime")) delete reader.runtime;
    if (off.has("readerRingScan")) reader.scanAllRings = false;
    tool = { ...tool, reader };
  }
  const kernel = hw.kernel !== undefined ? parseKernel(hw.kernel) : null;
  if (hw.kernel !== undefined && kernel === null) {
    throw new ScenarioError(`hardware ${hw.name}: kernel = ${JSON.stringify(hw.kernel)}: must be a release like "5.15" or "6.8.0-1021-azure"`);
  }
  if (hw.nic.rxQueues === undefined && (hw.nic.driver === undefined || kernel === null)) {
    throw new ScenarioError(
      `hardware ${hw.name}: nic.rxQueues is not given, so nic.driver and kernel are needed (driver = ${String(hw.nic.driver)}, kernel = ${String(hw.kernel)})`,
    );
  }
  const channels = rxChannelCount(hw, kernel, off.has("rxChannelPool") ? hw.vcpus : undefined);
  const share = kernel !== null && !off.has("ksoftirqd") ? saturatedSoftirqShare(kernel, s.workload.receiverThreadsPerCpu ?? 1) : undefined;
  return { hw, tool, kernel, channels, saturatedSoftirqShare: share, epollLock: !off.has("epollLock"), readerInterruptTime: !off.has("readerInterruptTime") };
}

function replication(s0: Scenario, o: Required<SimulateOptions>, seed: number): ReplicationOutput {
  const setup = nodeSetup(s0);
  const s = { ...s0, hardware: setup.hw, tool: setup.tool };
  const hw = setup.hw;
  const phi = setup.saturatedSoftirqShare;
  const costs = costsFrom(s.calibration);
  const placement = agentPlacement(s.placement, hw);
  const queues = rxQueues(hw.vcpus, setup.channels.channels, s.workload.rssSkewCv, new RandomStreams(seed).stream("rss"));
  const zero = new Float64Array(hw.vcpus);
  const baseInput = {
    hw,
    workload: s.workload,
    costs,
    queues,
    appCpus: hw.vcpus,
    excludedCpu: -1,
    agentNsPerByte: zero,
    saturatedSoftirqShare: phi,
    mobileCostScale: s.workload.mobileCostScale ?? 1,
  };
  const receiveCostScale = s.workload.mode === "observed" ? receiveCostScaleFor(baseInput, s.workload.observedGbps ?? 0) : (s.workload.receiveCostScale ?? 1);
  const mobileCostScale = s.workload.mobileCostScale ?? 1;
  const uncapped = solveThroughput({ ...baseInput, receiveCostScale, mobileCostScale });
  // the window's rate: given, or the node's baseline (whatever bounds it) when not
  const win =
    s.workload.windowLimited === undefined
      ? undefined
      : { flows: s.workload.windowLimited.flows, gbps: s.workload.windowLimited.gbps ?? (uncapped.bytesPerS * 8) / 1e9 };
  const base = windowCap(uncapped, win, 0);
  const toGbps = (bytes: number) => (bytes * 8) / 1e9;
  const empty = Object.fromEntries([...COST_CATEGORIES, "dedicatedCpus"].map((k) => [k, 0]));
  if (s.tool === null || base.bytesPerS <= 0) {
    return {
      figures: {
        baselineGbps: toGbps(base.bytesPerS),
        withAgentGbps: toGbps(base.bytesPerS),
        overheadPct: 0,
        saturatedQueues: base.saturatedQueues,
        ksoftirqdQueues: base.ksoftirqdQueues,
        cpuByMechanism: Object.fromEntries(COST_CATEGORIES.map((k) => [k, 0])),
        attribution: empty,
      },
      bottleneck: { baseline: base.bottleneck, withAgent: base.bottleneck },
      totals: { attempted: 0, consumed: 0, lost: 0, buffered: 0 },
      lastMove: 0,
    };
  }
  // an exclusive pin takes the agent's CPUs from the application; a shared affinity does not
  const pinned = placement.kind === "pinned" && placement.exclusive;
  const appCpus = pinned ? hw.vcpus - placement.dedicatedCpus : hw.vcpus;
  const excludedCpu = pinned ? placement.dedicatedCpu : -1;
  // the node as the application sees it with the agent placed, before the agent's costs
  const appInput = { ...baseInput, appCpus, excludedCpu, receiveCostScale, mobileCostScale };
  // what pinning alone costs the application (its CPUs are no longer the application's)
  const pinnedOnly = pinned ? windowCap(solveThroughput(appInput), win, 0) : base;

  let current = pinnedOnly;
  let run: NodeRunOutput | null = null;
  let solved = current;
  let lastMove = 0;
  const h = new Float64Array(hw.vcpus);
  const windowS = o.durationS - o.warmupS;
  for (let it = 0; it < o.maxIterations; it++) {
    run = runNode({
      hw,
      tool: s.tool!,
      placement,
      workload: s.workload,
      costs,
      calibratedInVm: calibratedInVm(s.calibration),
      calibrationVmExitNs: calibrationVmExitNs(s.calibration),
      queues,
      queueBytesPerS: current.queueBytesPerS,
      cpuBusy: cpuBusy(appInput, current),
      cpuSoftirq: setup.readerInterruptTime ? cpuSoftirqShare(appInput, current) : undefined,
      kernel: setup.epollLock ? setup.kernel : null,
      runqueueWaitUs: s.runqueueWaitUs,
      readerPreemption: s.readerPreemption,
      seed: seed * 7919 + it,
      durationNs: o.durationS * 1e9,
      warmupNs: o.warmupS * 1e9,
    });
    // Hook work follows each CPU's own queue traffic, the rest the node's; a CPU whose hook backlog
    // grew did only part of the work its traffic asks for, so its hook cost is scaled up to all of it.
    const a = new Float64Array(hw.vcpus);
    const threadNs = new Float64Array(hw.vcpus);
    const queueBytes = new Float64Array(hw.vcpus);
    for (let q = 0; q < queues.cpuOf.length; q++) queueBytes[queues.cpuOf[q]] += current.queueBytesPerS[q];
    for (let c = 0; c < hw.vcpus; c++) {
      const hookNs = run.hookNs[c];
      threadNs[c] = Math.max(0, run.ledger.cpuTotal(c) - hookNs) / windowS;
      a[c] = current.bytesPerS > 0 ? threadNs[c] / current.bytesPerS : 0;
      // a queue that carried nothing this time keeps its last estimate
      if (queueBytes[c] > 0) h[c] = hookNs / run.servedFraction[c] / windowS / queueBytes[c];
    }
    solved = solveThroughput({ ...appInput, agentNsPerByte: a, hookNsPerQueueByte: h, agentThreadNsPerS: threadNs });
    if (win !== undefined) {
      // the flows' time per byte grows by the agent's hook ns per byte on their path (byte-weighted over the queues)
      let hb = 0;
      let qb = 0;
      for (let c = 0; c < hw.vcpus; c++) {
        hb += h[c] * queueBytes[c];
        qb += queueBytes[c];
      }
      solved = windowCap(solved, win, qb > 0 ? hb / qb : 0);
    }
    // a node the agent stops altogether: nothing more to measure at zero throughput
    if (!(solved.bytesPerS > 0)) break;
    const moved = Math.abs(solved.bytesPerS - current.bytesPerS) / current.bytesPerS;
    lastMove = moved;
    if (moved < 0.005) break;
    // From the third run on, step halfway: where the agent's cost per byte depends strongly on the
    // throughput (saturated receive CPUs, a throttled reader), full steps can oscillate for ever.
    if (it < 2) current = solved;
    else {
      const q = new Float64Array(solved.queueBytesPerS.length);
      for (let i = 0; i < q.length; i++) q[i] = (solved.queueBytesPerS[i] + current.queueBytesPerS[i]) / 2;
      current = { ...solved, bytesPerS: (solved.bytesPerS + current.bytesPerS) / 2, queueBytesPerS: q };
    }
  }
  const r = run!;
  const baseG = toGbps(base.bytesPerS);
  const withG = toGbps(solved.bytesPerS);
  const overhead = 100 * (1 - withG / baseG);
  const pinnedLoss = 100 * (1 - toGbps(pinnedOnly.bytesPerS) / baseG);

  // attribution: the loss beyond pinning, split like the agent's ns on the CPUs that bind
  const binding: number[] = [];
  if (solved.bottleneck === "rx-queue-cpus" || solved.bottleneck === "window") for (const c of queues.cpuOf) binding.push(c);
  else for (let c = 0; c < hw.vcpus; c++) if (c !== excludedCpu) binding.push(c);
  const byCat = COST_CATEGORIES.map((_, k) => binding.reduce((acc, c) => acc + r.ledger.categoryOn(c, k), 0));
  const total = byCat.reduce((x, y) => x + y, 0);
  const attribution: Record<string, number> = { dedicatedCpus: pinnedLoss };
  COST_CATEGORIES.forEach((name, k) => {
    attribution[name] = total > 0 ? ((overhead - pinnedLoss) * byCat[k]) / total : 0;
  });
  let kernelNs = 0;
  for (let c = 0; c < hw.vcpus; c++) {
    for (const k of ["bpfProgram", "recordOutput", "lockSpin", "wakeups", "cacheLines"] as const) {
      kernelNs += r.ledger.categoryOn(c, COST_CATEGORIES.indexOf(k));
    }
  }
  const winNs = r.windowNs;
  let ledgerNs = 0;
  for (let c = 0; c < hw.vcpus; c++) ledgerNs += r.ledger.cpuTotal(c);
  const agentCores = r.agentCpuNs / winNs;
  const takenCores = ledgerNs / winNs + (pinned ? Math.max(agentCores, placement.dedicatedCpus) : 0);
  const cpuByMechanism: Record<string, number> = {};
  COST_CATEGORIES.forEach((name, k) => {
    let ns = 0;
    for (let c = 0; c < hw.vcpus; c++) ns += r.ledger.categoryOn(c, k);
    cpuByMechanism[name] = ns / winNs + (pinned && name === "readerCpu" ? agentCores : 0);
  });
  return {
    figures: {
      baselineGbps: baseG,
      withAgentGbps: withG,
      overheadPct: overhead,
      saturatedQueues: solved.saturatedQueues,
      ksoftirqdQueues: solved.ksoftirqdQueues,
      cpuByMechanism,
      attribution,
      run: { out: r, windowNs: winNs, agentCores, kernelNs, takenCores, vcpus: hw.vcpus },
    },
    bottleneck: { baseline: base.bottleneck, withAgent: solved.bottleneck },
    totals: r.totals,
    lastMove,
  };
}

/**
 * A window-limited receiver (Workload.windowLimited): without the agent its flows carry `gbps` in
 * all; the agent's hook work on their path, `hookNsPerByte` (0 without the agent), is serial with
 * their packets and lengthens each round trip, so each flow's time per byte grows by it:
 * 1/T = 1/T0 + h/flows (a window W over RTT0 + W h per flow, flows in parallel). The throughput is
 * the lower of that and what the CPUs allow (`sol`), with the queues' shares kept; "window" when
 * the cap binds. Without `win`, `sol` unchanged.
 */
export function windowCap(sol: ThroughputResult, win: { gbps: number; flows: number } | undefined, hookNsPerByte: number): ThroughputResult {
  if (win === undefined) return sol;
  const t0 = (win.gbps * 1e9) / 8;
  const cap = 1 / (1 / t0 + (Math.max(0, hookNsPerByte) * 1e-9) / win.flows);
  // (a cap equal to the solution, up to rounding, does not bind)
  if (!(sol.bytesPerS > cap * (1 + 1e-12))) return sol;
  const k = cap / sol.bytesPerS;
  return { ...sol, bytesPerS: cap, queueBytesPerS: sol.queueBytesPerS.map((b) => b * k), bottleneck: "window", saturatedQueues: 0, ksoftirqdQueues: 0 };
}

/** Simulates the scenario; see SimulateOptions for the defaults. */
export function simulate(scenario: Scenario, options: SimulateOptions = {}): SimulationResult {
  const o = checkOptions(options);
  if (scenario.runqueueWaitUs !== undefined) checkWaitHistogram(scenario.runqueueWaitUs, "runqueueWaitUs");
  const pre = scenario.readerPreemption;
  if (pre !== undefined) {
    if (!(typeof pre.perRunningS === "number" && Number.isFinite(pre.perRunningS) && pre.perRunningS > 0 && pre.perRunningS <= 1e6)) {
      throw new ScenarioError(
        `readerPreemption.perRunningS = ${pre.perRunningS}: must be a rate in (0, 1e6] per second`,
        "readerPreemption.perRunningS",
        pre.perRunningS,
      );
    }
    checkWaitHistogram(pre.stallUs, "readerPreemption.stallUs");
  }
  const reps: ReplicationOutput[] = [];
  for (let i = 0; i < o.replications; i++) reps.push(replication(scenario, o, o.seed + i));
  const conservation = { attempted: 0, consumed: 0, lost: 0, buffered: 0 };
  const warnings: string[] = [];
  const p = scenario.placement;
  if (scenario.tool !== null && p.kind === "limited") {
    const windowS = o.durationS - o.warmupS;
    const periodS = p.cfsPeriodUs / 1e6;
    if (windowS < 2 * periodS) {
      warnings.push(
        `the measured window (${windowS.toFixed(3)} s) is shorter than two CFS periods (2 x ${periodS} s): ` +
          "a CPU-limited agent's throttling, losses and CPU depend on where the window falls; use durationS >= " +
          `${(2 * periodS + o.warmupS).toFixed(2)}`,
      );
    }
  }
  const setup = nodeSetup(scenario);
  const w = scenario.workload;
  if (w.mode === "observed" && (w.observedGbps ?? 0) > scenario.hardware.nic.bandwidthGbps) {
    warnings.push(
      `the observed baseline (${w.observedGbps} Gb/s) is above the NIC's ${scenario.hardware.nic.bandwidthGbps} Gb/s on ${scenario.hardware.name}: ` +
        "the node cannot have carried it; check the hardware profile or the measurement",
    );
  }
  if (w.mode === "offered" && (w.offeredGbps ?? 0) > scenario.hardware.nic.bandwidthGbps) {
    warnings.push(
      `the offered ${w.offeredGbps} Gb/s is above the NIC's ${scenario.hardware.nic.bandwidthGbps} Gb/s on ${scenario.hardware.name}: the NIC caps what arrives`,
    );
  }
  if (!setup.channels.documented) {
    warnings.push(
      `the receive channel count (${setup.channels.channels}) is an assumption: ${setup.channels.rule}; set it with rxChannels (--rx-channels) once known`,
    );
  }
  const unsettled = reps.filter((r) => r.lastMove >= 0.005);
  if (unsettled.length > 0) {
    const worst = Math.max(...unsettled.map((r) => r.lastMove));
    warnings.push(
      `the throughput fixed point did not settle within maxIterations = ${o.maxIterations} in ${unsettled.length} of ${reps.length} replications ` +
        `(last move up to ${(100 * worst).toFixed(1)}%): the agent's cost depends strongly on the throughput (e.g. its work saturates CPUs); raise maxIterations (--max-iterations)`,
    );
  }
  for (const r of reps) {
    conservation.attempted += r.totals.attempted;
    conservation.consumed += r.totals.consumed;
    conservation.lost += r.totals.lost;
    conservation.buffered += r.totals.buffered;
  }
  const est = (f: (x: ReplicationFigures) => number) => confidenceInterval(reps.map((r) => f(r.figures)));
  const given = { bottleneck: reps[0].bottleneck, rxChannels: setup.channels };
  const fields: Record<string, unknown> = {};
  for (const f of SIMULATION_FIELDS) {
    if (f.kind === "estimate") fields[f.key] = est(f.value);
    else if (f.kind === "byCategory") fields[f.key] = Object.fromEntries(f.categories.map((k) => [k, est((x) => f.value(x)[k])]));
    else fields[f.key] = given[f.key];
  }
  return {
    scenario: {
      hardware: scenario.hardware.name,
      tool: scenario.tool?.name ?? null,
      placement: scenario.placement.name,
      workload: scenario.workload.name,
      calibration: scenario.calibration.hostClass,
    },
    options: o,
    ...(fields as unknown as SimulationFields),
    conservation,
    warnings,
  };
}
