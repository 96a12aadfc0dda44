import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { goldenSection, linearLeastSquares, scanThenGolden } from "../../src/calibration/optimise.ts";
import { mad, median, quantile } from "../../src/calibration/stats.ts";

describe("goldenSection", () => {
  it("finds the minimum of a parabola", () =>
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), (m) => {
        const { x } = goldenSection((v) => (v - m) ** 2, -200, 200, 1e-12);
        expect(x).toBeCloseTo(m, 5);
      }),
    ));

  it("returns the bound for a monotone function", () => {
    expect(goldenSection((v) => v, 3, 7).x).toBe(3);
    expect(goldenSection((v) => -v, 3, 7).x).toBe(7);
  });
});

describe("linearLeastSquares", () => {
  it("recovers exact coefficients from noiseless data", () => {
    const X = [
      [1, 2],
      [2, 1],
      [3, 5],
      [4, 4],
    ];
    const y = X.map(([a, b]) => 3 * a! + 0.5 * b!);
    const fit = linearLeastSquares(X, y);
    expect(fit.coef[0]).toBeCloseTo(3, 9);
    expect(fit.coef[1]).toBeCloseTo(0.5, 9);
    expect(fit.relRms).toBeLessThan(1e-12);
  });

  it("with nonNegative, clamps a coefficient the data would make negative", () => {
    const X = [
      [1, 1],
      [2, 1],
      [3, 1],
    ];
    const y = [3, 2, 1]; // slope -1 unconstrained
    const fit = linearLeastSquares(X, y, { nonNegative: true });
    expect(fit.coef[0]).toBe(0);
    expect(fit.coef[1]).toBeCloseTo(2, 9);
  });

  it("throws on collinear columns", () => {
    expect(() =>
      linearLeastSquares(
        [
          [1, 2],
          [2, 4],
        ],
        [1, 2],
      ),
    ).toThrow(/singular/);
  });
});

describe("stats", () => {
  it("median, MAD and quantiles of a small list", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(() => median([])).toThrow();
  });
});

describe("scanThenGolden", () => {
  it("finds the minimum of a function that is not unimodal over the grid, to within tol", () => {
    // two valleys: a shallow one at 2 and the deepest at 7.3
    const f = (x: number) => Math.min((x - 2) ** 2 + 1, (x - 7.3) ** 2);
    const r = scanThenGolden(f, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1e-4);
    expect(r.x).toBeCloseTo(7.3, 3);
    expect(r.f).toBeCloseTo(0, 6);
  });
  it("never returns worse than the best grid point, and rejects an empty grid or tol <= 0", () => {
    const f = (x: number) => Math.abs(x - 3);
    expect(scanThenGolden(f, [0, 3, 10], 0.5).f).toBe(0);
    expect(() => scanThenGolden(f, [], 1)).toThrow(/empty grid/);
    expect(() => scanThenGolden(f, [1, 2], 0)).toThrow(/tol = 0/);
  });
});
