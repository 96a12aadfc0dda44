/** The small helpers the measurement summaries share (src/measure/summary.ts). */
import { describe, expect, it } from "vitest";
import { groupByShapeMode, shareFrom, spread } from "../../src/measure/summary.ts";

describe("groupByShapeMode", () => {
  it("groups the kept runs by shape and mode, in first-seen order", () => {
    const runs = [
      { shape: "veth", mode: "perf", id: 1 },
      { shape: "lo-p2", mode: "perf", id: 2 },
      { shape: "veth", mode: "perf", id: 3 },
      { shape: "veth", mode: "ringbuf", id: 4 },
    ];
    expect(groupByShapeMode(runs).map((g) => g.map((r) => r.id))).toEqual([[1, 3], [2], [4]]);
    expect(groupByShapeMode(runs, (r) => r.id !== 1).map((g) => g.map((r) => r.id))).toEqual([[2], [3], [4]]);
    expect(groupByShapeMode([])).toEqual([]);
  });
});

describe("shareFrom", () => {
  it("the share of the counts in bins starting at the threshold or later; 0 for an empty histogram", () => {
    const h = [
      [0, 256, 6],
      [256, 512, 2],
      [512, 1024, 1],
      [1024, 2048, 1],
    ] as const;
    expect(shareFrom(h, 512)).toBeCloseTo(0.2, 12);
    expect(shareFrom(h, 0)).toBe(1);
    expect(shareFrom(h, 4096)).toBe(0);
    expect(shareFrom([], 512)).toBe(0);
  });
});

describe("spread", () => {
  it("median, MAD, min, max and count", () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, mad: 1, min: 1, max: 3, n: 3 });
  });
});
