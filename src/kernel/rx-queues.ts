/**
 * The NIC's receive queues: RSS hashes flows onto queues, each queue's interrupt and NAPI softirq
 * run on one CPU, and every packet's kernel work (including the TC hooks and their BPF output) is
 * paid there.
 *
 * Kernel (read at v6.18; version differences are named where they matter): Documentation/networking/scaling.rst (RSS, IRQ affinity). Queue i's IRQ is placed on
 * CPU floor(i * cpus / queues), spreading queues evenly as irqbalance or the driver default do. The
 * share of traffic each queue receives is drawn once per replication from a lognormal with the
 * workload's coefficient of variation (the hash imbalance of a finite set of flows), then normalised.
 * Left out: RPS/RFS steering (softirq work stays on the queue CPU), queue remapping while running.
 */
import { lognormal, type RandomStream } from "../engine/index.ts";

export interface RxQueues {
  /** CPU that runs each queue's softirq. */
  cpuOf: Int32Array;
  /** Share of the node's traffic on each queue (sums to 1). */
  share: Float64Array;
}

export function rxQueues(cpus: number, queues: number, skewCv: number, rng: RandomStream): RxQueues {
  const q = Math.max(1, Math.min(queues, cpus));
  const cpuOf = new Int32Array(q);
  const share = new Float64Array(q);
  const d = skewCv > 0 ? lognormal(rng, 1, skewCv) : null;
  let sum = 0;
  for (let i = 0; i < q; i++) {
    cpuOf[i] = Math.floor((i * cpus) / q);
    share[i] = d === null ? 1 : d.sample();
    sum += share[i];
  }
  for (let i = 0; i < q; i++) share[i] /= sum;
  return { cpuOf, share };
}
