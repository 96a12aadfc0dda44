import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dirname } from "node:path";
import { CALIBRATION_DIR, calibrationSummary, CalibrationError, checkHostClass, defaultCalibrationPath } from "../../src/calibration/calibrate.ts";
import { loadCalibration } from "../../src/models/load.ts";
import { CALIBRATION_CONSTANTS } from "../../src/models/types.ts";

// runCalibrate itself runs the fits end to end through `bpfsim calibrate` in test/cli/*.test.ts.
describe("host classes: names, never paths", () => {
  it("accepts the dataset's host class and refuses paths, capitals, empties, non-strings, naming the value", () => {
    expect(checkHostClass("kvm-2vcpu-amd-epyc", "d.jsonl")).toBe("kvm-2vcpu-amd-epyc");
    for (const bad of ["../etc/passwd", "a/b", "Upper", "", "-lead", "x".repeat(101), 7, null]) {
      expect(() => checkHostClass(bad, "d.jsonl:3")).toThrow(CalibrationError);
      expect(() => checkHostClass(bad, "d.jsonl:3")).toThrow(/d\.jsonl:3: hostClass = /);
    }
  });
  it("property: every accepted host class writes directly inside models/calibration/", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."abz09-./~".split("")), minLength: 1, maxLength: 30 }), (s) => {
        let ok: string;
        try {
          ok = checkHostClass(s, "w");
        } catch {
          return;
        }
        expect(dirname(defaultCalibrationPath(ok))).toBe(CALIBRATION_DIR);
      }),
    );
  });
});

describe("calibrationSummary", () => {
  it("one row per constant, in the file's order, with the runs it was fitted on counted", () => {
    const cal = loadCalibration("kvm-2vcpu-amd-epyc");
    const rows = calibrationSummary(cal);
    expect(rows.map((r) => r.constant)).toEqual([...CALIBRATION_CONSTANTS]);
    for (const r of rows) {
      expect(r.value).toBe(cal.constants[r.constant as keyof typeof cal.constants].value);
      expect(r.runs).toBe(cal.constants[r.constant as keyof typeof cal.constants].runs?.length ?? 0);
    }
    // README: irqWorkLatencyNs fitted on 3 tpw-perf runs
    expect(rows.find((r) => r.constant === "irqWorkLatencyNs")).toMatchObject({ method: "fitted", runs: 3 });
  });
});
