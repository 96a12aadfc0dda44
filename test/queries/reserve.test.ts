import { describe, expect, it } from "vitest";
import { limitedPlacement, reserve } from "../../src/queries/reserve.ts";

describe("reserve", () => {
  const a = reserve({ hardware: "azure-d16s-v5", tool: "retina-perf", trafficGbps: 8 }, { replications: 2, durationS: 0.05, limits: [0.1, 0.5, 2] });

  it("compares every limit, unlimited and pinned", () => {
    expect(a.options.map((o) => o.placement)).toEqual(["limited-0.1", "limited-0.5", "limited-2", "unlimited", "pinned"]);
  });

  it("recommends the smallest limit that is not starved, and every smaller one is", () => {
    const limited = a.options.filter((o) => o.kind === "limited");
    if (a.smallestSafeLimit === null) {
      expect(limited.every((o) => o.starved)).toBe(true);
      return;
    }
    const k = limited.findIndex((o) => o.cpuCores === a.smallestSafeLimit);
    const safe = limited[k];
    expect(safe.lostPerS.mean).toBeLessThan(a.criteria.maxLostPerS);
    expect(safe.throttledPct.mean).toBeLessThan(a.criteria.maxThrottledPct);
    expect(limited.slice(0, k).every((o) => o.starved)).toBe(true);
    expect(a.recommendation).toContain(`${a.smallestSafeLimit} CPU`);
  });

  it("builds limited placements that pass the placement schema, and names a bad one", () => {
    expect(limitedPlacement(0.25, 100000).name).toBe("limited-0.25");
    expect(() => limitedPlacement(-1, 100000)).toThrow(/cpuLimit = -1/);
  });
});
