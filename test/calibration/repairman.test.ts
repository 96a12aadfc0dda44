import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitLockHold, repairmanCycleNs } from "../../src/calibration/repairman.ts";

describe("repairmanCycleNs (exact MVA of the finite-source queue)", () => {
  it("one producer never waits: cycle = Z + S", () => {
    expect(repairmanCycleNs(1, 300, 50)).toBeCloseTo(350, 9);
  });

  it("two producers match the closed form Z + S(1 + S/(Z+S))", () => {
    const z = 200;
    const s = 80;
    expect(repairmanCycleNs(2, z, s)).toBeCloseTo(z + s * (1 + s / (z + s)), 9);
  });

  it("stays between the no-contention cycle and the saturation bound P·S", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.double({ min: 0, max: 1e4, noNaN: true }), fc.double({ min: 1, max: 1e4, noNaN: true }), (p, z, s) => {
        const c = repairmanCycleNs(p, z, s);
        expect(c).toBeGreaterThanOrEqual(z + s - 1e-6);
        expect(c).toBeGreaterThanOrEqual(p * s - 1e-6 * p * s);
        // throughput never exceeds the lock's capacity 1/S
        expect(p / c).toBeLessThanOrEqual(1 / s + 1e-9);
      }),
    ));

  it("rejects a non-integer producer count", () => {
    expect(() => repairmanCycleNs(1.5, 1, 1)).toThrow(/producers = 1.5/);
  });
});

describe("fitLockHold", () => {
  it("recovers a known contended hold from synthetic cycle times", () =>
    fc.assert(
      fc.property(fc.double({ min: 50, max: 2000, noNaN: true }), fc.double({ min: 5, max: 1000, noNaN: true }), (z, s) => {
        const uncontended = 10;
        const pts = [1, 2, 4, 8].map((p) => ({ producers: p, cycleNs: p === 1 ? z + uncontended : repairmanCycleNs(p, z, s) }));
        const fit = fitLockHold(pts, { uncontendedHoldNs: uncontended });
        expect(fit.holdNs).toBeCloseTo(s, 3);
        expect(fit.thinkNs).toBeCloseTo(z, 6);
        expect(fit.relRms).toBeLessThan(1e-6);
      }),
      { numRuns: 50 },
    ));

  it("needs P = 1 and at least one contended point", () => {
    expect(() => fitLockHold([{ producers: 2, cycleNs: 10 }])).toThrow(/single-producer/);
    expect(() => fitLockHold([{ producers: 1, cycleNs: 10 }])).toThrow(/2 or more/);
  });
});
