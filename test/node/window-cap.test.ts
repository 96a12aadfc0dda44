import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulate, windowCap } from "../../src/node/simulate.ts";
import { buildScenario } from "../../src/node/scenario.ts";
import type { ThroughputResult } from "../../src/node/throughput.ts";

const sol = (bytesPerS: number): ThroughputResult => ({
  bytesPerS,
  queueBytesPerS: Float64Array.from([bytesPerS / 4, (3 * bytesPerS) / 4]),
  bottleneck: "app-cpus",
  saturatedQueues: 1,
  ksoftirqdQueues: 0,
});

describe("windowCap: a window-limited receiver's throughput (Workload.windowLimited)", () => {
  it("without a window the CPU-bound solution stands, whatever the hook work", () => {
    const s = sol(2e9);
    expect(windowCap(s, undefined, 5)).toBe(s);
  });

  it("without the agent the flows carry the window's rate; the queues keep their shares", () => {
    const c = windowCap(sol(2e9), { gbps: 8, flows: 1 }, 0);
    expect(c.bytesPerS).toBeCloseTo(1e9, 3);
    expect(c.bottleneck).toBe("window");
    expect(c.queueBytesPerS[0]! / c.queueBytesPerS[1]!).toBeCloseTo(1 / 3, 9);
    expect(c.queueBytesPerS[0]! + c.queueBytesPerS[1]!).toBeCloseTo(1e9, 3);
  });

  it("the agent's hook ns per byte add to each flow's time per byte: 1/T = 1/T0 + h/flows", () => {
    // T0 = 1e9 B/s (1 ns/B); h = 1 ns/B on one flow: 2 ns/B, T = 0.5e9; on 4 flows: 1.25 ns/B
    expect(windowCap(sol(2e9), { gbps: 8, flows: 1 }, 1).bytesPerS).toBeCloseTo(0.5e9, 3);
    expect(windowCap(sol(2e9), { gbps: 8, flows: 4 }, 1).bytesPerS).toBeCloseTo(0.8e9, 3);
  });

  it("a CPU-bound solution below the cap stays what it is", () => {
    const s = sol(0.3e9);
    expect(windowCap(s, { gbps: 8, flows: 1 }, 1)).toBe(s);
  });

  it("property: never above the CPU-bound solution or the window's rate; lower with more hook work, higher with more flows", () =>
    fc.assert(
      fc.property(
        fc.double({ min: 1e6, max: 1e11, noNaN: true }),
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (b, gbps, flows, h1, dh) => {
          const s = sol(b);
          const w = { gbps, flows };
          const t = windowCap(s, w, h1).bytesPerS;
          expect(t).toBeLessThanOrEqual(b * (1 + 1e-12));
          expect(t).toBeLessThanOrEqual(((gbps * 1e9) / 8) * (1 + 1e-12));
          expect(windowCap(s, w, h1 + dh).bytesPerS).toBeLessThanOrEqual(t * (1 + 1e-12));
          expect(windowCap(s, { gbps, flows: flows + 1 }, h1).bytesPerS).toBeGreaterThanOrEqual(t * (1 - 1e-12));
        },
      ),
    ));
});

describe("windowFlows (bpfsim simulate --window-flows): the what-if on any scenario", () => {
  it("sets the workload's flows and keeps a window rate it already has", () => {
    expect(buildScenario({ hardware: "azure-d8s-v5", tool: "retina-perf", windowFlows: 3 }).workload.windowLimited).toEqual({ flows: 3 });
    expect(buildScenario({ hardware: "dev-kvm-2vcpu", tool: "harness-perf", workload: "iperf3-veth-w16k", windowFlows: 2 }).workload.windowLimited).toEqual({
      gbps: 5.63,
      flows: 2,
    });
  });

  it("without a rate the window sits at the node's baseline: the baseline stays, the agent costs at least what CPU time alone costs, more with fewer flows", () => {
    const sim = { seed: 2, replications: 1, durationS: 0.06, warmupS: 0.02 };
    const spec = { hardware: "azure-d8s-v5", tool: "retina-perf", placement: "unlimited", trafficGbps: 2 } as const;
    const cpu = simulate(buildScenario(spec), sim);
    const few = simulate(buildScenario({ ...spec, windowFlows: 1 }), sim);
    const many = simulate(buildScenario({ ...spec, windowFlows: 64 }), sim);
    expect(few.baselineGbps.mean).toBeCloseTo(cpu.baselineGbps.mean, 9);
    expect(few.overheadPct.mean).toBeGreaterThanOrEqual(many.overheadPct.mean);
    expect(many.overheadPct.mean).toBeGreaterThanOrEqual(cpu.overheadPct.mean - 1e-9);
    expect(few.bottleneck.withAgent).toBe("window");
  });
});
