import { describe, expect, it } from "vitest";
import { loadCalibration } from "../../src/models/load.ts";
import { CALIBRATION_CONSTANTS } from "../../src/models/types.ts";
import { scaleConstant, sensitivity } from "../../src/validation/sensitivity.ts";

describe("scaleConstant", () => {
  const lit = loadCalibration("literature");
  it.each([0.8, 1.2])("multiplies one constant by %d and leaves the others and the input alone", (factor) => {
    for (const name of CALIBRATION_CONSTANTS) {
      const before = structuredClone(lit);
      const c = scaleConstant(lit, name, factor);
      expect(c.constants[name].value).toBeCloseTo(lit.constants[name].value * factor, 12);
      for (const other of CALIBRATION_CONSTANTS) if (other !== name) expect(c.constants[other]).toEqual(lit.constants[other]);
      expect(lit).toEqual(before);
    }
  });
  it("rejects unknown constants and non-positive factors", () => {
    expect(() => scaleConstant(lit, "nope" as never, 1.2)).toThrow(/no constant/);
    expect(() => scaleConstant(lit, "wakeupNs", 0)).toThrow(/factor/);
  });
});

describe("sensitivity", () => {
  it("reports both directions for the four 32-vCPU scenarios, sorted by impact", () => {
    const s = sensitivity({ replications: 1, durationS: 0.05, constants: ["wakeupNs", "ringbufLockHoldNs"] });
    expect(s.step).toBe(0.2);
    expect(Object.keys(s.base).sort()).toEqual(["perfDefault", "perfPinned", "perfUnlimited", "ringbuf"]);
    expect(s.rows.map((r) => r.constant).sort()).toEqual(["ringbufLockHoldNs", "wakeupNs"]);
    expect(s.rows[0].impact).toBeGreaterThanOrEqual(s.rows[1].impact);
  }, 60_000);
});
