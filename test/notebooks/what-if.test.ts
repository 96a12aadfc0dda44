// notebooks/lib/what-if.ts: the scenario overrides, the CFS-period window, and the two decisions the
// notebooks show (nodes needed under a budget, a claim's verdict).

import { describe, expect, it } from "vitest";
import { nodeCounts, nodesNeeded, simulateWhatIf, verdict, whatIfScenario, type PoolPoint } from "../../notebooks/lib/what-if.ts";

describe("what-if helpers", () => {
  it("traffic sets the workload mode; perfPages changes a perf tool only", () => {
    const s = whatIfScenario({ hardware: "azure-d32s-v5", tool: "retina-perf", trafficGbps: 8, perfPages: 64 });
    expect(s.workload).toMatchObject({ mode: "observed", observedGbps: 8 });
    expect(s.tool?.buffer).toMatchObject({ kind: "perf", pagesPerCpu: 64 });
    const o = whatIfScenario({ hardware: "azure-d32s-v5", tool: "retina-ringbuf", trafficGbps: 3, trafficMode: "offered", perfPages: 64 });
    expect(o.workload).toMatchObject({ mode: "offered", offeredGbps: 3 });
    expect(o.tool?.buffer.kind).toBe("ringbuf");
    expect(() => whatIfScenario({ hardware: "azure-d32s-v5", tool: "retina-perf", perfPages: 3 })).toThrow(/power of two/);
  });

  it("under a CPU limit the measured window is whole CFS periods", () => {
    const r = simulateWhatIf({ hardware: "azure-d4s-v5", tool: "retina-ringbuf", trafficGbps: 1 }, { durationS: 0.05 });
    expect(r.options.durationS - r.options.warmupS).toBeCloseTo(0.1, 12);
  });

  it("nodesNeeded: the smallest count that carries its share within the budget", () => {
    const p = (nodes: number, pct: number, carries = true) => ({ nodes, cpuOverheadPct: pct, carries }) as PoolPoint;
    expect(nodesNeeded([p(1, 9, false), p(2, 6), p(4, 3), p(8, 1)], 5)).toBe(4);
    expect(nodesNeeded([p(1, 9, false), p(2, 6)], 5)).toBeNull();
    expect(nodeCounts(64, 8)).toEqual([1, 2, 3, 6, 11, 20, 35, 64]);
  });

  it("verdict: below the interval optimistic, above pessimistic, inside (with allowance) consistent", () => {
    expect(verdict(1, 2, 3)).toBe("optimistic");
    expect(verdict(4, 2, 3)).toBe("pessimistic");
    expect(verdict(2.5, 2, 3)).toBe("consistent");
    expect(verdict(4, 2, 3, 1)).toBe("consistent");
  });
});
