/**
 * The simulation clock and scheduler: callbacks on an event heap.
 *
 * Time is a float64 count of **nanoseconds** from the start of the run. `schedule(delay, fn, arg)`
 * runs `fn(arg)` later; a model is a set of such callbacks, each of which works out what happens
 * next (on resources kept as Timelines, see timeline.ts) and schedules it. Events due at the same
 * time run in the order they were scheduled (see event-queue.ts), so a run is a pure function of
 * its inputs and seed. An exception thrown by a callback propagates out of `run` unchanged, with
 * the clock at the failing event's time.
 */
import { EventQueue, type Callback } from "./event-queue.ts";

export class Environment {
  private _now: number;
  /** Insertion order of timed events (the FIFO of events due now keeps its own order). */
  private seq = 0;
  private readonly queue: EventQueue;
  /** Events run so far (cancelled ones are not counted). */
  processedEvents = 0;

  constructor(options: { initialTime?: number; initialCapacity?: number } = {}) {
    const t0 = options.initialTime ?? 0;
    if (!Number.isFinite(t0)) throw new RangeError(`Environment: initialTime must be finite, got ${t0}`);
    this._now = t0;
    this.queue = new EventQueue(options.initialCapacity);
  }

  /** Current simulated time, ns. */
  get now(): number {
    return this._now;
  }

  /**
   * Runs `fn(arg)` after `delay` ns. Returns an id for `cancel`. A delay too small to move the
   * clock (now + delay === now) counts as zero: the event goes behind those already due now.
   */
  schedule(delay: number, fn: Callback, arg?: unknown): number {
    if (!(delay >= 0) || delay === Infinity) {
      throw new RangeError(`schedule: delay must be a finite number >= 0, got ${delay}`);
    }
    const at = this._now + delay;
    const slot = at === this._now ? this.queue.pushNowCancellable(fn, arg) : this.queue.pushTimed(at, this.seq++, fn, arg);
    return this.queue.handleOf(slot);
  }

  /** Runs `fn(arg)` at absolute time `time` (>= now). */
  scheduleAt(time: number, fn: Callback, arg?: unknown): number {
    if (!(time >= this._now) || time === Infinity) {
      throw new RangeError(`scheduleAt: time must be finite and >= now (${this._now}), got ${time}`);
    }
    return this.schedule(time - this._now, fn, arg);
  }

  /** Cancels a scheduled callback. Returns false if it already ran or was cancelled. */
  cancel(id: number): boolean {
    return this.queue.cancel(id);
  }

  /** Time of the next event, or Infinity when none is pending. */
  peek(): number {
    return this.queue.peekTime(this._now);
  }

  /** Events scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.queue.length - this.queue.cancelledPending;
  }

  /** Runs the next event, or discards it if it was cancelled. Returns false when there was none. */
  step(): boolean {
    const q = this.queue;
    const ticket = q.pop(this._now);
    if (ticket === -1) return false;
    const fn = q.takeFn(ticket);
    const arg = q.takeArg(ticket);
    if (fn === null) return true; // cancelled: discarded, the clock does not move
    this._now = q.nextTime;
    this.processedEvents++;
    fn(arg);
    return true;
  }

  /**
   * Runs until no event is left, or until simulated time `until` (events at exactly `until` do not
   * run; the clock is left at `until`).
   */
  run(until?: number): void {
    if (until !== undefined) {
      if (!(until >= this._now)) {
        throw new RangeError(`run: until must be >= now (${this._now}), got ${until}`);
      }
      const q = this.queue;
      while (q.peekTime(this._now) < until) this.step();
      this._now = until;
      return;
    }
    while (this.step());
  }
}
