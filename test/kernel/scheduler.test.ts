import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { idleCpuScanNs } from "../../src/kernel/scheduler.ts";

describe("idleCpuScanNs: select_idle_cpu's probes until an idle CPU", () => {
  it("an idle LLC costs one probe; a busy one at most nr probes (SIS_PROP: at least 4)", () => {
    expect(idleCpuScanNs(false, 32, 0, 50)).toBeCloseTo(50, 9);
    expect(idleCpuScanNs(false, 32, 1, 50)).toBeCloseTo(4 * 50, 9);
    expect(idleCpuScanNs(true, 32, 0, 50)).toBeCloseTo(50, 9);
  });
  it("SIS_UTIL stops scanning once the LLC's utilisation passes its imbalance_pct", () => {
    expect(idleCpuScanNs(true, 32, 1, 50)).toBeGreaterThan(0);
    expect(idleCpuScanNs(true, 1, 0.5, 50)).toBe(0);
  });
  it("property: expected probes within [min(1, nr), nr], times the probe cost", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 1, max: 256 }), fc.double({ min: 0, max: 1, noNaN: true }), (util, span, u) => {
        const ns = idleCpuScanNs(util, span, u, 100);
        expect(ns).toBeGreaterThanOrEqual(0);
        expect(ns).toBeLessThanOrEqual(100 * Math.max(0, span - 1) + 1e-9);
      }),
    );
  });
});
