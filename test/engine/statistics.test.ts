import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Counter,
  Histogram,
  Tally,
  TimeWeighted,
  boundInterval,
  boundedConfidenceInterval,
  confidenceInterval,
  mser5,
  replicate,
  studentT975,
} from "../../src/engine/statistics.ts";

describe("Histogram quantiles", () => {
  it("lie within 1/subBuckets (relative) of the exact order statistic, within 1 below subBuckets", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2, 8, 32, 128),
        fc.array(
          fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 4096 }), fc.constantFrom(255.9999999, 256, 511.99999, 1024)),
          { minLength: 1, maxLength: 300 },
        ),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
        (sub, values, qs) => {
          const h = new Histogram(sub);
          for (const v of values) h.add(v);
          const sorted = [...values].sort((a, b) => a - b);
          for (const q of [0, 1, ...qs]) {
            const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
            const got = h.quantile(q);
            const tol = exact >= sub ? exact / sub : 1;
            expect(Math.abs(got - exact)).toBeLessThanOrEqual(tol * (1 + 1e-12));
          }
          expect(h.total).toBe(values.length);
        },
      ),
      { numRuns: 500 },
    );
  });
  it("rejects bad quantiles, values and sub-bucket counts, naming the value", () => {
    const h = new Histogram();
    expect(() => h.quantile(1.5)).toThrow(/q.*1.5/);
    expect(() => h.quantile(NaN)).toThrow(RangeError);
    expect(() => h.add(-1)).toThrow(/value.*-1/);
    expect(() => new Histogram(100)).toThrow(/subBuckets.*100/);
    expect(h.quantile(0.5)).toBeNaN();
  });
});

describe("Student-t intervals and replications", () => {
  it("t quantiles: table values and the large-df limit 1.96", () => {
    expect(studentT975(1)).toBeCloseTo(12.706, 3);
    expect(studentT975(9)).toBeCloseTo(2.262, 3);
    expect(studentT975(40)).toBeCloseTo(2.021, 2);
    expect(studentT975(120)).toBeCloseTo(1.98, 2);
    expect(studentT975(1e6)).toBeCloseTo(1.96, 3);
    expect(() => studentT975(0)).toThrow(/df.*0/);
  });
  it("covers the true mean of normal data about 95% of the time", () => {
    // Box-Muller from a fixed LCG, independent of the engine's streams
    let x = 12345;
    const u = () => ((x = (x * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
    const gauss = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const ci = confidenceInterval(Array.from({ length: 10 }, () => 3 + gauss()));
      if (ci.low <= 3 && 3 <= ci.high) covered++;
    }
    // binomial(2000, 0.95): sd ~ 0.005
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });
  it("replicate passes seeds baseSeed+i and collects each output", () => {
    const est = replicate(4, 10, (seed) => ({ s: seed }));
    expect(est.s.mean).toBe(11.5);
    expect(est.s.n).toBe(4);
    expect(() => replicate(0, 1, () => ({}))).toThrow(/replications.*0/);
    expect(() => confidenceInterval([])).toThrow(RangeError);
    expect(() => confidenceInterval([1, NaN])).toThrow(/values\[1\].*NaN/);
  });
});

describe("MSER-5, TimeWeighted, Tally, Counter", () => {
  it("MSER-5 cuts an initial transient and nothing from a stationary series", () => {
    let x = 7;
    const noise = () => ((x = (x * 69069 + 1) % 4294967296) / 4294967296 - 0.5) * 0.1;
    const transient = [...Array.from({ length: 100 }, (_, i) => 10 - i * 0.09 + noise()), ...Array.from({ length: 900 }, () => 1 + noise())];
    const d = mser5(transient);
    expect(d).toBeGreaterThanOrEqual(90);
    expect(d).toBeLessThanOrEqual(150);
    expect(mser5(Array.from({ length: 1000 }, () => 1 + noise()))).toBeLessThan(100);
  });
  it("time-weighted mean of a piecewise-constant signal", () => {
    const tw = new TimeWeighted(0);
    tw.update(2, 1); // 0 on [0,1), 2 on [1,3), 5 on [3,4)
    tw.update(5, 3);
    expect(tw.mean(4)).toBeCloseTo((0 + 4 + 5) / 4, 12);
    tw.reset(4);
    expect(tw.mean(6)).toBe(5);
  });
  it("Tally mean/variance, Counter rate", () => {
    const t = new Tally();
    for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) t.add(v);
    expect(t.mean).toBe(5);
    expect(t.variance).toBeCloseTo(32 / 7, 12);
    const c = new Counter(0);
    c.add(10);
    expect(c.rate(5)).toBe(2);
  });
});

describe("bounded intervals: a non-negative quantity or a percentage of a whole never gets an interval past its bounds", () => {
  it("the issue's lost events/s [-1234, 10787]: a rate's interval stays above 0 and still contains the mean", () => {
    const t = confidenceInterval([0, 0, 14000, 2000, 10]);
    expect(t.low).toBeLessThan(0); // the Student-t interval crosses the bound
    const b = boundedConfidenceInterval([0, 0, 14000, 2000, 10], { lower: 0 });
    expect(b.low).toBeGreaterThanOrEqual(0);
    expect(b.low).toBeLessThanOrEqual(b.mean);
    expect(b.high).toBeGreaterThanOrEqual(b.mean);
    expect(b.mean).toBe(t.mean);
    expect(b.bounded).toBe(true);
  });
  it("an interval inside the bounds is unchanged (no bound, no change)", () => {
    const t = confidenceInterval([10, 11, 12]);
    expect(boundInterval(t, { lower: 0, upper: 100 })).toEqual(t);
  });
  it("property: for any replications inside [lo, hi], the interval lies in [lo, hi] and contains the mean", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 12 }), fc.boolean(), (u, both) => {
        const values = u.map((x) => (both ? 100 * x : 1000 * x * x));
        const e = boundedConfidenceInterval(values, both ? { lower: 0, upper: 100 } : { lower: 0 });
        expect(e.low).toBeGreaterThanOrEqual(0);
        if (both) expect(e.high).toBeLessThanOrEqual(100);
        expect(e.low).toBeLessThanOrEqual(e.mean + 1e-9);
        expect(e.high).toBeGreaterThanOrEqual(e.mean - 1e-9);
        expect(Number.isFinite(e.low) && Number.isFinite(e.high)).toBe(true);
      }),
    );
  });
  it("a percentage near 100 stays at or below 100; an upper bound alone works too", () => {
    const e = boundedConfidenceInterval([100, 99, 92, 100], { lower: 0, upper: 100 });
    expect(e.high).toBeLessThanOrEqual(100);
    const u = boundedConfidenceInterval([1, 0.2, 0.9999], { upper: 1 });
    expect(u.high).toBeLessThanOrEqual(1);
  });
  it("replications all at the bound give [bound, bound]; a bad pair of bounds is named", () => {
    expect(boundedConfidenceInterval([0, 0, 0], { lower: 0 })).toMatchObject({ low: 0, high: 0 });
    expect(() => boundInterval(confidenceInterval([1, 2]), { lower: 5, upper: 1 })).toThrow(/lower = 5.*upper = 1/);
  });
});

describe("bounded intervals stay within the Student-t interval", () => {
  it("replications that disagree widely about a small rate: [>= 0, <= t high], not an exploded log-scale high", () => {
    const t = confidenceInterval([0, 150]);
    const b = boundInterval(t, { lower: 0 });
    expect(b.low).toBeGreaterThanOrEqual(0);
    expect(b.high).toBeLessThanOrEqual(t.high);
    const p = boundInterval(confidenceInterval([0, 0.03]), { lower: 0, upper: 100 });
    expect(p.high).toBeLessThanOrEqual(confidenceInterval([0, 0.03]).high);
  });
});

describe("Histogram buckets", () => {
  // the bucket index is read from the double's exponent bits: every value lands in the bucket whose
  // [lower, upper) range holds it, including values next to a power of two
  type Buckets = { index(v: number): number; lower(i: number): number; upper(i: number): number };
  const holds = (h: Buckets, v: number) => {
    const i = h.index(v);
    return h.lower(i) <= v && v < h.upper(i);
  };
  it("each value lies inside its bucket (random values over 15 decades)", () => {
    for (const sub of [2, 128, 1024]) {
      const h = new Histogram(sub) as unknown as Buckets;
      fc.assert(fc.property(fc.double({ min: 0, max: 1e15, noNaN: true }), (v) => holds(h, v)));
    }
  });
  it("values at and next to powers of two", () => {
    const h = new Histogram(128) as unknown as Buckets;
    for (let p = 1; p < 60; p++) {
      const x = 2 ** p;
      for (const v of [x, x * (1 - 2 ** -53), x * (1 + 2 ** -52), x + 1, x - 1]) expect(holds(h, v)).toBe(true);
    }
  });
});
