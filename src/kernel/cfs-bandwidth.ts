/**
 * CFS bandwidth control: a cgroup's CPU limit as `quota` ns of runtime per `period` ns.
 *
 * Kernel (read at v6.18; version differences are named where they matter): kernel/sched/fair.c `account_cfs_rq_runtime`, `throttle_cfs_rq`,
 * `do_sched_cfs_period_timer`. A Kubernetes CPU limit of L cores is cpu.max = L*period per period
 * (period 100 ms by default). While the group has no runtime left its tasks are throttled until the
 * period timer refills it; a task is throttled in the middle of its work (`check_cfs_rq_runtime` at
 * the tick / on put_prev), so the group never runs more than its quota in a period: `run` models
 * that (work split across periods). `charge` is the older after-the-fact accounting (the work is done
 * first, the overrun becomes a debt the next refill pays), kept for callers that charge work that
 * already ran. Left out: burst (cpu.max.burst), per-CPU runtime slices (5 ms
 * `sched_cfs_bandwidth_slice`), which make real throttling a little earlier than this pooled model.
 */

export class CfsBandwidth {
  private runtime: number;
  private periodIndex = 0;
  /** Time spent throttled (intervals never counted twice), and the end of the current throttle. */
  throttledNs = 0;
  throttleCount = 0;
  throttledUntil = 0;
  /** Throttle intervals [start, end) as flat pairs, for the part of them past a given time. */
  private readonly throttles: number[] = [];
  /** Runtime used by `run`, as flat [start, end) pairs, pruned as time passes (see usedAfter). */
  private segs: number[] = [];

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

  private throttle(from: number, until: number): void {
    const start = Math.max(from, this.throttledUntil);
    if (until <= start) return;
    if (from >= this.throttledUntil) this.throttleCount++;
    this.throttledNs += until - start;
    this.throttledUntil = until;
    this.throttles.push(start, until);
  }

  /**
   * A thread of the group runs `ns` of CPU work that becomes runnable at `from`. It starts once the
   * group is not throttled (and not before the period whose runtime the group is spending), uses the
   * runtime left, is throttled at each period's end of runtime until the refill, and goes on.
   * Returns when the work is done; the group never uses more than its quota in any period.
   */
  run(ns: number, from: number): number {
    let t = Math.max(from, this.throttledUntil, this.periodIndex * this.periodNs);
    let left = ns;
    while (left > 0) {
      this.refill(t);
      const periodEnd = (this.periodIndex + 1) * this.periodNs;
      if (this.runtime <= 0) {
        this.throttle(t, periodEnd);
        t = periodEnd;
        continue;
      }
      const use = Math.min(left, this.runtime, periodEnd - t);
      if (use <= 0) {
        t = periodEnd;
        continue;
      }
      this.segs.push(t, t + use);
      this.runtime -= use;
      left -= use;
      t += use;
      if (left > 0 && this.runtime <= 0) {
        this.throttle(t, periodEnd);
        t = periodEnd;
      }
    }
    return t;
  }

  /**
   * Runtime that `run` handed out for use after `t` (work already accounted for, not yet done at
   * `t`). Forgets segments that ended by `t`, so call it with non-decreasing `t`.
   */
  usedAfter(t: number): number {
    let s = 0;
    const keep: number[] = [];
    for (let i = 0; i < this.segs.length; i += 2) {
      const a = this.segs[i];
      const b = this.segs[i + 1];
      if (b > t) {
        s += b - Math.max(a, t);
        keep.push(a, b);
      }
    }
    this.segs = keep;
    return s;
  }

  /** Throttled ns counted so far that lie after `t` (throttles decided ahead of time). */
  throttledAfter(t: number): number {
    let s = 0;
    for (let i = 0; i < this.throttles.length; i += 2) {
      const b = this.throttles[i + 1];
      if (b > t) s += b - Math.max(this.throttles[i], t);
    }
    return s;
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
    this.throttle(now, resume);
    return resume;
  }
}

/** Throttled ns that fall inside [from, to), given the total counted up to `from` (see node-run). */
export function throttledWithin(b: CfsBandwidth, countedSince: number, to: number): number {
  // the part of the throttles decided ahead of time that runs past `to` was counted but is outside the window
  return Math.max(0, b.throttledNs - countedSince - b.throttledAfter(to));
}
