import { describe, expect, it } from "vitest";
import { gridPoint, gridSize, MAX_GRID_POINTS, normaliseGrid, parseShard, planSweep, resumePoints, sweep, sweepLines } from "../../src/queries/sweep.ts";

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

describe("sweep: bounded work, streamed, resumable", () => {
  it(`refuses a grid beyond ${MAX_GRID_POINTS} points unless forced, before running anything`, () => {
    const big = {
      hardware: "azure-d4s-v5",
      tool: "retina-perf",
      trafficGbps: Array.from({ length: 1000 }, (_, i) => i + 1),
      sampling: Array.from({ length: 1000 }, (_, i) => i + 1),
    };
    expect(() => planSweep(big)).toThrow(
      /grid: 1\.000e\+6 points \(hardware 1 x tool 1 x trafficGbps 1000 x sampling 1000\): over the limit of 100000; .*--force/,
    );
    expect(planSweep(big, { force: true }).toRun).toBe(1_000_000);
    // 10^12 points: refused, forced or not, without building any list of points
    const huge = { ...big, perfPages: Array.from({ length: 1000 }, (_, i) => i + 1), wakeupEvents: Array.from({ length: 1000 }, (_, i) => i + 1) };
    expect(() => planSweep(huge)).toThrow(/1\.000e\+12 points/);
  });

  it("checks options up front: types, null, ranges", () => {
    const g = { hardware: "x", tool: "y" };
    expect(() => normaliseGrid({ ...g, options: null })).toThrow(/options = null: must be an object/);
    expect(() => normaliseGrid({ ...g, options: [] })).toThrow(/options = \[\]: must be an object/);
    expect(() => normaliseGrid({ ...g, options: { durationS: "0.1" } })).toThrow(/options.durationS = "0.1": must be seconds/);
    expect(() => normaliseGrid({ ...g, options: { replications: 0 } })).toThrow(/options.replications = 0/);
    expect(() => normaliseGrid({ ...g, options: { seed: 1e300 } })).toThrow(/options.seed = 1e\+300/);
    expect(() => normaliseGrid({ ...g, options: { seed: 1.5 } })).toThrow(/options.seed = 1.5/);
  });

  it("hands lines out in grid order as they complete, with bounded points in flight", async () => {
    const seen: number[] = [];
    const progress: number[] = [];
    await sweepLines(GRID, (l) => seen.push(JSON.parse(l).index), { workers: 2, onProgress: (d) => progress.push(d) });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // each line was handed out before the next progress tick, i.e. as it completed, not at the end
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("resumes: points already in the output are skipped, a cut last line is run again, bytes equal a run in one go", async () => {
    const whole = await sweep(GRID, { workers: 1 });
    const { hash } = normaliseGrid(GRID);
    const stopped = `${whole.slice(0, 3).join("\n")}\n${whole[3].slice(0, 25)}`; // killed while writing line 3
    const { skip, keepBytes } = resumePoints(stopped, hash, "out.jsonl");
    expect([...skip]).toEqual([0, 1, 2]);
    expect(keepBytes).toBe(Buffer.byteLength(`${whole.slice(0, 3).join("\n")}\n`));
    const rest = await sweep(GRID, { workers: 1, skip });
    expect([...whole.slice(0, 3), ...rest]).toEqual(whole);
    expect(() => resumePoints(`${whole[0].replace(hash, "0000000000000000")}\n`, hash, "out.jsonl")).toThrow(/out.jsonl:1: a line of another grid/);
  });
});
