/**
 * SpinLock: a mutual-exclusion lock whose waiters busy-wait, burning their CPU, instead of sleeping.
 *
 * Waiters are granted in arrival order (a fair, queued lock). Unlike a sleeping Resource, the time a
 * waiter spends before the grant is CPU time it cannot give to anything else, so the lock records it:
 * `spinTime` (total ns spent spinning) and `acquisitions`. An optional `handoffDelay(from, to)` adds
 * the time the lock takes to move from the releasing owner to the next one (the cache line carrying
 * the lock word moving between CPUs); owners are opaque integer ids. The engine knows nothing of
 * CPUs: callers decide what an owner id means and what a handoff costs.
 */
import type { Environment } from "./environment.ts";
import { SimEvent } from "./event.ts";

export interface SpinLockOptions {
  /**
   * Extra ns before the next owner holds the lock after `from` released it (or -1: nobody held it yet).
   * @defaultValue a function returning 0
   */
  handoffDelay?: (from: number, to: number) => number;
}

interface Waiter {
  owner: number;
  since: number;
  ev: SimEvent<number>;
  cb: ((owner: number) => void) | null;
}

export class SpinLock {
  private held = false;
  private lastOwner = -1;
  private readonly waiters: Waiter[] = [];
  private head = 0;
  private readonly handoffDelay: (from: number, to: number) => number;
  /** Total ns waiters spent spinning (granted waiters only). */
  spinTime = 0;
  acquisitions = 0;
  /** Acquisitions that found the lock held. */
  contended = 0;

  constructor(
    readonly env: Environment,
    options: SpinLockOptions = {},
  ) {
    this.handoffDelay = options.handoffDelay ?? (() => 0);
  }

  get isHeld(): boolean {
    return this.held;
  }
  get spinning(): number {
    return this.waiters.length - this.head;
  }

  /**
   * Acquires for `owner` (process style): the event succeeds, with the ns spent spinning, once the
   * lock is held.
   */
  acquire(owner: number): SimEvent<number> {
    const ev = new SimEvent<number>(this.env);
    this.enqueue({ owner, since: this.env.now, ev, cb: null });
    return ev;
  }

  /** Acquires for `owner` (callback style, no event allocated): `then(spinNs)` runs once held. */
  acquireThen(owner: number, then: (spinNs: number) => void): void {
    this.enqueue({ owner, since: this.env.now, ev: null as unknown as SimEvent<number>, cb: then });
  }

  /** Releases the lock; the longest-waiting spinner gets it after the handoff delay. */
  release(owner: number): void {
    if (!this.held) throw new Error(`SpinLock.release: lock is not held (owner ${owner})`);
    this.held = false;
    this.lastOwner = owner;
    if (this.spinning > 0) this.grantNext();
  }

  private enqueue(w: Waiter): void {
    this.acquisitions++;
    if (this.held || this.spinning > 0) this.contended++;
    this.waiters.push(w);
    if (!this.held && this.spinning === 1) this.grantNext();
  }

  private grantNext(): void {
    const w = this.waiters[this.head];
    this.held = true; // reserved for w from now on (it is on its way to w)
    const d = this.handoffDelay(this.lastOwner, w.owner);
    if (d > 0) this.env.schedule(d, grantWaiter, this);
    else grantWaiter(this);
  }

  /** @internal */
  finishGrant(): void {
    const w = this.waiters[this.head];
    this.waiters[this.head++] = undefined as unknown as Waiter;
    if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters.splice(0, this.head);
      this.head = 0;
    }
    const spun = this.env.now - w.since;
    this.spinTime += spun;
    if (w.cb !== null) w.cb(spun);
    else w.ev.succeed(spun);
  }
}

function grantWaiter(lock: SpinLock): void {
  lock.finishGrant();
}
