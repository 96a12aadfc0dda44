/**
 * A first-in first-out queue on a growable ring buffer: the waiting lists of resources, stores and
 * locks. `push` and `shift` are O(1) and allocate nothing until the ring must grow; `removeAt` (a
 * waiter withdrawn from the middle) is O(n) and rare.
 *
 * The ring is allocated full (of `undefined`) and written by index: arrays that start empty and grow
 * by `push` change element kind on their first object or float, and the optimised code that pushes
 * into them deoptimises once per new resource, i.e. once per replication of a model.
 */
export class Fifo<T> {
  private buf: (T | undefined)[];
  private head = 0;
  /** Items queued. */
  length = 0;

  constructor(initialCapacity = 16) {
    this.buf = emptyRing<T>(Math.max(4, initialCapacity));
  }

  /** Appends `v` at the back. */
  push(v: T): void {
    if (this.length === this.buf.length) this.grow();
    const buf = this.buf;
    let at = this.head + this.length;
    if (at >= buf.length) at -= buf.length;
    buf[at] = v;
    this.length++;
  }

  /** Removes and returns the front item (undefined when empty). */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const buf = this.buf;
    const h = this.head;
    const v = buf[h];
    buf[h] = undefined;
    this.head = h + 1 === buf.length ? 0 : h + 1;
    this.length--;
    return v;
  }

  /** The `i`-th item from the front (0: the front). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.length) return undefined;
    let k = this.head + i;
    if (k >= this.buf.length) k -= this.buf.length;
    return this.buf[k];
  }

  /** Position of `v` from the front, or -1. */
  indexOf(v: T): number {
    for (let i = 0; i < this.length; i++) if (this.at(i) === v) return i;
    return -1;
  }

  /** Removes the `i`-th item from the front; the items behind it keep their order. */
  removeAt(i: number): void {
    if (i < 0 || i >= this.length) throw new RangeError(`Fifo.removeAt: no item ${i} (length ${this.length})`);
    const buf = this.buf;
    const n = buf.length;
    let k = this.head + i;
    if (k >= n) k -= n;
    for (let j = i; j < this.length - 1; j++) {
      const next = k + 1 === n ? 0 : k + 1;
      buf[k] = buf[next];
      k = next;
    }
    buf[k] = undefined;
    this.length--;
  }

  private grow(): void {
    const old = this.buf;
    const buf = emptyRing<T>(old.length * 2);
    for (let i = 0; i < this.length; i++) {
      let k = this.head + i;
      if (k >= old.length) k -= old.length;
      buf[i] = old[k];
    }
    this.buf = buf;
    this.head = 0;
  }
}

function emptyRing<T>(n: number): (T | undefined)[] {
  const a: (T | undefined)[] = [];
  for (let i = 0; i < n; i++) a.push(undefined);
  return a;
}
