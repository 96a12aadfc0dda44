/**
 * When each buffered record was produced, per ring, in production order: what the model needs to
 * give every consumed record its delivery latency. Not a kernel structure (the kernel keeps no such
 * times); one bounded circular FIFO per ring, all in one Float64Array.
 */
export class RecordStamps {
  private readonly stamps: Float64Array;
  private readonly head: Int32Array;
  private readonly len: Int32Array;
  private readonly cap: number;

  constructor(rings: number, capacityRecords: number) {
    this.cap = capacityRecords + 1;
    this.stamps = new Float64Array(rings * this.cap);
    this.head = new Int32Array(rings);
    this.len = new Int32Array(rings);
  }

  /** Records held for `ring`. */
  count(ring: number): number {
    return this.len[ring];
  }

  /** A record produced at `at` joins `ring`'s FIFO (the caller has checked there is room). */
  push(ring: number, at: number): void {
    const slot = (this.head[ring] + this.len[ring]) % this.cap;
    this.stamps[ring * this.cap + slot] = at;
    this.len[ring]++;
  }

  /** Empties `ring`, calling `onRecord(doneAt - producedAt)` in order; returns how many there were. */
  drain(ring: number, doneAt: number, onRecord: (latencyNs: number) => void): number {
    const n = this.len[ring];
    const cap = this.cap;
    const base = ring * cap;
    let h = this.head[ring];
    for (let i = 0; i < n; i++) {
      onRecord(doneAt - this.stamps[base + h]);
      h = h + 1 === cap ? 0 : h + 1;
    }
    this.head[ring] = h;
    this.len[ring] = 0;
    return n;
  }
}
