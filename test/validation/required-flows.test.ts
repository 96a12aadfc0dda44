import { describe, expect, it } from "vitest";
import { buildScenario, type ScenarioSpec } from "../../src/node/scenario.ts";
import { simulate } from "../../src/node/simulate.ts";
import { requiredFlows } from "../../src/validation/required-flows.ts";

const SPEC: ScenarioSpec = { hardware: "azure-d8s-v5", tool: "retina-perf", placement: "unlimited", trafficGbps: 2 };
const SIM = { seed: 3, replications: 1, durationS: 0.06, warmupS: 0.02 };

describe("requiredFlows: how few window-limited flows a row's receiver would need", () => {
  const base = requiredFlows(SPEC, 0, SIM);

  it("a target the CPU-bound model already reaches needs no window", () => {
    expect(base.status).toBe("already-above");
    expect(base.flows).toBeUndefined();
    expect(base.oneFlowPct).toBeGreaterThan(base.modelPct);
  });

  it("a target between the CPU-bound model and one flow: the largest count that reaches it, one more does not", () => {
    const target = (base.modelPct + base.oneFlowPct) / 2;
    const r = requiredFlows(SPEC, target, { ...SIM, tolerancePp: 0.01 });
    expect(r.status).toBe("found");
    expect(r.achievedPct).toBeGreaterThanOrEqual(target - 0.01);
    const scenario = buildScenario(SPEC);
    const next = simulate({ ...scenario, workload: { ...scenario.workload, windowLimited: { gbps: r.baselineGbps, flows: r.flows! + 1 } } }, SIM);
    expect(next.overheadPct.mean).toBeLessThan(target - 0.01);
  });

  it("a target above what one flow loses is unreachable, and bad inputs name the field", () => {
    const r = requiredFlows(SPEC, Math.min(99, base.oneFlowPct + 20), SIM);
    expect(r.status).toBe("unreachable");
    expect(r.achievedPct).toBeCloseTo(r.oneFlowPct, 9);
    expect(() => requiredFlows(SPEC, 100, SIM)).toThrow(/targetPct = 100/);
    expect(() => requiredFlows({ ...SPEC, tool: "none" }, 10, SIM)).toThrow(/tool = none/);
    expect(() => requiredFlows(SPEC, 10, { ...SIM, maxFlows: 1 })).toThrow(/maxFlows = 1/);
  });
});
