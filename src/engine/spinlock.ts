/**
 * SpinLock: a lock whose waiters busy-wait, granted in the order it is asked for, on a Timeline.
 *
 * A claim made at `at` takes the lock when it is free (`acquire(at)` returns that time; the wait
 * before it is spinning, CPU time the waiter cannot give to anything else: `waitNs`, `waited`), holds
 * it for whatever the caller works out (which may depend on whether it spun and on how many claims
 * were waiting ahead of it), and lets go at `release(end)`. No event per grant and no waiting list:
 * the caller is a callback on the event heap that knows its own times (see timeline.ts).
 *
 * Beyond a plain Timeline, a queued lock's cost depends on the queue a claim finds: `ahead`, set by
 * each `acquire`, counts the earlier claims that were still waiting for the lock at `at` (granted
 * after `at`). The kernel's qspinlock, for one, takes its pending path with nobody ahead and queues
 * (MCS) behind a waiter.
 */
import { Timeline } from "./timeline.ts";

export class SpinLock extends Timeline {
  /** Set by `acquire`: earlier claims still waiting at its `at` (their grant lies after it). */
  ahead = 0;
  /**
   * Grant times of the claims not yet known to be granted, ascending (a lock grants in order): a
   * growable ring, so a claim costs no allocation and no shifting.
   */
  private grants = new Float64Array(16);
  private head = 0;
  private count = 0;

  /**
   * Takes the lock for a claim made at `at`: sets `ahead`, and returns when the lock is taken (`at`,
   * or the end of the last hold if later). Hold it until `release(end)`.
   */
  override acquire(at: number): number {
    const q = this.grants;
    const cap = q.length;
    let h = this.head;
    let n = this.count;
    // claims granted by `at` are no longer waiting (the grant times ascend, so they are at the front;
    // they are dropped, so a claim whose `at` is earlier than the previous one's does not count again
    // the claims that one found granted)
    while (n > 0 && q[h] <= at) {
      h = h + 1 === cap ? 0 : h + 1;
      n--;
    }
    this.ahead = n;
    this.head = h;
    this.count = n;
    const start = super.acquire(at);
    if (n === cap) this.grow();
    const k = this.head + n;
    this.grants[k >= this.grants.length ? k - this.grants.length : k] = start;
    this.count = n + 1;
    return start;
  }

  private grow(): void {
    const old = this.grants;
    const q = new Float64Array(old.length * 2);
    for (let i = 0; i < this.count; i++) {
      const k = this.head + i;
      q[i] = old[k >= old.length ? k - old.length : k];
    }
    this.grants = q;
    this.head = 0;
  }
}
