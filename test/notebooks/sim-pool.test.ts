import { describe, expect, it } from "vitest";
import { cacheKey, simulateAll } from "../../notebooks/lib/sim-pool.ts";
import { simulateWhatIf, type WhatIf } from "../../notebooks/lib/what-if.ts";

const QUICK = { replications: 2, durationS: 0.03, warmupS: 0.01, maxIterations: 2 };

describe("notebook simulation pool (no Web Workers in Node: the calling thread)", () => {
  it("yields every point once, each equal to simulateWhatIf; a second sweep comes from the cache", async () => {
    const list: WhatIf[] = [
      { hardware: "azure-d4s-v5", tool: "retina-perf", placement: "unlimited", trafficGbps: 3, perfPages: 16 },
      { hardware: "azure-d4s-v5", tool: "retina-ringbuf", placement: "unlimited", trafficGbps: 3, perfPages: 16 },
    ];
    const first = new Map<number, unknown>();
    for await (const { index, result } of simulateAll(list, QUICK)) first.set(index, result);
    expect([...first.keys()].sort()).toEqual([0, 1]);
    list.forEach((w, i) => expect(first.get(i)).toEqual(simulateWhatIf(w, QUICK)));
    const again = new Map<number, unknown>();
    for await (const { index, result } of simulateAll(list, QUICK)) again.set(index, result);
    list.forEach((_, i) => expect(again.get(i)).toBe(first.get(i)));
  });

  it("a perf page count is part of a perf tool's key only", () => {
    const w = { hardware: "azure-d8s-v5", placement: "limited", trafficGbps: 8 };
    expect(cacheKey({ ...w, tool: "retina-ringbuf", perfPages: 8 })).toBe(cacheKey({ ...w, tool: "retina-ringbuf", perfPages: 64 }));
    expect(cacheKey({ ...w, tool: "retina-perf", perfPages: 8 })).not.toBe(cacheKey({ ...w, tool: "retina-perf", perfPages: 64 }));
    expect(cacheKey({ ...w, tool: "retina-perf" }, QUICK)).not.toBe(cacheKey({ ...w, tool: "retina-perf" }));
  });
});
