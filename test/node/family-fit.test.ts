/**
 * One node family's receive costs fitted on its baselines together (src/node/family-fit.ts). The
 * laws: the largest node's baseline is reproduced exactly (bisection on the softirq scale); with two
 * nodes the fit is exact when a solution exists (logRms ~ 0); capacity never rises as either scale
 * grows (more work per byte); the fit's reported baselines are familyBaseline at its scales.
 * Figures: the field study's 16- and 32-core baselines (5 and 8 Gb/s, validation/seed-retina-kubecon.json).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { familyBaseline, fitFamily, type FamilyPoint } from "../../src/node/family-fit.ts";
import { buildScenario } from "../../src/node/scenario.ts";

const point = (hardware: string, observedGbps: number): FamilyPoint => ({ scenario: buildScenario({ hardware, tool: "none" }), observedGbps });
const p16 = point("azure-d16s-v5", 5);
const p32 = point("azure-d32s-v5", 8);

describe("fitFamily", () => {
  it("the study's 16- and 32-core baselines (5 and 8 Gb/s): one pair of scales reproduces both", () => {
    const f = fitFamily([p16, p32]);
    expect(f.logRms).toBeLessThan(1e-6);
    expect(f.baselines[0].gbps).toBeCloseTo(5, 5);
    expect(f.baselines[1].gbps).toBeCloseTo(8, 5);
    expect(f.receiveCostScale).toBeGreaterThan(0);
    expect(f.mobileCostScale).toBeGreaterThan(0);
    // the fit says what binds: the 32-core node on its 8 receive channels' CPUs
    expect(f.baselines[1].bottleneck).toBe("rx-queue-cpus");
    // and its baselines are familyBaseline at its scales
    expect(familyBaseline(p16, f.receiveCostScale, f.mobileCostScale)).toEqual(f.baselines[0]);
  });
  it("one node is always fitted exactly", () => {
    const f = fitFamily([point("azure-d16s-v5", 3)]);
    expect(f.logRms).toBeLessThan(1e-9);
    expect(f.baselines[0].gbps).toBeCloseTo(3, 6);
  });
  it("baselines no scale pair can give (the smaller node carrying far more): the largest is still exact, logRms says how far the rest is", () => {
    const f = fitFamily([point("azure-d16s-v5", 12), point("azure-d32s-v5", 4)]);
    expect(f.baselines[1].gbps).toBeCloseTo(4, 4);
    expect(f.logRms).toBeGreaterThan(0.05);
    expect(f.logRms).toBeCloseTo(Math.sqrt((Math.log(f.baselines[0].gbps / 12) ** 2 + Math.log(f.baselines[1].gbps / 4) ** 2) / 2), 6);
  });
  it("refuses no points", () => {
    expect(() => fitFamily([])).toThrow(RangeError);
  });
});

describe("familyBaseline", () => {
  it("property: the capacity never rises as either scale grows (more work per byte), and the NIC caps it", () => {
    const nicGbps = p32.scenario.hardware.nic.bandwidthGbps;
    fc.assert(
      fc.property(
        fc.double({ min: -4, max: 4, noNaN: true }),
        fc.double({ min: -4, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (lnS, lnM, d) => {
          const base = familyBaseline(p32, Math.exp(lnS), Math.exp(lnM)).gbps;
          expect(familyBaseline(p32, Math.exp(lnS + d), Math.exp(lnM)).gbps).toBeLessThanOrEqual(base * (1 + 1e-9));
          expect(familyBaseline(p32, Math.exp(lnS), Math.exp(lnM + d)).gbps).toBeLessThanOrEqual(base * (1 + 1e-9));
          expect(base).toBeLessThanOrEqual(nicGbps * (1 + 1e-9));
        },
      ),
      { numRuns: 30 },
    );
  });
  it("is the same for the same seed (replication 0's RSS draw)", () => {
    expect(familyBaseline(p16, 10, 2, 3)).toEqual(familyBaseline(p16, 10, 2, 3));
  });
});
