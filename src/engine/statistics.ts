/**
 * Statistics for simulation output: counters, time-weighted means, tallies, histograms with
 * quantiles, warm-up truncation (MSER-5) and Student-t confidence intervals over independent
 * replications.
 */

/** A count of occurrences, with its rate over an observation window. */
export class Counter {
  count = 0;
  private since: number;
  constructor(now = 0) {
    this.since = now;
  }
  add(n = 1): void {
    this.count += n;
  }
  /** Occurrences per unit time since creation or the last reset. */
  rate(now: number): number {
    return now > this.since ? this.count / (now - this.since) : 0;
  }
  /** Forgets everything counted so far (warm-up removal). */
  reset(now: number): void {
    this.count = 0;
    this.since = now;
  }
}

/** The time-weighted mean of a piecewise-constant quantity (queue length, busy servers). */
export class TimeWeighted {
  private value = 0;
  private last: number;
  private start: number;
  private area = 0;
  constructor(now = 0, initial = 0) {
    this.last = now;
    this.start = now;
    this.value = initial;
  }
  /** The quantity changes to `value` at time `now`. */
  update(value: number, now: number): void {
    this.area += this.value * (now - this.last);
    this.last = now;
    this.value = value;
  }
  get current(): number {
    return this.value;
  }
  mean(now: number): number {
    const span = now - this.start;
    if (span <= 0) return this.value;
    return (this.area + this.value * (now - this.last)) / span;
  }
  reset(now: number): void {
    this.area = 0;
    this.last = now;
    this.start = now;
  }
}

/** Mean, variance, min and max of observations (Welford's algorithm). */
export class Tally {
  n = 0;
  private m = 0;
  private s = 0;
  min = Infinity;
  max = -Infinity;
  add(x: number): void {
    this.n++;
    const d = x - this.m;
    this.m += d / this.n;
    this.s += d * (x - this.m);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }
  get mean(): number {
    return this.n > 0 ? this.m : NaN;
  }
  get variance(): number {
    return this.n > 1 ? this.s / (this.n - 1) : 0;
  }
  reset(): void {
    this.n = 0;
    this.m = 0;
    this.s = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}

// Scratch views for reading a double's exponent, and 2^-e for every exponent a finite double has.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: high word second
const INV_POW2 = Float64Array.from({ length: 1025 }, (_, e) => 2 ** -e);

/**
 * A histogram of non-negative values with log-linear buckets (like HdrHistogram): below `subBuckets`
 * buckets are 1 wide; above, each power of two [2^k, 2^(k+1)) is split into `subBuckets` equal
 * parts. A quantile therefore lies within 1 (absolute) of the exact order statistic below
 * `subBuckets`, and within 1/subBuckets (relative) of it from `subBuckets` up. Values are ns, so
 * the absolute bound is sub-nanosecond.
 */
export class Histogram {
  private counts: Float64Array;
  private readonly sub: number;
  private readonly subBits: number;
  total = 0;
  private sum = 0;
  private maxSeen = 0;

  constructor(subBuckets = 128) {
    const bits = Math.log2(subBuckets);
    if (!Number.isInteger(bits) || bits < 1 || bits > 16) {
      throw new RangeError(`Histogram: subBuckets must be a power of two in [2, 65536], got ${subBuckets}`);
    }
    this.sub = subBuckets;
    this.subBits = bits;
    this.counts = new Float64Array(subBuckets * 64);
  }

  // Bucket i >= sub covers [(sub + m) * 2^e, (sub + m + 1) * 2^e) with e = floor((i - sub) / sub),
  // m = (i - sub) % sub: width 2^e, lower edge >= sub * 2^e, so width / value <= 1 / sub.
  private index(v: number): number {
    if (v < this.sub) return Math.floor(v); // linear below `sub`: unit-wide buckets
    // floor(log2(v)) is v's binary exponent, read from its bits (v >= sub >= 2 is a normal double)
    F64[0] = v;
    const e = ((U32[HI] >>> 20) & 0x7ff) - 1023 - this.subBits; // >= 0
    // v / 2^e, exactly (scaling by a power of two): sub <= m < 2 sub
    const m = Math.floor(v * INV_POW2[e]);
    return this.sub + e * this.sub + (m - this.sub);
  }
  private lower(i: number): number {
    if (i < this.sub) return i;
    const k = i - this.sub;
    const e = Math.floor(k / this.sub);
    return (this.sub + (k % this.sub)) * 2 ** e;
  }
  private upper(i: number): number {
    if (i < this.sub) return i + 1;
    const e = Math.floor((i - this.sub) / this.sub);
    return this.lower(i) + 2 ** e;
  }

  add(v: number, weight = 1): void {
    if (!(v >= 0) || v === Infinity) throw new RangeError(`Histogram.add: value must be finite and >= 0, got ${v}`);
    const i = this.index(v);
    if (i >= this.counts.length) {
      const bigger = new Float64Array(Math.max(i + 1, this.counts.length * 2));
      bigger.set(this.counts);
      this.counts = bigger;
    }
    this.counts[i] += weight;
    this.total += weight;
    this.sum += v * weight;
    if (v > this.maxSeen) this.maxSeen = v;
  }

  get mean(): number {
    return this.total > 0 ? this.sum / this.total : NaN;
  }

  /** The q-quantile (0 <= q <= 1), interpolated inside its bucket; NaN when empty. */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`Histogram.quantile: q must be in [0, 1], got ${q}`);
    if (this.total === 0) return NaN;
    const target = q * this.total;
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i];
      if (c === 0) continue;
      if (acc + c >= target) {
        const lo = this.lower(i);
        const hi = Math.min(this.upper(i), this.maxSeen);
        const f = c > 0 ? (target - acc) / c : 0;
        return Math.min(lo + f * Math.max(0, hi - lo), this.maxSeen);
      }
      acc += c;
    }
    return this.maxSeen;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.maxSeen = 0;
  }
}

// Two-sided 95% Student-t quantiles t_{0.975, df} for df = 1..30.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t_{0.975, df}: exact table to 30 degrees of freedom, then the Cornish-Fisher expansion. */
export function studentT975(df: number): number {
  if (!(df >= 1) || !Number.isInteger(df)) throw new RangeError(`studentT975: df must be an integer >= 1, got ${df}`);
  if (df <= 30) return T975[df - 1];
  const z = 1.959964;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  return z + g1 / df + g2 / df ** 2;
}

/** A mean with its 95% confidence interval. */
export interface Estimate {
  mean: number;
  /** Half-width of the 95% interval (0 with one replication). */
  halfWidth: number;
  low: number;
  high: number;
  n: number;
  /**
   * Set when the interval was moved inside the quantity's bounds (boundInterval): it is then not
   * mean ± halfWidth but [low, high], asymmetric, and halfWidth is half its width.
   */
  bounded?: true;
}

/** Mean and Student-t 95% interval of independent replication results. */
export function confidenceInterval(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) throw new RangeError("confidenceInterval: no values");
  for (const [i, v] of values.entries()) {
    if (!Number.isFinite(v)) throw new RangeError(`confidenceInterval: values[${i}] is ${v}`);
  }
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, halfWidth: 0, low: mean, high: mean, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const halfWidth = studentT975(n - 1) * Math.sqrt(variance / n);
  return { mean, halfWidth, low: mean - halfWidth, high: mean + halfWidth, n };
}

/** Where a quantity can lie: `lower` and/or `upper` (e.g. 0 for a rate, [0, 100] for a percentage of a whole). */
export interface Bounds {
  lower?: number;
  upper?: number;
}

/**
 * The 95% interval of a bounded quantity. When the Student-t interval lies inside the bounds it is kept;
 * when it crosses one it is taken on a scale where the bound cannot be crossed and mapped back: log(x -
 * lower) for a lower bound only, logit((x - lower) / (upper - lower)) for both (the delta method:
 * half-width h on the transformed scale is h x its derivative at the mean), and kept within the
 * Student-t interval (the transformed one alone explodes on the far side when the half-width dwarfs the
 * mean): never past the bound, never wider than t: a rate whose replications scatter around a small
 * mean gets [>0, high], not a negative low. A mean at the bound itself (replications all at it,
 * or disagreeing about it) gives [bound, high]: read it as "< high". Means outside the bounds are not
 * moved (that would hide a model error); only the interval is clipped.
 */
export function boundInterval(e: Estimate, bounds: Bounds): Estimate {
  const lo = bounds.lower ?? -Infinity;
  const hi = bounds.upper ?? Infinity;
  if (!(lo < hi)) throw new RangeError(`boundInterval: lower = ${lo} must be below upper = ${hi}`);
  if (e.low >= lo && e.high <= hi) return e;
  const m = e.mean;
  const h = e.halfWidth;
  let low: number;
  let high: number;
  if (!(m > lo) || !(m < hi)) {
    low = Math.max(lo, Math.min(hi, e.low));
    high = Math.min(hi, Math.max(lo, e.high));
  } else if (Number.isFinite(lo) && Number.isFinite(hi)) {
    const w = hi - lo;
    const p = (m - lo) / w;
    const hl = h / w / (p * (1 - p));
    const logit = Math.log(p / (1 - p));
    const expit = (x: number) => 1 / (1 + Math.exp(-x));
    low = lo + w * expit(logit - hl);
    high = lo + w * expit(logit + hl);
  } else if (Number.isFinite(lo)) {
    const d = m - lo;
    low = lo + d * Math.exp(-h / d);
    high = lo + d * Math.exp(h / d);
  } else {
    const d = hi - m;
    low = hi - d * Math.exp(h / d);
    high = hi - d * Math.exp(-h / d);
  }
  low = Math.max(low, e.low, lo);
  high = Math.min(high, e.high, hi);
  return { mean: m, halfWidth: (high - low) / 2, low, high, n: e.n, bounded: true };
}

/** confidenceInterval, respecting the quantity's bounds (boundInterval). */
export function boundedConfidenceInterval(values: readonly number[], bounds: Bounds): Estimate {
  return boundInterval(confidenceInterval(values), bounds);
}

/**
 * MSER-5 warm-up truncation: batches the series by 5 and returns the number of leading observations
 * to delete, the point that minimises the standard error of the remaining mean (White 1997). The
 * search stops at half the series, as usual, so a trend to the end is not mistaken for warm-up.
 */
export function mser5(series: readonly number[]): number {
  const b = 5;
  const k = Math.floor(series.length / b);
  if (k < 2) return 0;
  const batches = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < b; i++) s += series[j * b + i];
    batches[j] = s / b;
  }
  let best = 0;
  let bestStat = Infinity;
  for (let d = 0; d <= Math.floor(k / 2); d++) {
    const m = k - d;
    let mean = 0;
    for (let j = d; j < k; j++) mean += batches[j];
    mean /= m;
    let ss = 0;
    for (let j = d; j < k; j++) ss += (batches[j] - mean) ** 2;
    const stat = ss / (m * m);
    if (stat < bestStat) {
      bestStat = stat;
      best = d;
    }
  }
  return best * b;
}

/**
 * Runs `n` independent replications (replication i gets seed `baseSeed + i`) and returns each
 * named output's 95% interval.
 */
export function replicate<K extends string>(n: number, baseSeed: number, run: (seed: number, index: number) => Record<K, number>): Record<K, Estimate> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`replicate: replications must be an integer >= 1, got ${n}`);
  const samples = new Map<K, number[]>();
  for (let i = 0; i < n; i++) {
    const out = run(baseSeed + i, i);
    for (const key of Object.keys(out) as K[]) {
      let arr = samples.get(key);
      if (arr === undefined) samples.set(key, (arr = []));
      arr.push(out[key]);
    }
  }
  const result = {} as Record<K, Estimate>;
  for (const [key, vals] of samples) result[key] = confidenceInterval(vals);
  return result;
}
