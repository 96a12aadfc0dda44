/**
 * Events: things that may happen, are going to happen (triggered), then have happened (processed).
 *
 * The life cycle follows SimPy's `Event`: created pending; `succeed`/`fail` triggers it, which
 * schedules its callbacks to run at the current time; once they ran it is processed. A process that
 * yields an event resumes when the event is processed. One callback is kept in a field, more in an
 * array, so the common single-waiter case allocates nothing extra.
 */
import type { Environment } from "./environment.ts";

export type EventCallback<T> = (event: SimEvent<T>) => void;

/** @internal A waiting process: resumed directly, without a closure per process. */
export interface Waiter {
  resume(ev: SimEvent<any>): void;
}

/** What runs when an event is processed: a callback, or a waiting process resumed directly. */
type Listener<T> = EventCallback<T> | Waiter;

const PENDING = 0;
const TRIGGERED = 1;
const PROCESSED = 2;

/**
 * Performance notes (V8, measured on the engine benchmarks; keep them when editing):
 * - Keep the event classes created on hot paths to four or fewer (today SimEvent, Timeout, Request,
 *   Process). SimEvent's constructor runs against every subclass's object layout; past four layouts
 *   its property stores go megamorphic and every event creation takes the slow path (measured: the
 *   spinlock benchmark 5x slower with a fifth subclass). Extra data for an event belongs in the
 *   owner (see SpinLock's parallel arrays), not in a new subclass.
 * - SimEvent's fields are set by plain assignments in its constructor (`declare`d, not initialised:
 *   an initialiser compiles to a class-field definition, slower than a store). But every subclass
 *   must define at least one class field of its own (Timeout's `delay`, Request's `granted`,
 *   Process's `target`): tsx, which runs the benchmarks and the CLI, names each class through a
 *   static block (esbuild's keepNames), and V8 then allocates instances of a derived class without
 *   own fields on a runtime slow path, ~10x slower per event (measured: both process benchmarks
 *   0.24 M customers/s instead of 2.3 M).
 */
export class SimEvent<T = unknown> {
  declare readonly env: Environment;
  /** 0 pending, 1 triggered (callbacks scheduled), 2 processed (callbacks ran). */
  protected declare state: number;
  /** True if the event succeeded; false if it failed (value is then the error). */
  declare ok: boolean;
  declare value: T | undefined;
  /** The first listener, kept in a field so the common single-waiter case allocates nothing. */
  private declare first: Listener<T> | null;
  /** Listeners after the first, in registration order. */
  private declare rest: Listener<T>[] | null;
  /** Set when a failure was handed to at least one callback (an unhandled failure is raised by run). */
  declare defused: boolean;

  constructor(env: Environment) {
    this.env = env;
    this.state = PENDING;
    this.ok = true;
    this.value = undefined;
    this.first = null;
    this.rest = null;
    this.defused = false;
  }

  get triggered(): boolean {
    return this.state !== PENDING;
  }
  get processed(): boolean {
    return this.state === PROCESSED;
  }

  /** Runs `cb(event)` when the event is processed (at once if it already was). */
  addCallback(cb: EventCallback<T>): void {
    this.listen(cb);
  }

  /** @internal Resumes process `w` when the event is processed (the process layer's fast path). */
  addWaiter(w: Waiter): void {
    this.listen(w);
  }

  private listen(l: Listener<T>): void {
    if (this.state === PROCESSED) {
      this.env.scheduleNow(runLate, { ev: this, l });
      return;
    }
    if (this.first === null && this.rest === null) this.first = l;
    else (this.rest ??= []).push(l);
  }

  /** @internal Undoes `addWaiter` (the process was interrupted). */
  removeWaiter(w: Waiter): void {
    this.unlisten(w);
  }

  /** Removes a callback added earlier (used when a waiting process is interrupted). */
  removeCallback(cb: EventCallback<T>): void {
    this.unlisten(cb);
  }

  private unlisten(l: Listener<T>): void {
    if (this.first === l) this.first = null;
    else if (this.rest !== null) {
      const i = this.rest.indexOf(l);
      if (i >= 0) this.rest.splice(i, 1);
    }
  }

  /** Triggers the event with `value`; its callbacks run at the current time. */
  succeed(value?: T): this {
    if (this.state !== PENDING) throw new Error("SimEvent.succeed: event has already been triggered");
    this.ok = true;
    this.value = value;
    this.state = TRIGGERED;
    this.env.scheduleNow(processEvent, this);
    return this;
  }

  /** Triggers the event as failed; processes waiting on it get `error` thrown into them. */
  fail(error: unknown): this {
    if (this.state !== PENDING) throw new Error("SimEvent.fail: event has already been triggered");
    this.ok = false;
    this.value = error as T;
    this.state = TRIGGERED;
    this.env.scheduleNow(processEvent, this);
    return this;
  }

  /** @internal runs the callbacks. */
  runCallbacks(): void {
    this.state = PROCESSED;
    const f = this.first;
    const r = this.rest;
    this.first = null;
    this.rest = null;
    if (f !== null) {
      this.defused = true;
      if (typeof f === "function") f(this);
      else f.resume(this);
    }
    if (r !== null) {
      this.defused = true;
      for (let i = 0; i < r.length; i++) {
        const l = r[i];
        if (typeof l === "function") l(this);
        else l.resume(this);
      }
    }
    if (!this.ok && !this.defused) {
      throw this.value instanceof Error ? this.value : new Error(`unhandled failed event: ${String(this.value)}`);
    }
  }
}

function processEvent(ev: SimEvent<unknown>): void {
  ev.runCallbacks();
}

/** A listener added after the event was processed runs on its own, at the current time. */
function runLate(a: { ev: SimEvent<any>; l: Listener<any> }): void {
  if (typeof a.l === "function") a.l(a.ev);
  else a.l.resume(a.ev);
}

/** An event that is processed `delay` ns after its creation. */
export class Timeout<T = undefined> extends SimEvent<T> {
  /** The delay, ns. (A class field of its own: see the performance notes on SimEvent.) */
  readonly delay: number;
  constructor(env: Environment, delay: number, value: T) {
    if (!(delay >= 0) || delay === Infinity) {
      throw new RangeError(`timeout: delay must be a finite number >= 0, got ${delay}`);
    }
    super(env);
    this.delay = delay;
    this.state = TRIGGERED; // succeeded at creation (ok is true), processed `delay` ns later
    this.value = value;
    env.scheduleUnchecked(delay, processEvent, this);
  }
}
