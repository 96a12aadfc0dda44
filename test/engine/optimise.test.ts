import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { goldenSection } from "../../src/engine/optimise.ts";

describe("goldenSection: minimum of a unimodal function on [lo, hi]", () => {
  it("finds a parabola's vertex to the tolerance", () => {
    const r = goldenSection((x) => (x - 1.234) ** 2 + 7, -10, 10, 1e-10);
    expect(r.x).toBeCloseTo(1.234, 7);
    expect(r.fx).toBeCloseTo(7, 12);
  });
  it("a monotone function's minimum is at an end, and the ends are checked", () => {
    expect(goldenSection((x) => x, 2, 5).x).toBe(2);
    expect(goldenSection((x) => -x, 2, 5).x).toBe(5);
  });
  it("a one-point interval returns that point; an empty one is refused", () => {
    expect(goldenSection((x) => x * x, 3, 3).x).toBe(3);
    expect(() => goldenSection((x) => x, 1, 0)).toThrow(/empty interval/);
  });
  it("evaluates f O(log(1/tol)) times: each step keeps 0.618 of the interval and reuses one point", () => {
    let calls = 0;
    goldenSection(
      (x) => {
        calls++;
        return Math.abs(x - 0.3);
      },
      0,
      1,
      1e-9,
    );
    // ceil(ln(1e-9) / ln(0.618)) = 44 steps, one new evaluation each, + 2 initial + 3 final
    expect(calls).toBeLessThanOrEqual(44 + 2 + 3 + 1);
  });
  it("property: for a convex |x - m| + c the minimiser is within the tolerance of m (clamped to the interval)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: -50, max: 0, noNaN: true }),
        fc.double({ min: 0.001, max: 50, noNaN: true }),
        (m, lo, w) => {
          const hi = lo + w;
          const r = goldenSection((x) => Math.abs(x - m), lo, hi, 1e-9);
          const want = Math.min(hi, Math.max(lo, m));
          expect(Math.abs(r.x - want)).toBeLessThan(1e-6 * Math.max(1, Math.abs(lo) + Math.abs(hi)));
          expect(r.x).toBeGreaterThanOrEqual(lo);
          expect(r.x).toBeLessThanOrEqual(hi);
        },
      ),
    );
  });
});
