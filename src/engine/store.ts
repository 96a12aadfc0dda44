/**
 * Store: a bounded FIFO of items between producers and consumers (SimPy's Store).
 *
 * `get()` returns an event that succeeds with the oldest item, waiting while the store is empty.
 * When full, `put(item)` either waits for room (`whenFull: "block"`, an event that succeeds once the
 * item is in) or drops the item and counts it (`whenFull: "drop"`, the returned event fails never;
 * it succeeds with `false`). Items are never lost silently: put = got + dropped + stored.
 */
import type { Environment } from "./environment.ts";
import { SimEvent } from "./event.ts";
import { Fifo } from "./fifo.ts";

// Hot-path alias of an imported binding: see the note in environment.ts.
const SimEventClass = SimEvent;

export interface StoreOptions {
  /**
   * Most items held at once.
   * @defaultValue Infinity
   */
  capacity?: number;
  /**
   * What `put` does when the store is full: wait for room, or drop the item.
   * @defaultValue "block"
   */
  whenFull?: "block" | "drop";
}

export class Store<T> {
  readonly capacity: number;
  readonly whenFull: "block" | "drop";
  private readonly items = new Fifo<T>();
  /** Gets waiting for an item, oldest first. */
  private readonly getters = new Fifo<SimEvent<T>>();
  /** Puts waiting for room (whenFull "block"), oldest first. */
  private readonly putters = new Fifo<{ ev: SimEvent<boolean>; item: T }>();
  /** Items accepted, handed out, and dropped so far. */
  putCount = 0;
  getCount = 0;
  dropped = 0;

  constructor(
    readonly env: Environment,
    options: StoreOptions = {},
  ) {
    const capacity = options.capacity ?? Infinity;
    if (!(capacity >= 1) || (capacity !== Infinity && !Number.isInteger(capacity))) {
      throw new RangeError(`Store: capacity must be an integer >= 1 or Infinity, got ${capacity}`);
    }
    const whenFull = options.whenFull ?? "block";
    if (whenFull !== "block" && whenFull !== "drop") {
      throw new RangeError(`Store: whenFull must be "block" or "drop", got ${String(whenFull)}`);
    }
    this.capacity = capacity;
    this.whenFull = whenFull;
  }

  /** Items held now. */
  get size(): number {
    return this.items.length;
  }

  /** Offers an item; the event succeeds with true once stored (or handed over), false if dropped. */
  put(item: T): SimEvent<boolean> {
    const ev = new SimEventClass<boolean>(this.env);
    if (this.getters.length > 0) {
      this.putCount++;
      this.getCount++;
      this.getters.shift()!.succeed(item);
      ev.succeed(true);
    } else if (this.size < this.capacity) {
      this.putCount++;
      this.items.push(item);
      ev.succeed(true);
    } else if (this.whenFull === "drop") {
      this.dropped++;
      ev.succeed(false);
    } else {
      this.putters.push({ ev, item });
    }
    return ev;
  }

  /** Takes the oldest item, waiting while the store is empty. */
  get(): SimEvent<T> {
    const ev = new SimEventClass<T>(this.env);
    if (this.size > 0) {
      const item = this.items.shift() as T;
      this.getCount++;
      ev.succeed(item);
      if (this.putters.length > 0) {
        const p = this.putters.shift()!;
        this.putCount++;
        this.items.push(p.item);
        p.ev.succeed(true);
      }
    } else if (this.putters.length > 0) {
      // capacity reached zero-size path cannot happen (capacity >= 1), kept for clarity
      const p = this.putters.shift()!;
      this.putCount++;
      this.getCount++;
      ev.succeed(p.item);
      p.ev.succeed(true);
    } else {
      this.getters.push(ev);
    }
    return ev;
  }
}
