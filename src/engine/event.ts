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
  /** The same as a callback, for when the event has other callbacks before it. */
  readonly resumeCb: EventCallback<any>;
}

const PENDING = 0;
const TRIGGERED = 1;
const PROCESSED = 2;

export class SimEvent<T = unknown> {
  /** 0 pending, 1 triggered (callbacks scheduled), 2 processed (callbacks ran). */
  protected state = PENDING;
  /** True if the event succeeded; false if it failed (value is then the error). */
  ok = true;
  value: T | undefined = undefined;
  /** First waiter, only when it was the first to register (so order is kept: waiter, cb0, cbs). */
  private waiter: Waiter | null = null;
  private cb0: EventCallback<T> | null = null;
  private cbs: EventCallback<T>[] | null = null;
  /** Set when a failure was handed to at least one callback (an unhandled failure is raised by run). */
  defused = false;

  constructor(readonly env: Environment) {}

  get triggered(): boolean {
    return this.state !== PENDING;
  }
  get processed(): boolean {
    return this.state === PROCESSED;
  }

  /** Runs `cb(event)` when the event is processed (at once if it already was). */
  addCallback(cb: EventCallback<T>): void {
    if (this.state === PROCESSED) {
      this.env.schedule(0, cb as (a: unknown) => void, this);
      return;
    }
    if (this.waiter === null && this.cb0 === null && this.cbs === null) this.cb0 = cb;
    else (this.cbs ??= []).push(cb);
  }

  /** @internal Resumes process `w` when the event is processed (the process layer's fast path). */
  addWaiter(w: Waiter): void {
    if (this.state === PROCESSED) {
      this.env.schedule(0, w.resumeCb as (a: unknown) => void, this);
      return;
    }
    if (this.waiter === null && this.cb0 === null && this.cbs === null) this.waiter = w;
    else (this.cbs ??= []).push(w.resumeCb);
  }

  /** @internal Undoes `addWaiter` (the process was interrupted). */
  removeWaiter(w: Waiter): void {
    if (this.waiter === w) this.waiter = null;
    else this.removeCallback(w.resumeCb);
  }

  /** Removes a callback added earlier (used when a waiting process is interrupted). */
  removeCallback(cb: EventCallback<T>): void {
    if (this.cb0 === cb) this.cb0 = null;
    else if (this.cbs !== null) {
      const i = this.cbs.indexOf(cb);
      if (i >= 0) this.cbs.splice(i, 1);
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

  /** @internal used by Timeout, which is triggered at creation but processed later. */
  protected markTriggered(value: T): void {
    this.ok = true;
    this.value = value;
    this.state = TRIGGERED;
  }

  /** @internal runs the callbacks. */
  runCallbacks(): void {
    this.state = PROCESSED;
    const w = this.waiter;
    const c0 = this.cb0;
    const cs = this.cbs;
    this.waiter = null;
    this.cb0 = null;
    this.cbs = null;
    if (w !== null) {
      this.defused = true;
      w.resume(this);
    }
    if (c0 !== null) {
      this.defused = true;
      c0(this);
    }
    if (cs !== null) {
      this.defused = true;
      for (let i = 0; i < cs.length; i++) cs[i](this);
    }
    if (!this.ok && !this.defused) {
      throw this.value instanceof Error ? this.value : new Error(`unhandled failed event: ${String(this.value)}`);
    }
  }
}

function processEvent(ev: SimEvent<unknown>): void {
  ev.runCallbacks();
}

/** An event that is processed `delay` ns after its creation. */
export class Timeout<T = undefined> extends SimEvent<T> {
  constructor(env: Environment, delay: number, value: T) {
    super(env);
    if (!(delay >= 0) || delay === Infinity) {
      throw new RangeError(`timeout: delay must be a finite number >= 0, got ${delay}`);
    }
    this.markTriggered(value);
    env.scheduleUnchecked(delay, processEvent, this);
  }
}
