/**
 * CFS bandwidth control: a cgroup's CPU limit as `quota` ns of runtime per `period` ns.
 *
 * Kernel (v6.x): kernel/sched/fair.c `account_cfs_rq_runtime`, `throttle_cfs_rq`,
 * `do_sched_cfs_period_timer`. A Kubernetes CPU limit of L cores is cpu.max = L*period per period
 * (period 100 ms by default). Runtime used beyond the quota is a debt that the next refill pays
 * first (`assign_cfs_rq_runtime` asks for `-runtime_remaining` more), and while the group has no
 * runtime left its tasks are throttled until the period timer refills it. Left out: burst
 * (cpu.max.burst), per-CPU runtime slices (5 ms `sched_cfs_bandwidth_slice`), which make real
 * throttling a little earlier than this pooled model.
 */

export class CfsBandwidth {
  private runtime: number;
  private periodIndex = 0;
  /** Time spent throttled (intervals never counted twice), and the end of the current throttle. */
  throttledNs = 0;
  throttleCount = 0;
  throttledUntil = 0;

  constructor(
    readonly quotaNs: number,
    readonly periodNs: number,
  ) {
    if (!(quotaNs > 0) || !(periodNs > 0)) {
      throw new RangeError(`CFS bandwidth: quota and period must be > 0, got ${quotaNs}/${periodNs}`);
    }
    this.runtime = quotaNs;
  }

  private refill(now: number): void {
    const idx = Math.floor(now / this.periodNs);
    if (idx > this.periodIndex) {
      // each elapsed period refills up to the quota (debt is paid first; unused runtime expires)
      this.runtime = Math.min(this.quotaNs, this.runtime + this.quotaNs * (idx - this.periodIndex));
      this.periodIndex = idx;
    }
  }

  /**
   * Charges `ns` of runtime used up to `now`. Returns the time the group may run again: `now` if it
   * still has runtime, else the next period boundary at which the refill makes runtime positive.
   */
  charge(ns: number, now: number): number {
    this.refill(now);
    this.runtime -= ns;
    if (this.runtime > 0) return now;
    // throttled: find the first period boundary where runtime becomes positive again
    const periodsNeeded = Math.floor(-this.runtime / this.quotaNs) + 1;
    const resume = (this.periodIndex + periodsNeeded) * this.periodNs;
    // a charge made while already throttled (a thread of the group finishing its work) extends the
    // current throttle, it does not start a second one
    const from = Math.max(now, this.throttledUntil);
    if (resume > from) {
      if (now >= this.throttledUntil) this.throttleCount++;
      this.throttledNs += resume - from;
      this.throttledUntil = resume;
    }
    return resume;
  }
}

/** Throttled ns that fall inside [from, to), given the total counted so far and the current throttle's end. */
export function throttledWithin(b: CfsBandwidth, countedSince: number, to: number): number {
  // the part of the current throttle that runs past `to` was counted but is outside the window
  return Math.max(0, b.throttledNs - countedSince - Math.max(0, b.throttledUntil - to));
}
