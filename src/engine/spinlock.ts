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

// Hot-path alias of an imported binding: see the note in environment.ts.
const SimEventClass = SimEvent;

export interface SpinLockOptions {
  /**
   * Extra ns before the next owner holds the lock after `from` released it (or -1: nobody held it yet).
   * @defaultValue a function returning 0
   */
  handoffDelay?: (from: number, to: number) => number;
}

export class SpinLock {
  private held = false;
  private lastOwner = -1;
  // The queue of waiters, as a ring of parallel arrays (no record per acquisition): owner id, when it
  // started spinning, and the event to succeed (process style) or the callback to run (callback
  // style). Not a SimEvent subclass: see the performance note on SimEvent. The arrays are allocated
  // full, never grown from empty by `push` (see fifo.ts for why).
  private owners = new Float64Array(RING0);
  private sinces = new Float64Array(RING0);
  private evs: (SimEvent<number> | null)[] = filledNull(RING0);
  private cbs: (((spinNs: number) => void) | null)[] = filledNull(RING0);
  private head = 0;
  private waiting = 0;
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
    this.handoffDelay = options.handoffDelay ?? noHandoffDelay;
  }

  get isHeld(): boolean {
    return this.held;
  }
  get spinning(): number {
    return this.waiting;
  }

  /**
   * Acquires for `owner` (process style): the event succeeds, with the ns spent spinning, once the
   * lock is held.
   */
  acquire(owner: number): SimEvent<number> {
    const ev = new SimEventClass<number>(this.env);
    this.enqueue(owner, ev, null);
    return ev;
  }

  /** Acquires for `owner` (callback style, no event allocated): `then(spinNs)` runs once held. */
  acquireThen(owner: number, then: (spinNs: number) => void): void {
    this.enqueue(owner, null, then);
  }

  /** Releases the lock; the longest-waiting spinner gets it after the handoff delay. */
  release(owner: number): void {
    if (!this.held) throw new Error(`SpinLock.release: lock is not held (owner ${owner})`);
    this.held = false;
    this.lastOwner = owner;
    if (this.spinning > 0) this.grantNext();
  }

  private enqueue(owner: number, ev: SimEvent<number> | null, cb: ((spinNs: number) => void) | null): void {
    this.acquisitions++;
    if (!this.held) {
      // Free, so nobody spins (a release hands the lock straight to the next spinner): taken at
      // once unless the handoff takes time. The same steps as queueing and granting, without the queue.
      this.held = true;
      const d = this.handoffDelay(this.lastOwner, owner);
      if (!(d > 0)) {
        if (cb !== null) cb(0);
        else ev!.succeed(0);
        return;
      }
      this.push(owner, ev, cb);
      this.env.schedule(d, grantWaiter, this);
      return;
    }
    this.contended++;
    this.push(owner, ev, cb);
  }

  private push(owner: number, ev: SimEvent<number> | null, cb: ((spinNs: number) => void) | null): void {
    if (this.waiting === this.owners.length) this.grow();
    let at = this.head + this.waiting;
    if (at >= this.owners.length) at -= this.owners.length;
    this.owners[at] = owner;
    this.sinces[at] = this.env.now;
    this.evs[at] = ev;
    this.cbs[at] = cb;
    this.waiting++;
  }

  private grow(): void {
    const n = this.owners.length;
    const owners = new Float64Array(2 * n);
    const sinces = new Float64Array(2 * n);
    const evs: (SimEvent<number> | null)[] = filledNull(2 * n);
    const cbs: (((spinNs: number) => void) | null)[] = filledNull(2 * n);
    for (let i = 0; i < this.waiting; i++) {
      let k = this.head + i;
      if (k >= n) k -= n;
      owners[i] = this.owners[k];
      sinces[i] = this.sinces[k];
      evs[i] = this.evs[k];
      cbs[i] = this.cbs[k];
    }
    this.owners = owners;
    this.sinces = sinces;
    this.evs = evs;
    this.cbs = cbs;
    this.head = 0;
  }

  private grantNext(): void {
    this.held = true; // reserved for the next waiter from now on (it is on its way to it)
    const d = this.handoffDelay(this.lastOwner, this.owners[this.head]);
    if (d > 0) this.env.schedule(d, grantWaiter, this);
    else grantWaiter(this);
  }

  /** @internal */
  finishGrant(): void {
    const h = this.head;
    const since = this.sinces[h];
    const ev = this.evs[h];
    const cb = this.cbs[h];
    this.evs[h] = null;
    this.cbs[h] = null;
    this.head = h + 1 === this.owners.length ? 0 : h + 1;
    this.waiting--;
    const spun = this.env.now - since;
    this.spinTime += spun;
    if (cb !== null) cb(spun);
    else ev!.succeed(spun);
  }
}

const RING0 = 16;

function filledNull<V>(n: number): (V | null)[] {
  const a: (V | null)[] = [];
  for (let i = 0; i < n; i++) a.push(null);
  return a;
}

/** The default handoff: none. One function for all locks (a new closure per lock would make the call
 * site in `enqueue` see a new target, and deoptimise, in every replication of a model). */
function noHandoffDelay(): number {
  return 0;
}

function grantWaiter(lock: SpinLock): void {
  lock.finishGrant();
}
