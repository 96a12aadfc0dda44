/**
 * The future-event set: when each pending callback is due, in a form that is cheap to push and pop.
 *
 * A binary min-heap keyed on (time, sequence), stored as a structure of arrays (Float64Array times,
 * Float64Array sequence numbers, Int32Array payload slots) so the hot loop touches no objects, plus a
 * FIFO ring for events due "now" (zero delay), which never need ordering beyond arrival. The sequence
 * number is the insertion order, so simultaneous events always run in the order they were scheduled,
 * never by chance. Every event due at the current time that sits in the heap was scheduled before
 * the clock reached that time, hence before anything in the FIFO: the heap wins ties with the FIFO.
 *
 * A heap entry names a slot of a side table holding its callback and argument (so sifting moves only
 * numbers). A FIFO entry holds its callback and argument itself, unless it must be cancellable: then
 * it names a slot too. Slots carry a generation count, so a handle (slot and generation) cannot
 * cancel a later event that reuses the slot.
 */

/** A scheduled callback: `fn(arg)` runs when the event is due. */
export type Callback = (arg: any) => void;

const GEN_SPAN = 4194304; // 2^22 generations per slot before a handle can repeat
const GEN_MASK = GEN_SPAN - 1;

/**
 * A packed array of `n` copies of `v`. The queue's object arrays are allocated full and written by
 * index, never grown by `push` from empty: a fresh empty array starts with small-integer elements, and
 * the first push of a function or object into it deoptimises the optimised code that pushes (once per
 * new queue, that is once per replication of a model).
 */
function filled<V>(n: number, v: V): V[] {
  const a: V[] = [];
  for (let i = 0; i < n; i++) a.push(v);
  return a;
}

export class EventQueue {
  // the heap
  private times: Float64Array;
  private seqs: Float64Array;
  private slots: Int32Array;
  private size = 0;

  // the slot table: callback, argument and generation of each slot, and a stack of free slots
  private fns: (Callback | null)[];
  private args: unknown[];
  /** Slots handed out so far (the free stack holds those given back). */
  private slotCount = 0;
  private gens: Int32Array;
  private free: Int32Array;
  private freeLen = 0;

  // the zero-delay FIFO: a growable ring of (callback, argument, slot or -1)
  private fifoFns: (Callback | null)[];
  private fifoArgs: unknown[];
  private fifoSlots: Int32Array;
  private fifoHead = 0;
  private fifoLen = 0;

  /** Cancelled events still in the heap or FIFO (they are skipped when popped). */
  cancelledPending = 0;

  /** Set by `pop`: when the popped event is due. */
  nextTime = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.times = new Float64Array(cap);
    this.seqs = new Float64Array(cap);
    this.slots = new Int32Array(cap);
    this.fns = filled<Callback | null>(cap, null);
    this.args = filled<unknown>(cap, undefined);
    this.gens = new Int32Array(cap);
    this.free = new Int32Array(cap);
    this.fifoFns = filled<Callback | null>(cap, null);
    this.fifoArgs = filled<unknown>(cap, undefined);
    this.fifoSlots = new Int32Array(cap);
  }

  /** Number of events waiting (cancelled ones included until they are popped). */
  get length(): number {
    return this.size + this.fifoLen;
  }

  private allocSlot(fn: Callback, arg: unknown): number {
    if (this.freeLen > 0) {
      const s = this.free[--this.freeLen];
      this.fns[s] = fn;
      this.args[s] = arg;
      this.gens[s] = (this.gens[s] + 1) & GEN_MASK;
      return s;
    }
    const s = this.slotCount++;
    if (s === this.fns.length) this.growSlots();
    this.fns[s] = fn;
    this.args[s] = arg;
    return s;
  }

  /** A handle naming the event now in `slot`; `cancel(handle)` works until that event runs. */
  handleOf(slot: number): number {
    return slot * GEN_SPAN + this.gens[slot];
  }

  /** Cancels the event behind `handle`. False if it already ran or was cancelled. */
  cancel(handle: number): boolean {
    if (!Number.isInteger(handle) || handle < 0) return false;
    const slot = Math.floor(handle / GEN_SPAN);
    if (slot >= this.slotCount || this.gens[slot] !== handle % GEN_SPAN || this.fns[slot] === null) return false;
    this.fns[slot] = null; // popped later and skipped
    this.args[slot] = undefined;
    this.cancelledPending++;
    return true;
  }

  /** Adds an event at absolute `time` with insertion sequence `seq`; returns its slot (see `handleOf`). */
  pushTimed(time: number, seq: number, fn: Callback, arg: unknown): number {
    const slot = this.allocSlot(fn, arg);
    if (this.size === this.times.length) this.growHeap();
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    // sift up
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < time || (pt === time && seqs[p] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p];
      slots[i] = slots[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
    return slot;
  }

  /** Adds an event due at the current time, behind everything already due; it cannot be cancelled. */
  pushNow(fn: Callback, arg: unknown): void {
    if (this.fifoLen === this.fifoSlots.length) this.growFifo();
    let at = this.fifoHead + this.fifoLen;
    if (at >= this.fifoSlots.length) at -= this.fifoSlots.length;
    this.fifoFns[at] = fn;
    this.fifoArgs[at] = arg;
    this.fifoSlots[at] = -1;
    this.fifoLen++;
  }

  /** `pushNow` for an event that may be cancelled; returns its slot (see `handleOf`). */
  pushNowCancellable(fn: Callback, arg: unknown): number {
    const slot = this.allocSlot(fn, arg);
    if (this.fifoLen === this.fifoSlots.length) this.growFifo();
    let at = this.fifoHead + this.fifoLen;
    if (at >= this.fifoSlots.length) at -= this.fifoSlots.length;
    this.fifoSlots[at] = slot;
    this.fifoLen++;
    return slot;
  }

  /** Time of the next event, or Infinity. `now` is the current clock (FIFO events are due then). */
  peekTime(now: number): number {
    if (this.fifoLen > 0) return now;
    return this.size > 0 ? this.times[0] : Infinity;
  }

  /**
   * Removes the next event and returns a ticket for it (-1 when the queue is empty), and sets
   * `nextTime`; `now` is the current clock. Then `takeFn(ticket)` and `takeArg(ticket)`, in that
   * order, hand over its callback and argument. (Handed over by the caller reading them, not by this
   * queue storing them into fields: storing a new object into this long-lived one costs a
   * write-barrier slow path, once per event.)
   */
  pop(now: number): number {
    if (this.size > 0 && (this.fifoLen === 0 || this.times[0] <= now)) {
      this.nextTime = this.times[0];
      return this.popHeap(); // a slot
    }
    if (this.fifoLen > 0) {
      const h = this.fifoHead;
      const slot = this.fifoSlots[h];
      this.nextTime = now;
      this.fifoHead = h + 1 === this.fifoSlots.length ? 0 : h + 1;
      this.fifoLen--;
      return slot >= 0 ? slot : -2 - h; // a slot, or a FIFO position
    }
    return -1;
  }

  /** The callback of the event `pop` returned `ticket` for; null if that event was cancelled. */
  takeFn(ticket: number): Callback | null {
    if (ticket >= 0) {
      const fn = this.fns[ticket];
      if (fn === null) this.cancelledPending--;
      this.fns[ticket] = null;
      return fn;
    }
    const h = -2 - ticket;
    const fn = this.fifoFns[h];
    this.fifoFns[h] = null;
    return fn;
  }

  /** The argument of the event `pop` returned `ticket` for (after `takeFn`; frees its slot). */
  takeArg(ticket: number): unknown {
    if (ticket >= 0) {
      const arg = this.args[ticket];
      this.args[ticket] = undefined;
      this.free[this.freeLen++] = ticket;
      return arg;
    }
    const h = -2 - ticket;
    const arg = this.fifoArgs[h];
    this.fifoArgs[h] = undefined;
    return arg;
  }

  /** Removes the heap's top entry and returns its slot. */
  private popHeap(): number {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const top = slots[0];
    const n = --this.size;
    if (n > 0) {
      const t = times[n];
      const s = seqs[n];
      const sl = slots[n];
      // sift down
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        const r = c + 1;
        if (r < n && (times[r] < times[c] || (times[r] === times[c] && seqs[r] < seqs[c]))) c = r;
        const ct = times[c];
        if (t < ct || (t === ct && s < seqs[c])) break;
        times[i] = ct;
        seqs[i] = seqs[c];
        slots[i] = slots[c];
        i = c;
      }
      times[i] = t;
      seqs[i] = s;
      slots[i] = sl;
    }
    return top;
  }

  private growHeap(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    const s = new Float64Array(cap);
    s.set(this.seqs);
    const sl = new Int32Array(cap);
    sl.set(this.slots);
    this.times = t;
    this.seqs = s;
    this.slots = sl;
  }

  private growSlots(): void {
    const cap = this.fns.length * 2;
    for (let s = this.fns.length; s < cap; s++) {
      this.fns.push(null);
      this.args.push(undefined);
    }
    const g = new Int32Array(cap);
    g.set(this.gens);
    const f = new Int32Array(cap);
    f.set(this.free);
    this.gens = g;
    this.free = f;
  }

  private growFifo(): void {
    const cap = this.fifoSlots.length;
    const fns = filled<Callback | null>(cap * 2, null);
    const args = filled<unknown>(cap * 2, undefined);
    const slots = new Int32Array(cap * 2);
    for (let k = 0; k < this.fifoLen; k++) {
      const at = (this.fifoHead + k) % cap;
      fns[k] = this.fifoFns[at];
      args[k] = this.fifoArgs[at];
      slots[k] = this.fifoSlots[at];
    }
    this.fifoFns = fns;
    this.fifoArgs = args;
    this.fifoSlots = slots;
    this.fifoHead = 0;
  }
}
