/**
 * Timeline: one resource (a CPU's agent work, a lock) as the time from which it is next free.
 *
 * This is how the node model advances time: a callback on the event heap works out when its work
 * on a resource starts (`acquire(at)`: `at`, or the resource's free time if that is later), how long
 * it holds it (which may depend on whether it had to wait), and when it lets go (`release(end)`);
 * claims are served in the order they are made, with no event per grant and no waiting list. The
 * caller's `at` may lie ahead of the engine's clock (a callback that walks through several steps
 * of work computes their times in a loop), and need not increase from one call to the next: the
 * order of the calls is the order of service.
 *
 * Arithmetic: `acquire` returns `freeAt` or `at` unchanged (a comparison, no rounding) and `release`
 * stores the caller's `end`, so a model moved onto a Timeline from a bare free-time field computes
 * bit for bit what it did.
 *
 * Statistics (since creation or `reset`): claims, the claims that waited, the ns they waited, and
 * the ns the resource was held.
 */
export class Timeline {
  /** When the resource is next free: the end of the last hold (initially the creation time). */
  freeAt: number;
  /** Claims acquired. */
  claims = 0;
  /** Claims that found the resource busy, and the ns they waited in all. */
  waited = 0;
  waitNs = 0;
  /** ns the resource was held (from each claim's start to its release). */
  busyNs = 0;
  /** Start of the claim being held, or NaN when none is. */
  private start = NaN;

  constructor(t0 = 0) {
    if (!Number.isFinite(t0)) throw new RangeError(`Timeline: t0 must be finite, got ${t0}`);
    this.freeAt = t0;
  }

  /** Whether a claim is being held (acquired, not yet released). */
  get held(): boolean {
    return this.start === this.start;
  }

  /** When a claim made at `at` would start: `at`, or the free time if that is later. Changes nothing. */
  startFor(at: number): number {
    return this.freeAt > at ? this.freeAt : at;
  }

  /** ns a claim made at `at` would wait. */
  waitFor(at: number): number {
    return this.freeAt > at ? this.freeAt - at : 0;
  }

  /**
   * Takes the resource for a claim made at `at`; returns when the claim starts. The claim holds it
   * until `release(end)`; one claim at a time.
   */
  acquire(at: number): number {
    if (this.start === this.start) throw new Error(`Timeline.acquire at ${at}: the claim that started at ${this.start} was not released`);
    this.claims++;
    let s = at;
    if (this.freeAt > at) {
      s = this.freeAt;
      this.waited++;
      this.waitNs += s - at;
    }
    this.start = s;
    return s;
  }

  /** Lets the resource go at `end` (>= the claim's start): it is free from then on. */
  release(end: number): void {
    const s = this.start;
    if (!(end >= s)) {
      throw new Error(s === s ? `Timeline.release: end ${end} is before the claim's start ${s}` : "Timeline.release: no claim is held");
    }
    this.busyNs += end - s;
    this.freeAt = end;
    this.start = NaN;
  }

  /** `acquire(at)` then `release(start + holdNs)`; returns the start. */
  claim(at: number, holdNs: number): number {
    if (!(holdNs >= 0)) throw new RangeError(`Timeline.claim: holdNs must be >= 0, got ${holdNs}`);
    const s = this.acquire(at);
    this.release(s + holdNs);
    return s;
  }

  /** Forgets the statistics (warm-up removal); the free time and a held claim stay. */
  reset(): void {
    this.claims = 0;
    this.waited = 0;
    this.waitNs = 0;
    this.busyNs = 0;
  }
}
