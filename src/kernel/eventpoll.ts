/**
 * The epoll wakeup chain's shared lock: every perf (or ring buffer) wakeup runs ep_poll_callback
 * on the producing CPU, and all of them feed one eventpoll, so N producing CPUs contend for it.
 *
 * Kernel: fs/eventpoll.c `ep_poll_callback`. Its lock by era (models/mechanisms/eventpoll-lock.json):
 * spin_lock_irqsave(&ep->lock) up to v5.0; read_lock_irqsave(&ep->lock) with a lockless
 * ready-list add from v5.1 (commit a218cc4914) to v6.16; a spinlock again from v6.17 (Nam Cao,
 * "eventpoll: Replace rwlock with spinlock", 2025). In every era, a callback that finds the waiter
 * asleep calls wake_up(&ep->wq) inside the locked region, and `__wake_up_common_lock` holds
 * ep->wq.lock while `try_to_wake_up` picks a CPU (select_idle_sibling: scheduler.ts
 * `idleCpuScanNs`) and sends the wakeup IPI, a VM exit on a guest without IPI virtualisation (a
 * hypercall on Hyper-V, arch/x86/hyperv/hv_apic.c). A waiter that is awake is not on ep->wq
 * (autoremove wake function, commit 412895f03cbf), so only the first callback after it slept pays that.
 *
 * The model: one lock per eventpoll, granted in the order callbacks reach it (the node model calls
 * them in time order); a callback holds it for the era's serial cost S (fitted on the stress-epoll
 * tables by src/calibration/eventpoll-fit.ts), a waking one for S plus the wakeup's own work, the
 * idle-CPU search and the IPI send. A callback that finds it held spins (irqs off, on the producing
 * CPU) until it is free. Left out: the reader's own ep->lock acquisitions in ep_poll /
 * ep_send_events (it holds ep->mtx and takes ep->lock briefly per transfer), qspinlock fairness.
 */
import { SpinLock } from "../engine/index.ts";
import { atLeast, type KernelVersion } from "./version.ts";

export interface EventpollEraFit {
  holdNs: number;
  thinkNs: number;
}

/** The eventpoll-lock.json era a kernel belongs to. */
export function eventpollEra(k: KernelVersion): "spinlock-to-5.0" | "rwlock-5.1-to-6.16" | "spinlock-from-6.17" {
  if (!atLeast(k, 5, 1)) return "spinlock-to-5.0";
  if (!atLeast(k, 6, 17)) return "rwlock-5.1-to-6.16";
  return "spinlock-from-6.17";
}

export class EventpollLock {
  /** ep->lock (with ep->wq.lock inside it), on the engine's timeline of when it is next free. */
  readonly lock = new SpinLock();

  /** @param callbackHoldNs the era's serial cost of one callback (S). */
  constructor(readonly callbackHoldNs: number) {}

  /** Counters (whole run): callbacks, the ones that spun, ns spun. */
  get callbacks(): number {
    return this.lock.claims;
  }
  get contended(): number {
    return this.lock.waited;
  }
  get spinNs(): number {
    return this.lock.waitNs;
  }

  /**
   * A callback reaching the lock at `now`; `wakeExtraNs` is what waking a sleeping waiter adds to
   * the hold (0 if it is awake). Returns the ns the producing CPU spins before it gets the lock.
   */
  callback(now: number, wakeExtraNs: number): number {
    const start = this.lock.acquire(now);
    this.lock.release(start + this.callbackHoldNs + wakeExtraNs);
    return start - now;
  }
}
