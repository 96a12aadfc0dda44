/**
 * Processes: generator functions that yield events and resume when those events are processed.
 *
 * `yield env.timeout(5)` suspends for 5 ns; `yield resource.request()` until granted; `yield
 * otherProcess` until it returns. A failed event is thrown into the generator at the yield. A process
 * is itself an event: it succeeds with the generator's return value, or fails with what it threw.
 * `interrupt(cause)` throws an `Interrupt` into a waiting process at the current time.
 */
import type { Environment } from "./environment.ts";
import { SimEvent } from "./event.ts";

// Hot-path alias of an imported binding: see the note in environment.ts.
const SimEventClass = SimEvent;

export type ProcessGenerator<R = unknown> = Generator<SimEvent<any>, R, any>;

/** Thrown into a process by `Process.interrupt`; `cause` says why. */
export class Interrupt extends Error {
  constructor(override readonly cause: unknown) {
    super(`process interrupted: ${String(cause)}`);
    this.name = "Interrupt";
  }
}

export class Process<R = unknown> extends SimEvent<R> {
  // One class field of its own (`target`), the others `declare`d and assigned: see the performance
  // notes on SimEvent.
  /** The event the process waits on, if any. */
  private target: SimEvent<any> | null = null;
  private declare readonly generator: ProcessGenerator<R>;
  /**
   * The generator's `next`, looked up once. Every generator function (and every closure of one) gives
   * its generators their own hidden class, so `generator.next` looked up at each resume goes
   * megamorphic as soon as a run has a few process functions (measured: ~2% of the M/M/1 profile).
   */
  private declare readonly nextOf: ProcessGenerator<R>["next"];

  constructor(env: Environment, generator: ProcessGenerator<R>) {
    super(env);
    const next = generator === null || generator === undefined ? undefined : (generator as { next?: unknown }).next;
    if (typeof next !== "function") {
      throw new TypeError("process: expected a generator (call the generator function first)");
    }
    this.generator = generator;
    this.nextOf = next as ProcessGenerator<R>["next"];
    env.scheduleNow(startProcess, this);
  }

  /** True while the generator has not returned or thrown. */
  get isAlive(): boolean {
    return !this.triggered;
  }

  /** Throws `Interrupt(cause)` into the process at the current time, wherever it waits. */
  interrupt(cause?: unknown): void {
    if (!this.isAlive) throw new Error("interrupt: the process has already terminated");
    this.env.schedule(0, deliverInterrupt, { proc: this, cause });
  }

  /** @internal */
  doInterrupt(cause: unknown): void {
    if (!this.isAlive) return;
    if (this.target !== null) {
      this.target.removeWaiter(this);
      this.target = null;
    }
    this.advance(false, new Interrupt(cause));
  }

  /** @internal */
  resume(ev: SimEvent<any>): void {
    this.target = null;
    this.advance(ev.ok, ev.value);
  }

  /** @internal */
  advance(ok: boolean, value: unknown): void {
    let res: IteratorResult<SimEvent<any>, R>;
    try {
      res = ok ? this.nextOf.call(this.generator, value) : this.generator.throw(value);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (res.done) {
      this.succeed(res.value);
      return;
    }
    const next = res.value;
    if (!(next instanceof SimEventClass)) {
      const err = new TypeError(`process yielded ${String(next)}, which is not an event`);
      this.fail(err);
      return;
    }
    this.target = next;
    next.addWaiter(this);
  }
}

function startProcess(p: Process<unknown>): void {
  p.advance(true, undefined);
}

function deliverInterrupt(a: { proc: Process<unknown>; cause: unknown }): void {
  a.proc.doInterrupt(a.cause);
}
