/**
 * `agentHealth(result)`: is the agent keeping up? From a SimulationResult: the share of its events it
 * loses, the share of the time its reader is throttled, and how long an event waits before the reader
 * delivers it (p50, p99), with a plain verdict. And `headline(result)`: what every answer leads with —
 * the node CPU the agent takes (cores and % of the node), the throughput overhead, and the health line —
 * because "overhead 0.00%" on a NIC-bound node says nothing about an agent that drops a quarter of its
 * events.
 *
 * Lost %: lost / output calls. `eventsPerS` counts every bpf_*_output call, the lost ones included
 * (node/agent-buffer.ts `emit`), so it is the whole the lost events are a share of.
 */
import type { Estimate } from "../engine/index.ts";
import { boundInterval } from "../engine/statistics.ts";
import type { SimulationResult } from "../node/simulate.ts";
import { loadHardware } from "../models/load.ts";

export interface HealthCriteria {
  /** The agent is losing events when mean lost/s reaches this. @defaultValue 1 (as `reserve`) */
  maxLostPerS?: number;
  /** ... or throttled when its reader is throttled this % of the time or more. @defaultValue 5 (as `reserve`) */
  maxThrottledPct?: number;
}

export interface AgentHealth {
  /** Share of the events the agent asked to output that were lost, % (bounded to [0, 100]). */
  lostPct: Estimate;
  lostPerS: Estimate;
  /** Share of the time the reader is throttled by its CFS quota, %. */
  throttledPct: Estimate;
  /** Delivery latency: from an event's output until the reader has consumed it, µs. */
  deliveryP50Us: Estimate;
  deliveryP99Us: Estimate;
  /** False when it loses events or is throttled beyond the criteria. */
  keepingUp: boolean;
  /** Why it is not keeping up, in words (empty when it is). */
  problems: string[];
  /** One line for tables: "agent health: ..." */
  line: string;
}

export interface Headline {
  /** Node CPU the agent takes, in cores (sum of cpuByMechanism) and as % of the node's vCPUs. */
  nodeCpuCores: Estimate;
  nodeCpuPct: Estimate;
  overheadPct: Estimate;
  health: AgentHealth;
  /** The three lines every answer starts with. */
  lines: string[];
}

const PCT = { lower: 0, upper: 100 };

/** `e` scaled by a constant factor (its interval too). */
function scaled(e: Estimate, k: number): Estimate {
  return { ...e, mean: e.mean * k, halfWidth: e.halfWidth * Math.abs(k), low: Math.min(e.low * k, e.high * k), high: Math.max(e.low * k, e.high * k) };
}

/** "62 ms" / "35 µs" */
export function duration(us: number): string {
  if (us >= 1e6) return `${(us / 1e6).toFixed(2)} s`;
  if (us >= 1000) return `${(us / 1000).toFixed(us >= 1e4 ? 0 : 1)} ms`;
  return `${us.toFixed(0)} µs`;
}

function pct(x: number): string {
  if (x > 0 && x < 0.1) return "< 0.1%";
  return `${x.toFixed(x < 10 ? 1 : 0)}%`;
}

/** What the delivery latency leaves out (see agentHealth). */
export const DELIVERY_CAVEAT = ", rare millisecond waits not modelled";

export function agentHealth(r: SimulationResult, criteria: HealthCriteria = {}): AgentHealth {
  const maxLostPerS = criteria.maxLostPerS ?? 1;
  const maxThrottledPct = criteria.maxThrottledPct ?? 5;
  if (!(maxLostPerS > 0)) throw new RangeError(`agentHealth: maxLostPerS = ${maxLostPerS}: must be > 0`);
  if (!(maxThrottledPct > 0 && maxThrottledPct <= 100)) throw new RangeError(`agentHealth: maxThrottledPct = ${maxThrottledPct}: must be in (0, 100]`);
  const events = r.eventsPerS.mean;
  const lostPct = events > 0 ? boundInterval(scaled(r.lostPerS, 100 / events), PCT) : { mean: 0, halfWidth: 0, low: 0, high: 0, n: r.lostPerS.n };
  const throttledPct = boundInterval(r.throttledPct, PCT);
  const problems: string[] = [];
  if (r.lostPerS.mean >= maxLostPerS) {
    problems.push(`it loses ${pct(lostPct.mean)} of its events (${r.lostPerS.mean.toFixed(0)}/s): its reader does not drain the buffers as fast as they fill`);
  }
  if (r.throttledPct.mean >= maxThrottledPct) {
    problems.push(`its reader is throttled ${pct(r.throttledPct.mean)} of the time by its CPU limit`);
  }
  const keepingUp = problems.length === 0;
  // The model's reader waits for a CPU an exponential of mean runqueueWaitNs and is never preempted
  // while awake; on our host about one record in a hundred waited milliseconds: the reader's rare
  // long waits for a CPU (ring buffer) or a wait not yet identified (perf array; validation/REPORT.md,
  // "How long a record waits for the reader"), so the line says what its latency leaves out.
  const delivery =
    events > 0 ? `events delivered p50 ${duration(r.latencyP50Us.mean)}, p99 ${duration(r.latencyP99Us.mean)} after output${DELIVERY_CAVEAT}` : "no events";
  const line = keepingUp
    ? `agent health: keeping up (lost ${pct(lostPct.mean)}, throttled ${pct(r.throttledPct.mean)}; ${delivery})`
    : `agent health: NOT KEEPING UP: ${problems.join("; ")}; ${delivery}`;
  return {
    lostPct,
    lostPerS: boundInterval(r.lostPerS, { lower: 0 }),
    throttledPct,
    deliveryP50Us: boundInterval(r.latencyP50Us, { lower: 0 }),
    deliveryP99Us: boundInterval(r.latencyP99Us, { lower: 0 }),
    keepingUp,
    problems,
    line,
  };
}

/**
 * Node CPU the agent takes, in cores: nodeCpuPct of the node's vCPUs (so a pinned agent's reserved CPUs
 * count whole, as in nodeCpuPct). When the hardware profile cannot be read back by name, the cores in
 * use (the sum of cpuByMechanism) stand in, with nodeCpuPct's relative interval.
 */
export function nodeCpuCoresOf(r: SimulationResult, vcpus?: number): Estimate {
  let n = vcpus;
  if (n === undefined) {
    try {
      n = loadHardware(r.scenario.hardware).vcpus;
    } catch {
      n = undefined;
    }
  }
  const p = r.nodeCpuPct.mean;
  const cores = n !== undefined ? (p / 100) * n : Object.values(r.cpuByMechanism).reduce((s, e) => s + e.mean, 0);
  if (!(p > 0)) return { mean: cores, halfWidth: 0, low: cores, high: cores, n: r.nodeCpuPct.n };
  return boundInterval(scaled(r.nodeCpuPct, cores / p), { lower: 0 });
}

export function headline(r: SimulationResult, criteria: HealthCriteria = {}): Headline {
  const health = agentHealth(r, criteria);
  const nodeCpuCores = nodeCpuCoresOf(r);
  const nodeCpuPct = boundInterval(r.nodeCpuPct, PCT);
  const overheadPct = boundInterval(r.overheadPct, PCT);
  const iv = (e: Estimate, d: number) => (e.n > 1 ? ` [${e.low.toFixed(d)}, ${e.high.toFixed(d)}]` : "");
  const lines = [
    `node CPU the agent takes: ${nodeCpuCores.mean.toFixed(3)} cores${iv(nodeCpuCores, 3)} = ${nodeCpuPct.mean.toFixed(2)}%${iv(nodeCpuPct, 2)} of the node`,
    `throughput overhead: ${overheadPct.mean.toFixed(2)}%${iv(overheadPct, 2)}${overheadPct.mean === 0 && !health.keepingUp ? " (the node still carries the traffic; the agent pays instead, below)" : ""}`,
    health.line,
  ];
  return { nodeCpuCores, nodeCpuPct, overheadPct, health, lines };
}
