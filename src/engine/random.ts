/**
 * Seeded random streams: one independent generator per component, so adding a component (or a draw
 * in one) never shifts the numbers another component sees.
 *
 * `new RandomStreams(seed).stream("cpu3/arrivals")` derives a generator from the run seed and the
 * stream's name. The generator is seedrandom's Alea (fast, period ~2^116); ARC4 would halve the
 * simulator's throughput. Distributions are small objects with `sample()` and their `mean`.
 */
import seedrandom from "seedrandom";

export class RandomStream {
  // Alea's state. seedrandom seeds it; `next` then runs seedrandom's Alea recurrence here, so the
  // numbers are the same bit for bit (tested against seedrandom), but a draw is a plain method call:
  // seedrandom's generator is a closure per stream, so a model with many streams called a different
  // function at the same site on every draw (megamorphic, never inlined).
  private s0: number;
  private s1: number;
  private s2: number;
  private c: number;
  constructor(
    readonly name: string,
    seed: string,
  ) {
    const st = seedrandom.alea(seed, { state: true }).state();
    this.s0 = st.s0;
    this.s1 = st.s1;
    this.s2 = st.s2;
    this.c = st.c;
  }
  /** Uniform in [0, 1). */
  next(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }
  /** Uniform in (0, 1]: safe for logarithms. */
  nextOpen(): number {
    return 1 - this.next();
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();
  constructor(readonly seed: number | string) {
    if (typeof seed === "number" && !Number.isFinite(seed)) {
      throw new RangeError(`RandomStreams: seed must be a finite number or a string, got ${seed}`);
    }
  }
  /** The stream called `name` (created on first use, the same object afterwards). */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new RandomStream(name, `${String(this.seed)}\u0000${name}`);
      this.streams.set(name, s);
    }
    return s;
  }
}

/** A distribution bound to a stream. */
export interface Distribution {
  sample(): number;
  readonly mean: number;
}

function check(name: string, field: string, v: number, ok: boolean): void {
  if (!ok || Number.isNaN(v)) throw new RangeError(`${name}: ${field} must be valid, got ${v}`);
}

/** Exponential with the given mean. */
export function exponential(rng: RandomStream, mean: number): Distribution {
  check("exponential", "mean", mean, mean > 0 && Number.isFinite(mean));
  return { mean, sample: () => -mean * Math.log(rng.nextOpen()) };
}

/** Always `value`. */
export function deterministic(value: number): Distribution {
  check("deterministic", "value", value, Number.isFinite(value));
  return { mean: value, sample: () => value };
}

/** Uniform on [low, high). */
export function uniform(rng: RandomStream, low: number, high: number): Distribution {
  check("uniform", "high", high, Number.isFinite(low) && Number.isFinite(high) && high >= low);
  return { mean: (low + high) / 2, sample: () => low + (high - low) * rng.next() };
}

/** Normal (Box-Muller, one value per draw pair kept for the next call). */
export function normal(rng: RandomStream, mu: number, sigma: number): Distribution {
  check("normal", "sigma", sigma, sigma >= 0 && Number.isFinite(sigma) && Number.isFinite(mu));
  let spare: number | null = null;
  return {
    mean: mu,
    sample: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return mu + sigma * s;
      }
      const u = rng.nextOpen();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return mu + sigma * r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Lognormal given the mean and coefficient of variation of the variable itself (not of its log). */
export function lognormal(rng: RandomStream, mean: number, cv: number): Distribution {
  check("lognormal", "mean", mean, mean > 0 && Number.isFinite(mean));
  check("lognormal", "cv", cv, cv >= 0 && Number.isFinite(cv));
  const s2 = Math.log(1 + cv * cv);
  const n = normal(rng, Math.log(mean) - s2 / 2, Math.sqrt(s2));
  return { mean, sample: () => Math.exp(n.sample()) };
}

/**
 * Binned: draws from a measured histogram, a bin with probability its count over the total, then
 * uniformly on that bin's [low, high). Bins with a zero count are never drawn.
 */
export function binned(rng: RandomStream, bins: readonly (readonly [low: number, high: number, count: number])[]): Distribution {
  if (bins.length === 0) throw new RangeError("binned: bins must not be empty");
  const cum = new Float64Array(bins.length);
  let total = 0;
  let sum = 0;
  for (const [i, [low, high, count]] of bins.entries()) {
    check("binned", `bins[${i}].low`, low, Number.isFinite(low));
    check("binned", `bins[${i}].high`, high, Number.isFinite(high) && high >= low);
    check("binned", `bins[${i}].count`, count, Number.isFinite(count) && count >= 0);
    total += count;
    sum += (count * (low + high)) / 2;
    cum[i] = total;
  }
  if (!(total > 0)) throw new RangeError("binned: the bins' counts must not all be zero");
  return {
    mean: sum / total,
    sample: () => {
      const u = rng.next() * total;
      let lo = 0;
      let hi = bins.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] > u) hi = mid;
        else lo = mid + 1;
      }
      const [low, high] = bins[lo];
      return low + (high - low) * rng.next();
    },
  };
}

/**
 * Empirical: draws from measured samples by inverse CDF with linear interpolation between order
 * statistics, so a sample set of one value gives that value and the mean is the samples' mean.
 */
export function empirical(rng: RandomStream, samples: readonly number[]): Distribution {
  if (samples.length === 0) throw new RangeError("empirical: samples must not be empty");
  for (const [i, v] of samples.entries()) check("empirical", `samples[${i}]`, v, Number.isFinite(v));
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sample: () => sorted[0] };
  return {
    mean,
    sample: () => {
      const x = rng.next() * (n - 1);
      const i = Math.floor(x);
      return sorted[i] + (sorted[i + 1] - sorted[i]) * (x - i);
    },
  };
}

/**
 * Bursty on/off arrivals: exponential inter-arrival times at `rateOn` per ns during ON periods,
 * nothing during OFF periods; ON and OFF lengths exponential with the given means (ns). The long-run
 * rate is rateOn * onMean / (onMean + offMean). `sample()` returns the gap to the next arrival.
 */
export function burstyOnOff(rng: RandomStream, rateOn: number, onMean: number, offMean: number): Distribution {
  check("burstyOnOff", "rateOn", rateOn, rateOn > 0 && Number.isFinite(rateOn));
  check("burstyOnOff", "onMean", onMean, onMean > 0 && Number.isFinite(onMean));
  check("burstyOnOff", "offMean", offMean, offMean >= 0 && Number.isFinite(offMean));
  let onLeft = -onMean * Math.log(rng.nextOpen());
  const meanRate = (rateOn * onMean) / (onMean + offMean);
  return {
    mean: 1 / meanRate,
    sample: () => {
      let gap = 0;
      let need = -Math.log(rng.nextOpen()) / rateOn;
      // memoryless: the remaining ON time and the exponential gap race; OFF periods add dead time
      while (need > onLeft) {
        gap += onLeft;
        if (offMean > 0) gap += -offMean * Math.log(rng.nextOpen());
        onLeft = -onMean * Math.log(rng.nextOpen());
        need = -Math.log(rng.nextOpen()) / rateOn;
      }
      onLeft -= need;
      return gap + need;
    },
  };
}
