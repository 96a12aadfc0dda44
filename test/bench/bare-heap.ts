/**
 * The benchmarks' ceiling: a binary heap of (time, insertion order, kind) in typed arrays, with no
 * engine and no model around it. `pop` returns the kind of the earliest event and sets `now` to its
 * time; ties go in insertion order, as the engine's event queue orders them.
 */
export class BareHeap {
  size = 0;
  now = 0;
  private seq = 0;
  private readonly times: Float64Array;
  private readonly seqs: Float64Array;
  private readonly kinds: Int32Array;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.kinds = new Int32Array(capacity);
  }

  push(t: number, k: number): void {
    const { times, seqs, kinds } = this;
    const s = this.seq++;
    let i = this.size++;
    while (i > 0) {
      const q = (i - 1) >> 1;
      if (times[q] < t || (times[q] === t && seqs[q] < s)) break;
      times[i] = times[q];
      seqs[i] = seqs[q];
      kinds[i] = kinds[q];
      i = q;
    }
    times[i] = t;
    seqs[i] = s;
    kinds[i] = k;
  }

  pop(): number {
    const { times, seqs, kinds } = this;
    const k0 = kinds[0];
    this.now = times[0];
    const n = --this.size;
    if (n > 0) {
      const t = times[n];
      const s = seqs[n];
      const k = kinds[n];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && (times[c + 1] < times[c] || (times[c + 1] === times[c] && seqs[c + 1] < seqs[c]))) c++;
        if (t < times[c] || (t === times[c] && s < seqs[c])) break;
        times[i] = times[c];
        seqs[i] = seqs[c];
        kinds[i] = kinds[c];
        i = c;
      }
      times[i] = t;
      seqs[i] = s;
      kinds[i] = k;
    }
    return k0;
  }
}
