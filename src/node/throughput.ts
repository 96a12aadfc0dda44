/**
 * How much traffic the node carries: the largest throughput at which every receive CPU keeps up
 * with its queue's softirq work, the node's CPUs together keep up with everything else, the NIC's
 * bandwidth is not exceeded, and (in offered mode) nobody asks for more than the application offers.
 *
 * Two kinds of work, placed as the kernel places them:
 * - pinned to a receive CPU: the softirq part of the receive path (driver, GRO, IP, TCP input, the
 *   veth backlog) and the agent's TC hooks with their outputs and irq_work (h_c per byte of that
 *   CPU's own queue). Queue q on CPU c carries T_q <= share_c * 1e9 / (b + h_c), where share_c is 1
 *   while the CPU runs its softirq inline and the ksoftirqd share once it is saturated on kernels
 *   that defer to ksoftirqd (kernel/softirq.ts).
 * - mobile: the application's threads and the process-context part of the receive path
 *   (tcp_recvmsg's copy to user, `processContextShare` of the kernel's per-byte work), and the
 *   agent's own threads and the costs they inflict (a_c per byte of node traffic). The scheduler's
 *   load balancer moves threads to whatever capacity the softirq work leaves, so this work is
 *   bounded by the node's CPUs together:
 *     sum_q T_q (b + h_c) + T (m + sum_c a_c)  <=  1e9 * (CPUs the application may use).
 * Flows are hashed to queues, so a saturated queue cannot hand its flows to another: the queues
 * share a common demand level x (T_q = min(x * share_q, capacity_q)), raised until a limit binds
 * (max-min fair sharing of the NIC between queues). Left out: TCP's own dynamics (a saturated queue
 * is assumed to run at its capacity, neither above nor oscillating below), load-balancer imperfection.
 */
import type { HardwareProfile, Workload } from "../models/types.ts";
import type { RxQueues } from "../kernel/rx-queues.ts";
import type { Costs } from "./costs.ts";

/** What binds the throughput; "window" only from node/simulate.ts `windowCap` (Workload.windowLimited). */
export type Bottleneck = "nic" | "rx-queue-cpus" | "app-cpus" | "offered" | "window";

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
  /**
   * Multiplies the mobile (application and process-context) per-byte costs on top of
   * receiveCostScale: the workload's `mobileCostScale`. @defaultValue 1
   */
  mobileCostScale?: number;
  /**
   * Share of a saturated receive CPU its softirq gets, given the share of the node's CPU the
   * application's (mobile) work uses (kernel/softirq.ts `saturatedSoftirqShare`): 1 where softirq
   * stays inline, below 1 where ksoftirqd takes over. Omitted: 1 (inline).
   */
  saturatedSoftirqShare?: (appBusyShare: number) => number;
  /**
   * Agent ns per second its threads run on each CPU (absolute, from the discrete-event run). On a
   * receive CPU served by ksoftirqd they are one more runnable task beside it, so its share of that
   * CPU is taken from what is left after them. @defaultValue zeros
   */
  agentThreadNsPerS?: Float64Array;
}

export interface ThroughputResult {
  bytesPerS: number;
  queueBytesPerS: Float64Array;
  bottleneck: Bottleneck;
  /** Queues whose receive CPU is saturated (carrying what its CPU allows, not what its flows ask). */
  saturatedQueues: number;
  /** Of those, the ones served from ksoftirqd at a reduced share (saturatedSoftirqShare < 1). */
  ksoftirqdQueues: number;
  /** Per queue: 1 where ksoftirqd serves it (its softirq runs as a task, not in interrupt context). */
  ksoftirqd?: Uint8Array;
}

function skbBytes(w: Workload): number {
  return w.mssBytes * w.groSegments;
}

/** Kernel receive-path ns per byte received, counting the ACKs the receiver sends back; all of it, wherever it runs. */
export function softirqNsPerByte(w: Workload, c: Costs): number {
  const skb = skbBytes(w);
  return c.softirqNsPerByte + c.softirqNsPerSkb / skb + c.softirqNsPerSkb / (skb * w.skbsPerAck);
}

/** The part of softirqNsPerByte that runs in softirq on the receive queue's CPU. */
export function rxCpuNsPerByte(w: Workload, c: Costs): number {
  return softirqNsPerByte(w, c) - c.softirqNsPerByte * (w.processContextShare ?? 0);
}

/** Receive work that runs in the receiving thread's context plus the application's own, ns per byte: it goes wherever the threads run. */
export function mobileNsPerByte(w: Workload, c: Costs): number {
  return c.softirqNsPerByte * (w.processContextShare ?? 0) + c.appNsPerByte;
}

interface Plan {
  b: number;
  m: number;
  h: Float64Array;
  cap: Float64Array; // per queue, bytes/s its CPU allows
  onExcluded: Uint8Array; // per queue: runs on the excluded CPU
  aSum: number;
  capacityNs: number;
  external: number; // min(NIC, offered)
}

function carried(p: Plan, q: RxQueues, x: number, out: Float64Array | null): { t: number; work: number } {
  let t = 0;
  let work = 0;
  for (let i = 0; i < q.cpuOf.length; i++) {
    const ti = Math.min(x * q.share[i], p.cap[i]);
    if (out !== null) out[i] = ti;
    t += ti;
    if (p.onExcluded[i] === 0) work += ti * (p.b + p.h[q.cpuOf[i]]);
  }
  work += t * (p.m + p.aSum);
  return { t, work };
}

export function solveThroughput(input: ThroughputInput): ThroughputResult {
  const { hw, workload, costs, queues } = input;
  const nq = queues.cpuOf.length;
  const k = input.receiveCostScale ?? 1;
  const h = input.hookNsPerQueueByte ?? new Float64Array(hw.vcpus);
  // an observed baseline was CPU-bound by definition: the NIC's cap does not apply to it
  const nicBytes = workload.mode === "observed" ? Infinity : (hw.nic.bandwidthGbps * 1e9) / 8;
  const offered = workload.mode === "offered" ? ((workload.offeredGbps ?? 0) * 1e9) / 8 : Infinity;
  let aSum = 0;
  for (let c = 0; c < hw.vcpus; c++) if (c !== input.excludedCpu) aSum += input.agentNsPerByte[c];
  const onExcluded = new Uint8Array(nq);
  for (let i = 0; i < nq; i++) onExcluded[i] = queues.cpuOf[i] === input.excludedCpu ? 1 : 0;
  const plan: Plan = {
    b: k * rxCpuNsPerByte(workload, costs),
    m: k * (input.mobileCostScale ?? 1) * mobileNsPerByte(workload, costs),
    h,
    cap: new Float64Array(nq),
    onExcluded,
    aSum,
    capacityNs: 1e9 * Math.max(0, input.appCpus),
    external: Math.min(nicBytes, offered),
  };
  const out = new Float64Array(nq);
  let x = 0;
  let res = { t: 0, work: 0 };
  let phi = 1;
  const threads = input.agentThreadNsPerS;
  const shareOf = input.saturatedSoftirqShare;
  // On kernels where ksoftirqd takes over (kernel/softirq.ts), a receive queue whose demand reaches
  // ksoftirqd's share of its CPU stays in ksoftirqd once a burst has put it there (the backlog cannot
  // drain while the demand exceeds the share), so that share is its sustained capacity. The share
  // depends on how busy the application's threads are, which depends on the throughput: a damped
  // fixed point.
  for (let round = 0; round < 60; round++) {
    let xMax = 0;
    for (let i = 0; i < nq; i++) {
      const c = queues.cpuOf[i];
      // inline softirq runs ahead of every task; ksoftirqd shares the CPU with the application's
      // runnable threads (in phi) and with the agent's threads there, runnable a share y of the time
      const y = phi < 1 && threads !== undefined ? Math.min(1, Math.max(0, threads[c] / 1e9)) : 0;
      const f = phi < 1 ? 1 / (1 / phi + y) : 1;
      plan.cap[i] = (f * 1e9) / (plan.b + h[c]);
      if (queues.share[i] > 0) xMax = Math.max(xMax, plan.cap[i] / queues.share[i]);
    }
    if (!Number.isFinite(xMax)) xMax = 1e15;
    const feasible = (xx: number) => {
      const r = carried(plan, queues, xx, null);
      return r.work <= plan.capacityNs && r.t <= plan.external;
    };
    if (feasible(xMax)) x = xMax;
    else {
      let lo = 0;
      let hi = xMax;
      for (let it = 0; it < 80; it++) {
        const mid = (lo + hi) / 2;
        if (feasible(mid)) lo = mid;
        else hi = mid;
      }
      x = lo;
    }
    res = carried(plan, queues, x, out);
    if (shareOf === undefined) break;
    const appBusy = plan.capacityNs > 0 ? Math.min(1, (res.t * (plan.m + plan.aSum)) / plan.capacityNs) : 1;
    const next = Math.max(1e-3, Math.min(1, shareOf(appBusy)));
    if (Math.abs(next - phi) < 1e-7) break;
    phi = round === 0 ? next : (phi + next) / 2;
  }
  let saturatedQueues = 0;
  let ksoftirqdQueues = 0;
  const ksoftirqd = new Uint8Array(nq);
  for (let i = 0; i < nq; i++) {
    if (queues.share[i] > 0 && x * queues.share[i] >= plan.cap[i] * (1 - 1e-9)) {
      saturatedQueues++;
      if (phi < 1) {
        ksoftirqdQueues++;
        ksoftirqd[i] = 1;
      }
    }
  }
  let bottleneck: Bottleneck;
  const near = (a: number, b: number) => a >= b * (1 - 1e-7);
  if (near(res.t, offered)) bottleneck = "offered";
  else if (near(res.t, nicBytes)) bottleneck = "nic";
  else if (near(res.work, plan.capacityNs)) bottleneck = "app-cpus";
  else bottleneck = "rx-queue-cpus";
  return { bytesPerS: res.t, queueBytesPerS: out, bottleneck, saturatedQueues, ksoftirqdQueues, ksoftirqd };
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
 * solved throughput: the probability that a thread woken there finds the CPU busy. Softirq work
 * stays on its queue's CPU; the mobile work fills the capacity the softirq leaves, evenly.
 */
export function cpuBusy(input: ThroughputInput, result: ThroughputResult): Float64Array {
  const { hw, workload, costs } = input;
  const k = input.receiveCostScale ?? 1;
  const m = k * (input.mobileCostScale ?? 1) * mobileNsPerByte(workload, costs);
  const soft = softirqNsPerS(input, result, false);
  let left = 0;
  for (let c = 0; c < hw.vcpus; c++) if (c !== input.excludedCpu) left += Math.max(0, 1e9 - soft[c]);
  const mobileUse = left > 0 ? Math.min(1, (result.bytesPerS * m) / left) : 1;
  const busy = new Float64Array(hw.vcpus);
  for (let c = 0; c < hw.vcpus; c++) {
    const s = Math.min(1, soft[c] / 1e9);
    busy[c] = c === input.excludedCpu ? s : Math.min(1, s + (1 - s) * mobileUse);
  }
  return busy;
}

/** ns per second of the receive path's softirq work on each CPU; with `inlineOnly`, only the queues whose softirq runs inline (not in ksoftirqd). */
function softirqNsPerS(input: ThroughputInput, result: ThroughputResult, inlineOnly: boolean): Float64Array {
  const { hw, workload, costs, queues } = input;
  const b = (input.receiveCostScale ?? 1) * rxCpuNsPerByte(workload, costs);
  const soft = new Float64Array(hw.vcpus);
  for (let q = 0; q < queues.cpuOf.length; q++) {
    if (inlineOnly && result.ksoftirqd?.[q] === 1) continue;
    soft[queues.cpuOf[q]] += result.queueBytesPerS[q] * b;
  }
  return soft;
}

/**
 * Share of each CPU's time the receive path spends in interrupt context at the solved throughput:
 * its queues' softirq work where it runs inline (kernel/softirq.c `invoke_softirq` on irq exit),
 * which runs ahead of any task on that CPU. A queue served by ksoftirqd runs as a task instead and
 * counts as none here (it competes for the CPU: cpuBusy).
 */
export function cpuSoftirqShare(input: ThroughputInput, result: ThroughputResult): Float64Array {
  const soft = softirqNsPerS(input, result, true);
  for (let c = 0; c < soft.length; c++) soft[c] = Math.min(1, soft[c] / 1e9);
  return soft;
}
