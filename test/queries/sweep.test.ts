import { describe, expect, it } from "vitest";
import { gridPoint, gridSize, normaliseGrid, parseShard, sweep } from "../../src/queries/sweep.ts";

const GRID = {
  hardware: ["azure-d4s-v5", "azure-d8s-v5"],
  tool: ["retina-perf", "retina-ringbuf"],
  observedGbps: [4, 6],
  perfPages: 8,
  options: { replications: 2, durationS: 0.05 },
};

describe("sweep", () => {
  it("numbers the cartesian product with the last field fastest", () => {
    const { axes } = normaliseGrid(GRID);
    expect(gridSize(axes)).toBe(8);
    expect(gridPoint(axes, 0)).toEqual({ hardware: "azure-d4s-v5", tool: "retina-perf", observedGbps: 4, perfPages: 8 });
    expect(gridPoint(axes, 1)).toEqual({ hardware: "azure-d4s-v5", tool: "retina-perf", observedGbps: 6, perfPages: 8 });
    expect(gridPoint(axes, 7)).toEqual({ hardware: "azure-d8s-v5", tool: "retina-ringbuf", observedGbps: 6, perfPages: 8 });
  });

  it("shards run on worker threads merge to the same bytes as the unsharded run", async () => {
    const { merge } = await import("../../src/queries/merge.ts");
    const whole = await sweep(GRID, { workers: 1 });
    expect(whole.map((l) => JSON.parse(l).index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const s0 = await sweep(GRID, { shard: { index: 0, count: 3 }, workers: 2 });
    const s1 = await sweep(GRID, { shard: { index: 1, count: 3 }, workers: 2 });
    const s2 = await sweep(GRID, { shard: { index: 2, count: 3 }, workers: 1 });
    expect(s1.map((l) => JSON.parse(l).index)).toEqual([1, 4, 7]);
    const merged = merge([s2, s0, s1].map((s, i) => ({ name: `s${i}`, text: s.join("\n") + "\n" })));
    expect(merged.join("\n")).toBe(whole.join("\n"));
  });

  it("records a point whose settings do not combine as an error line, not a failed sweep", async () => {
    const lines = (await sweep(GRID, { workers: 1, shard: { index: 2, count: 4 } })).map((l) => JSON.parse(l));
    // index 2 and 6: retina-ringbuf with perfPages
    expect(lines.map((l) => l.index)).toEqual([2, 6]);
    for (const l of lines) {
      expect(l.result).toBeUndefined();
      expect(l.error).toMatch(/ring buffer/);
    }
  });

  it("names a bad grid field or shard with its value", () => {
    expect(() => normaliseGrid({ hardware: "x", tool: "y", pages: [1] })).toThrow(/pages = \[1\]/);
    expect(() => normaliseGrid({ hardware: "x", tool: "y", trafficGbps: ["fast"] })).toThrow(/trafficGbps = "fast"/);
    expect(() => parseShard("3/3")).toThrow(/--shard = "3\/3"/);
  });
});
