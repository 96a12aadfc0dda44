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
  /** Grant times of the claims so far, ascending (a lock grants in order), from `head` on. */
  private readonly grants: number[] = [];
  private head = 0;

  /**
   * Takes the lock for a claim made at `at`: sets `ahead`, and returns when the lock is taken (`at`,
   * or the end of the last hold if later). Hold it until `release(end)`.
   */
  override acquire(at: number): number {
    const q = this.grants;
    let h = this.head;
    // claims granted by `at` are no longer waiting (the grant times ascend, so they are a prefix;
    // the prefix only grows: a claim whose `at` is earlier than the previous one's does not count
    // again the claims that one found granted)
    while (h < q.length && q[h] <= at) h++;
    this.ahead = q.length - h;
    if (h > 64 && h * 2 > q.length) {
      q.splice(0, h);
      h = 0;
    }
    this.head = h;
    const start = super.acquire(at);
    q.push(start);
    return start;
  }
}
