/**
 * The finite-source (machine-repairman) queue for ring-buffer reservations: P producers, each
 * alternating "think" time Z (the program's work outside rb->spinlock: parsing, the copy into
 * the ring, commit) and a hold S of the one lock (kernel/bpf/ringbuf.c __bpf_ringbuf_reserve:
 * spin_lock_irqsave(&rb->spinlock) ... spin_unlock_irqrestore). Exact mean-value analysis of
 * the closed network with one delay station (Z) and one FCFS queue (S)
 * (Reiser & Lavenberg 1980; Lazowska et al., "Quantitative System Performance", ch. 6):
 *   R(n) = S·(1 + Q(n-1)),  X(n) = n / (Z + R(n)),  Q(n) = X(n)·R(n),  Q(0) = 0.
 * A producer's mean cycle (the test-run ns per run) is Z + R(P). With exponential holds this
 * is an approximation for spinlocks' near-constant holds; it bounds the cycle between T(1)
 * and max(T(1), P·S).
 */
import { goldenSection } from "./optimise.ts";

export function repairmanCycleNs(producers: number, thinkNs: number, holdNs: number): number {
  if (!Number.isInteger(producers) || producers < 1) throw new Error(`producers = ${producers}: must be a positive integer`);
  if (thinkNs < 0 || holdNs < 0) throw new Error("think and hold times must be >= 0");
  let q = 0;
  let r = holdNs;
  for (let n = 1; n <= producers; n++) {
    r = holdNs * (1 + q);
    const x = n / (thinkNs + r);
    q = x * r;
  }
  return thinkNs + r;
}

export interface LockFit {
  /** Fitted hold S of the lock when producers contend (the queue's service time). */
  holdNs: number;
  /** Think time Z = T(1) - uncontended hold. */
  thinkNs: number;
  /** Relative RMS error of the fitted cycle times (0 when there is a single contended point). */
  relRms: number;
  /** Contended points the fit used. */
  points: number;
}

/**
 * Fits the contended hold S from measured cycle times T(P) (P = 1 must be present), with think
 * time Z = T(1) - uncontendedHoldNs held fixed, minimising the squared relative error over
 * P >= 2. S may exceed the uncontended hold: under contention the lock word, producer_pos and
 * the record's header lines arrive from another CPU on every reservation.
 */
export function fitLockHold(points: { producers: number; cycleNs: number }[], opts: { uncontendedHoldNs?: number } = {}): LockFit {
  const t1 = points.find((p) => p.producers === 1)?.cycleNs;
  if (t1 === undefined) throw new Error("fitLockHold needs the single-producer cycle time");
  const multi = points.filter((p) => p.producers > 1);
  if (multi.length === 0) throw new Error("fitLockHold needs at least one point with 2 or more producers");
  const z = Math.max(0, t1 - (opts.uncontendedHoldNs ?? 0));
  const err = (s: number) => multi.reduce((acc, p) => acc + ((repairmanCycleNs(p.producers, z, s) - p.cycleNs) / p.cycleNs) ** 2, 0);
  const maxCycle = Math.max(...multi.map((p) => p.cycleNs));
  const { x } = goldenSection(err, 0, maxCycle, 1e-12);
  return { holdNs: x, thinkNs: z, relRms: Math.sqrt(err(x) / multi.length), points: multi.length };
}
