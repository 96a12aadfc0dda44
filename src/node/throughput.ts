/**
 * How much traffic the node carries: the largest throughput at which no CPU needs more than one
 * second of work per second, the NIC's bandwidth is not exceeded, and (in offered mode) nobody asks
 * for more than the application offers.
 *
 * Work per second on CPU c at node throughput T (bytes/s), with queue q's softirq on c carrying T_q:
 *   T_q * (softirq per byte + h_c)  +  T * app per byte / (CPUs the app may use)  +  a_c * T  <=  1e9 ns
 * where h_c is the agent's hook work on c per byte of c's own queue traffic (TC programs, outputs,
 * irq_work: they run in that queue's softirq) and a_c the rest of the agent's cost on c (its threads,
 * IPIs, cache refills) per byte of node traffic; both measured by the discrete-event run.
 * Flows are hashed to queues, so a saturated queue cannot hand its flows to another: the queues
 * share a common demand level x (T_q = min(x * share_q, capacity_q)), raised until a limit binds.
 * This is max-min fair sharing of the NIC between queues. Left out: TCP's own dynamics (a queue at
 * capacity is assumed to run at capacity, neither above nor oscillating below).
 */
import type { HardwareProfile, Workload } from "../models/types.ts";
import type { RxQueues } from "../kernel/rx-queues.ts";
import type { Costs } from "./costs.ts";

export type Bottleneck = "nic" | "rx-queue-cpus" | "app-cpus" | "offered";

export interface ThroughputInput {
  hw: HardwareProfile;
  workload: Workload;
  costs: Costs;
  queues: RxQueues;
  /** CPUs the application may run on. */
  appCpus: number;
  /** CPUs the application may not use (a pinned agent's), or -1. */
  excludedCpu: number;
  /** Agent ns per second on each CPU per byte/s of node traffic (zeros for the baseline). */
  agentNsPerByte: Float64Array;
  /** Agent hook ns on each CPU per byte of that CPU's own queue traffic (h_c); omitted: zeros. */
  hookNsPerQueueByte?: Float64Array;
  /** Multiplies the receive path's per-byte costs (softirq and application); 1 unless "observed". */
  receiveCostScale?: number;
}

export interface ThroughputResult {
  bytesPerS: number;
  queueBytesPerS: Float64Array;
  bottleneck: Bottleneck;
}

/** Softirq ns per byte received, counting the ACKs the receiver sends back on the same CPU. */
export function softirqNsPerByte(w: Workload, c: Costs): number {
  const skb = w.mssBytes * w.groSegments;
  return c.softirqNsPerByte + c.softirqNsPerSkb / skb + c.softirqNsPerSkb / (skb * w.skbsPerAck);
}

export function solveThroughput(input: ThroughputInput): ThroughputResult {
  const { hw, workload, costs, queues, agentNsPerByte: a } = input;
  const h = input.hookNsPerQueueByte ?? new Float64Array(hw.vcpus);
  const nq = queues.cpuOf.length;
  const k = input.receiveCostScale ?? 1;
  const b = k * softirqNsPerByte(workload, costs);
  const app = (k * costs.appNsPerByte) / Math.max(1, input.appCpus);
  // an observed baseline was CPU-bound by definition: the NIC's cap does not apply to it
  const nicBytes = workload.mode === "observed" ? Infinity : (hw.nic.bandwidthGbps * 1e9) / 8;
  const queueCpu = new Uint8Array(hw.vcpus);
  for (let q = 0; q < nq; q++) queueCpu[queues.cpuOf[q]] = 1;

  // CPUs without a queue only run application threads (and the agent): a cap on T.
  let appLimit = Infinity;
  for (let c = 0; c < hw.vcpus; c++) {
    if (queueCpu[c] === 1 || c === input.excludedCpu) continue;
    const per = app + a[c];
    if (per > 0) appLimit = Math.min(appLimit, 1e9 / per);
  }

  // Node throughput at demand level x: T = sum_q min(x s_q, (1e9 - T (app + a_c)) / b); the right side
  // falls as T grows, so the fixed point is unique; bisect on T.
  const carried = (x: number, out: Float64Array | null): number => {
    let lo = 0;
    let hi = x;
    for (let it = 0; it < 60; it++) {
      const t = (lo + hi) / 2;
      let sum = 0;
      for (let q = 0; q < nq; q++) {
        const c = queues.cpuOf[q];
        const cap = Math.max(0, (1e9 - t * (app + a[c])) / (b + h[c]));
        sum += Math.min(x * queues.share[q], cap);
      }
      if (sum > t) lo = t;
      else hi = t;
    }
    const t = (lo + hi) / 2;
    if (out !== null) {
      for (let q = 0; q < nq; q++) {
        const c = queues.cpuOf[q];
        out[q] = Math.min(x * queues.share[q], Math.max(0, (1e9 - t * (app + a[c])) / (b + h[c])));
      }
    }
    return t;
  };

  const offered = workload.mode === "offered" ? ((workload.offeredGbps ?? 0) * 1e9) / 8 : Infinity;
  // The most the queues can carry with unbounded demand: raise x until nothing more is gained.
  const xMax = Math.min(offered, nicBytes * 4, 1e13);
  const others = Math.min(offered, nicBytes, appLimit);
  // carried() bisects, so it returns its demand x short by a rounding error when nothing binds:
  // the queues count as the limit only when they fall short by more than that
  let queueMax = carried(xMax, null);
  if (queueMax >= others * (1 - 1e-12)) queueMax = Math.max(queueMax, others);
  const limit = Math.min(others, queueMax);
  let bottleneck: Bottleneck;
  if (queueMax < others) bottleneck = "rx-queue-cpus";
  else if (limit === offered) bottleneck = "offered";
  else if (limit === nicBytes) bottleneck = "nic";
  else bottleneck = "app-cpus";
  // find the demand level that carries `limit`
  let lo = 0;
  let hi = xMax;
  for (let it = 0; it < 60; it++) {
    const x = (lo + hi) / 2;
    if (carried(x, null) < limit) lo = x;
    else hi = x;
  }
  const queueBytesPerS = new Float64Array(nq);
  const bytesPerS = carried(hi, queueBytesPerS);
  return { bytesPerS, queueBytesPerS, bottleneck };
}

/**
 * For an "observed" workload: the factor on the receive path's per-byte costs that makes the node,
 * without the agent, carry exactly `observedGbps` at the limit of its CPUs.
 */
export function receiveCostScaleFor(input: Omit<ThroughputInput, "receiveCostScale">, observedGbps: number): number {
  const target = (observedGbps * 1e9) / 8;
  let lo = 1e-6;
  let hi = 1e6;
  for (let it = 0; it < 100; it++) {
    const mid = Math.sqrt(lo * hi);
    if (solveThroughput({ ...input, receiveCostScale: mid }).bytesPerS > target) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

/**
 * The share of each CPU's time spent on the receive path and the application (not the agent) at the
 * solved throughput: the probability that a thread woken there finds the CPU busy.
 */
export function cpuBusy(input: ThroughputInput, result: ThroughputResult): Float64Array {
  const { hw, workload, costs, queues } = input;
  const k = input.receiveCostScale ?? 1;
  const b = k * softirqNsPerByte(workload, costs);
  const app = (k * costs.appNsPerByte) / Math.max(1, input.appCpus);
  const busy = new Float64Array(hw.vcpus);
  for (let c = 0; c < hw.vcpus; c++) busy[c] = c === input.excludedCpu ? 0 : result.bytesPerS * app;
  for (let q = 0; q < queues.cpuOf.length; q++) busy[queues.cpuOf[q]] += result.queueBytesPerS[q] * b;
  for (let c = 0; c < hw.vcpus; c++) busy[c] = Math.min(1, busy[c] / 1e9);
  return busy;
}
