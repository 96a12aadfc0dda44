import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { windowCap } from "../../src/node/simulate.ts";
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
