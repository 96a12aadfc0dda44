/**
 * The future-event set: when each pending callback is due, in a form that is cheap to push and pop.
 *
 * A binary min-heap keyed on (time, sequence), stored as a structure of arrays (Float64Array times,
 * Float64Array sequence numbers, Int32Array payload slots) so the hot loop touches no objects, plus a
 * FIFO ring for events due "now" (zero delay), which never need ordering beyond arrival. The sequence
 * number is the insertion order, so simultaneous events always run in the order they were scheduled,
 * never by chance. Every event due at the current time that sits in the heap was scheduled before
 * the clock reached that time, hence before anything in the FIFO: the heap wins ties with the FIFO.
 */

/** A scheduled callback: `fn(arg)` runs when the event is due. */
export type Callback = (arg: any) => void;

const GEN_SPAN = 4194304; // 2^22 generations per slot before a handle can repeat
const GEN_MASK = GEN_SPAN - 1;

export class EventQueue {
  private times: Float64Array;
  private seqs: Float64Array;
  private slots: Int32Array;
  private size = 0;
  private fns: (Callback | null)[] = [];
  private args: unknown[] = [];
  private freeSlots: number[] = [];
  /** Reuse count of each slot, so a stale handle cannot cancel a later event in the same slot. */
  private gens: number[] = [];

  // zero-delay FIFO (a growable ring of slot numbers and their sequence numbers)
  private fifoSlots: Int32Array;
  private fifoSeqs: Float64Array;
  private fifoHead = 0;
  private fifoLen = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.times = new Float64Array(cap);
    this.seqs = new Float64Array(cap);
    this.slots = new Int32Array(cap);
    this.fifoSlots = new Int32Array(cap);
    this.fifoSeqs = new Float64Array(cap);
  }

  /** Number of events waiting (cancelled ones included until they are popped). */
  get length(): number {
    return this.size + this.fifoLen;
  }

  private allocSlot(fn: Callback, arg: unknown): number {
    const free = this.freeSlots;
    if (free.length > 0) {
      const s = free.pop()!;
      this.fns[s] = fn;
      this.args[s] = arg;
      this.gens[s] = (this.gens[s] + 1) & GEN_MASK;
      return s;
    }
    this.fns.push(fn);
    this.args.push(arg);
    this.gens.push(0);
    return this.fns.length - 1;
  }

  /** A handle naming the event now in `slot`; `cancel(handle)` works until that event runs. */
  handleOf(slot: number): number {
    return slot * GEN_SPAN + this.gens[slot];
  }

  /** Cancels the event behind `handle`. False if it already ran or was cancelled. */
  cancel(handle: number): boolean {
    if (!Number.isInteger(handle) || handle < 0) return false;
    const slot = Math.floor(handle / GEN_SPAN);
    if (slot >= this.fns.length || this.gens[slot] !== handle % GEN_SPAN || this.fns[slot] === null) return false;
    this.fns[slot] = null; // popped later and skipped
    this.args[slot] = undefined;
    this.cancelledPending++;
    return true;
  }
  /** Cancelled events still in the heap or FIFO (they are skipped when popped). */
  cancelledPending = 0;

  /** Adds an event at absolute `time` with insertion sequence `seq`; returns its slot. */
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

  /** Adds an event due at the current time, behind everything already due; returns its slot. */
  pushNow(seq: number, fn: Callback, arg: unknown): number {
    const slot = this.allocSlot(fn, arg);
    if (this.fifoLen === this.fifoSlots.length) this.growFifo();
    let at = this.fifoHead + this.fifoLen;
    if (at >= this.fifoSlots.length) at -= this.fifoSlots.length;
    this.fifoSlots[at] = slot;
    this.fifoSeqs[at] = seq;
    this.fifoLen++;
    return slot;
  }

  /** Time of the next event, or Infinity. `now` is the current clock (FIFO events are due then). */
  peekTime(now: number): number {
    if (this.fifoLen > 0) return now;
    return this.size > 0 ? this.times[0] : Infinity;
  }

  /**
   * Removes the next event and returns its slot; `nextTime` and `nextSeq` tell when and in which
   * order it was scheduled. Returns -1 when empty.
   */
  nextTime = 0;
  nextSeq = 0;
  pop(now: number): number {
    if (this.size > 0 && (this.fifoLen === 0 || this.times[0] <= now)) return this.popHeap();
    if (this.fifoLen > 0) {
      const h = this.fifoHead;
      const slot = this.fifoSlots[h];
      this.nextSeq = this.fifoSeqs[h];
      this.nextTime = now;
      this.fifoHead = h + 1 === this.fifoSlots.length ? 0 : h + 1;
      this.fifoLen--;
      return slot;
    }
    return -1;
  }

  private popHeap(): number {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const top = slots[0];
    this.nextTime = times[0];
    this.nextSeq = seqs[0];
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

  /** Takes the callback out of a popped slot and frees the slot (null: it was cancelled). */
  take(slot: number): Callback | null {
    const fn = this.fns[slot];
    if (fn === null) this.cancelledPending--;
    this.fns[slot] = null;
    this.freeSlots.push(slot);
    return fn;
  }
  takeArg(slot: number): unknown {
    const a = this.args[slot];
    this.args[slot] = undefined;
    return a;
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

  private growFifo(): void {
    const cap = this.fifoSlots.length;
    const ns = new Int32Array(cap * 2);
    const nq = new Float64Array(cap * 2);
    for (let k = 0; k < this.fifoLen; k++) {
      const at = (this.fifoHead + k) % cap;
      ns[k] = this.fifoSlots[at];
      nq[k] = this.fifoSeqs[at];
    }
    this.fifoSlots = ns;
    this.fifoSeqs = nq;
    this.fifoHead = 0;
  }
}
