/**
 * The simulation clock and scheduler: SimPy's `Environment`, with plain callbacks for hot paths.
 *
 * Time is a float64 count of **nanoseconds** from the start of the run. `schedule(delay, fn, arg)`
 * is the cheapest way to make something happen later; `process(generator)` runs a SimPy-style
 * process that yields events (`timeout`, resource requests, other processes). Events due at the same
 * time run in the order they were scheduled (see event-queue.ts), so a run is a pure function of its
 * inputs and seed.
 */
import { EventQueue, type Callback } from "./event-queue.ts";
import { SimEvent, Timeout } from "./event.ts";
import { Process, type ProcessGenerator } from "./process.ts";

// Hot-path aliases of imported bindings. tsx (how the benchmarks and CLI run) loads each module as
// CommonJS, where every use of an imported binding is a getter call through the exports object; a
// module-level const is read directly. Measured: ~10% on the process benchmarks.
const TimeoutClass = Timeout;
const ProcessClass = Process;

/** Raised by `run` when a callback or process throws; says when. */
export class SimulationError extends Error {
  constructor(
    message: string,
    readonly time: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "SimulationError";
  }
}

export class Environment {
  private _now: number;
  /** Insertion order of timed events (the FIFO of events due now keeps its own order). */
  private seq = 0;
  private readonly queue: EventQueue;
  private stopped = false;
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

  /** @internal `schedule` for callers that checked `delay` already; returns nothing. */
  scheduleUnchecked(delay: number, fn: Callback, arg: unknown): void {
    const at = this._now + delay;
    if (at === this._now) this.queue.pushNow(fn, arg);
    else this.queue.pushTimed(at, this.seq++, fn, arg);
  }

  /** @internal `schedule(0, fn, arg)` without the checks and the handle (event triggering). */
  scheduleNow(fn: Callback, arg: unknown): void {
    this.queue.pushNow(fn, arg);
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

  /** A new untriggered event; call `succeed(value)` or `fail(error)` on it. */
  event<T = unknown>(): SimEvent<T> {
    return new SimEvent<T>(this);
  }

  /** An event that succeeds with `value` after `delay` ns. */
  timeout<T = undefined>(delay: number, value?: T): Timeout<T> {
    return new TimeoutClass<T>(this, delay, value as T);
  }

  /** Starts a process from a generator; the process is itself an event that succeeds with its return value. */
  process<R>(generator: ProcessGenerator<R>): Process<R> {
    return new ProcessClass<R>(this, generator);
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
   * Runs until no event is left, until simulated time `until` (events at exactly `until` do not run;
   * the clock is left at `until`), or until the event `until` has been processed.
   */
  run(until?: number | SimEvent<any>): void {
    this.stopped = false;
    if (until instanceof SimEvent) {
      if (until.processed) return;
      until.addCallback(() => {
        this.stopped = true;
      });
      while (!this.stopped && this.step());
      if (!until.processed) {
        throw new SimulationError("run: no events left before the awaited event was processed", this._now);
      }
      return;
    }
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

  /** Asks a running `run()` to return after the current event. */
  stop(): void {
    this.stopped = true;
  }
}
