import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mad, median, quantile } from "../../src/engine/robust-stats.ts";

const xs = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 });

describe("robust statistics", () => {
  it("median: middle element, or the mean of the two middle ones; input untouched", () => {
    const a = [3, 1, 2];
    expect(median(a)).toBe(2);
    expect(a).toEqual([3, 1, 2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(/empty/);
  });
  it("mad: median of |x - median| (not scaled by 1.4826)", () => {
    // median 3, deviations 2,1,0,1,97 -> 1
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
  });
  it("quantile: linear interpolation between order statistics (R type 7, numpy's default)", () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([10, 0], 0)).toBe(0);
    expect(quantile([10, 0], 1)).toBe(10);
    expect(() => quantile([], 0.5)).toThrow(/empty/);
  });
  it("property: median = quantile(0.5), lies between min and max, and is order-invariant and shift-equivariant", () => {
    fc.assert(
      fc.property(xs, fc.double({ min: -1e3, max: 1e3, noNaN: true }), (a, c) => {
        const m = median(a);
        expect(m).toBeCloseTo(quantile(a, 0.5), 6);
        expect(m).toBeGreaterThanOrEqual(Math.min(...a));
        expect(m).toBeLessThanOrEqual(Math.max(...a));
        expect(median([...a].reverse())).toBe(m);
        expect(median(a.map((x) => x + c))).toBeCloseTo(m + c, 6);
      }),
    );
  });
  it("property: quantile is non-decreasing in q; mad is non-negative and shift-invariant", () => {
    fc.assert(
      fc.property(xs, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, q1, q2) => {
        const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1];
        expect(quantile(a, lo)).toBeLessThanOrEqual(quantile(a, hi) + 1e-9);
        expect(mad(a)).toBeGreaterThanOrEqual(0);
        expect(mad(a.map((x) => x + 5))).toBeCloseTo(mad(a), 6);
      }),
    );
  });
});
