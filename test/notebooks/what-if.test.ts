// notebooks/lib/what-if.ts: the scenario overrides, the CFS-period window, and the two decisions the
// notebooks show (nodes needed under a budget, a claim's verdict).

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ANSWER_OPTIONS,
  bufferMemoryBytes,
  cheapestPool,
  fewestCarrying,
  modelErrorBand,
  nodeCounts,
  nodesNeeded,
  poolPoint,
  simulateWhatIf,
  verdict,
  whatIfScenario,
  type PoolPoint,
} from "../../notebooks/lib/what-if.ts";
import { modelErrorFor, readModelError } from "../../src/validation/model-error.ts";
import { predict } from "../../src/queries/predict.ts";
import { SINGLE_RUN } from "../../src/queries/common.ts";

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

describe("what-if helpers: the cheapest pool, the model's error, honest answer options", () => {
  const p = (nodes: number, pct: number, poolAgentCores: number, carries = true) => ({ nodes, cpuOverheadPct: pct, poolAgentCores, carries }) as PoolPoint;

  it("cheapestPool: the issue's case: 8 nodes at 5.9% (15 vCPUs in total) beat 27 at 3% (26 vCPUs) when both are within budget", () => {
    const points = [p(4, 9, 11.5, false), p(8, 5.9, 15.1), p(16, 4, 20.5), p(27, 3, 25.9)];
    expect(cheapestPool(points, 6)!.nodes).toBe(8);
    // within a 3% budget only 27 qualifies: the plan says what that costs the pool
    expect(cheapestPool(points, 3)).toMatchObject({ nodes: 27, poolAgentCores: 25.9 });
    expect(cheapestPool(points, 1)).toBeNull();
    expect(fewestCarrying(points)!.nodes).toBe(8);
  });

  it("property: the cheapest pool is within budget and no point within budget costs the pool less", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 1, max: 64 }), fc.double({ min: 0, max: 20, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), fc.boolean()),
          { maxLength: 20 },
        ),
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        (raw, budget) => {
          const points = raw.map(([n, pct, c, carries]) => p(n, pct, c, carries));
          const best = cheapestPool(points, budget);
          const ok = points.filter((x) => x.carries && x.cpuOverheadPct <= budget);
          if (ok.length === 0) {
            expect(best).toBeNull();
            return;
          }
          expect(ok).toContain(best);
          for (const x of ok) expect(x.poolAgentCores).toBeGreaterThanOrEqual(best!.poolAgentCores);
        },
      ),
    );
  });

  it("poolPoint totals the agent's CPU and buffer memory over the pool", () => {
    const r = simulateWhatIf({ hardware: "azure-d4s-v5", tool: "retina-perf", trafficGbps: 1, trafficMode: "offered" });
    const mem = bufferMemoryBytes({ hardware: "azure-d4s-v5", tool: "retina-perf" });
    const pt = poolPoint(3, 3, 4, r, mem);
    expect(pt.poolAgentCores).toBeCloseTo(3 * (r.agentCpuCores.mean + r.kernelCpuCores.mean), 12);
    expect(pt.poolMemoryBytes).toBe(3 * mem);
    const perf = whatIfScenario({ hardware: "azure-d4s-v5", tool: "retina-perf" }).tool!.buffer;
    if (perf.kind === "perf") expect(mem).toBe(perf.pagesPerCpu * 4096 * 4);
  });

  it("the vendor claim's allowance is the model's validated error for the scenario's kind (the band claim uses)", () => {
    const file = readModelError();
    for (const [tool, hw] of [
      ["retina-ringbuf", "azure-d32s-v5"],
      ["retina-perf", "azure-d4s-v5"],
      ["retina-perf", "azure-d96s-v5"],
    ] as const) {
      const vcpus = whatIfScenario({ hardware: hw, tool }).hardware.vcpus;
      const want = modelErrorFor(file, tool.includes("ringbuf") ? "ringbuf" : "perf", vcpus);
      expect(modelErrorBand(tool, hw).errorPp).toBe(want.errorPp);
      expect(want.errorPp).toBeGreaterThan(0);
    }
  });

  it("a notebook's stated answer uses the CLI's options: its interval is the CLI's for the same scenario (not a disjoint, over-confident one)", () => {
    const nb = simulateWhatIf({ hardware: "azure-d16s-v5", tool: "retina-perf", trafficGbps: 8 }, ANSWER_OPTIONS);
    const cli = predict({ hardware: "azure-d16s-v5", tool: "retina-perf", observedGbps: 8 });
    expect(nb.overheadPct.low).toBeCloseTo(cli.overheadPct.low, 9);
    expect(nb.overheadPct.high).toBeCloseTo(cli.overheadPct.high, 9);
    expect(ANSWER_OPTIONS).toMatchObject({ replications: SINGLE_RUN.replications, durationS: SINGLE_RUN.durationS });
  }, 60_000);
});
