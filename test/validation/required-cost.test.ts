import { describe, expect, it } from "vitest";
import { loadCalibration } from "../../src/models/load.ts";
import { buildScenario } from "../../src/node/scenario.ts";
import { simulate } from "../../src/node/simulate.ts";
import { requiredExtraCost, withExtraOutputCost } from "../../src/validation/required-cost.ts";

// a small node, CPU-bound at an observed baseline, so runs are quick
const spec = { hardware: "azure-d4s-v5", tool: "retina-perf", placement: "unlimited", observedGbps: 2 } as const;
const sim = { replications: 2, durationS: 0.05, warmupS: 0.01 };

describe("withExtraOutputCost", () => {
  it("adds the extra to both output helpers and leaves the input untouched", () => {
    const cal = loadCalibration("literature");
    const before = structuredClone(cal);
    const c = withExtraOutputCost(cal, 500);
    expect(c.constants.perfOutputNs.value).toBe(cal.constants.perfOutputNs.value + 500);
    expect(c.constants.ringbufOutputNs.value).toBe(cal.constants.ringbufOutputNs.value + 500);
    expect(cal).toEqual(before);
  });
  it("names the value when it is not a finite number >= 0", () => {
    const cal = loadCalibration("literature");
    for (const bad of [-1, Number.NaN, Infinity]) expect(() => withExtraOutputCost(cal, bad)).toThrow(/extraNs = /);
  });
});

describe("requiredExtraCost", () => {
  it("finds an extra cost whose simulated overhead is within the tolerance of the target", () => {
    const base = simulate(buildScenario(spec), sim).overheadPct.mean;
    const target = base + 15;
    const r = requiredExtraCost(spec, target, { ...sim, tolerancePp: 0.5 });
    expect(r.status).toBe("found");
    expect(r.extraNs).toBeGreaterThan(0);
    expect(Math.abs(r.achievedPct - target)).toBeLessThanOrEqual(0.5);
    // re-simulating with the returned extra reproduces the reached overhead
    const s = buildScenario(spec);
    const again = simulate({ ...s, calibration: withExtraOutputCost(s.calibration, r.extraNs) }, sim).overheadPct.mean;
    expect(again).toBeCloseTo(r.achievedPct, 9);
    expect(r.modelPct).toBeCloseTo(base, 9);
    expect(r.modelNsPerRecord).toBeGreaterThan(0);
  });
  it("needs nothing when the model is already above the target", () => {
    const r = requiredExtraCost(spec, 0, sim);
    expect(r.status).toBe("already-above");
    expect(r.extraNs).toBe(0);
    expect(r.evaluations).toBe(1);
  });
  it("reports a target out of reach below maxNs as unreachable", () => {
    const r = requiredExtraCost(spec, 99.9, { ...sim, startNs: 10, maxNs: 40 });
    expect(r.status).toBe("unreachable");
    expect(r.extraNs).toBe(40);
    expect(r.achievedPct).toBeLessThan(99.9);
  });
  it("names a bad target or option", () => {
    expect(() => requiredExtraCost(spec, 120, sim)).toThrow(/targetPct = 120/);
    expect(() => requiredExtraCost(spec, 10, { ...sim, tolerancePp: 0 })).toThrow(/tolerancePp = 0/);
    expect(() => requiredExtraCost(spec, 10, { ...sim, startNs: 100, maxNs: 10 })).toThrow(/maxNs = 10/);
    expect(() => requiredExtraCost({ ...spec, tool: "none" }, 10, sim)).toThrow(/tool = none/);
  });
});
