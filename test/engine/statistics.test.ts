import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Counter, Histogram, Tally, TimeWeighted, confidenceInterval, mser5, replicate, studentT975 } from "../../src/engine/statistics.ts";

describe("Histogram quantiles", () => {
  it("lie within 1/subBuckets (relative) of the exact order statistic, within 1 below subBuckets", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2, 8, 32, 128),
        fc.array(fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 4096 }), fc.constantFrom(255.9999999, 256, 511.99999, 1024)), { minLength: 1, maxLength: 300 }),
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
