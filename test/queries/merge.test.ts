import { describe, expect, it } from "vitest";
import { merge } from "../../src/queries/merge.ts";

const line = (index: number, of = 3, grid = "g1") => JSON.stringify({ index, of, grid, spec: {}, result: {} });

describe("merge", () => {
  it("puts lines back in grid order", () => {
    expect(
      merge([
        { name: "b", text: `${line(1)}\n` },
        { name: "a", text: `${line(2)}\n${line(0)}\n` },
      ]),
    ).toEqual([line(0), line(1), line(2)]);
  });

  it("rejects a missing point, naming it", () => {
    expect(() => merge([{ name: "a", text: `${line(0)}\n${line(2)}` }])).toThrow(/1 of 3 points missing: 1$/);
  });

  it("rejects a duplicated point, naming both places", () => {
    expect(() =>
      merge([
        { name: "a", text: line(0) },
        { name: "b", text: `${line(1)}\n${line(0)}\n${line(2)}` },
      ]),
    ).toThrow(/b:2: point 0 is duplicated \(also at a:1\)/);
  });

  it("rejects shards of different grids", () => {
    expect(() =>
      merge([
        { name: "a", text: line(0) },
        { name: "b", text: line(1, 3, "g2") },
      ]),
    ).toThrow(/shards of different grids/);
  });
});

describe("merge never materialises a shard's claim", () => {
  it('a 40-byte shard claiming "of": 300000000 is a short message, at once', () => {
    const t0 = performance.now();
    expect(() => merge([{ name: "s", text: '{"index":0,"of":300000000,"grid":"g"}\n' }])).toThrow(
      /^merge: 299999999 of 300000000 points missing: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, \.\.\. \(299999999 in all\)$/,
    );
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it("names the first gaps between the lines present", () => {
    expect(() => merge([{ name: "a", text: `${line(0, 6)}\n${line(3, 6)}\n${line(5, 6)}\n` }])).toThrow(/3 of 6 points missing: 1, 2, 4$/);
  });

  it("rejects an index outside its grid, or a claim that is not a positive safe integer, naming the line", () => {
    expect(() => merge([{ name: "a", text: line(7, 3) }])).toThrow(/a:1: index = 7: outside the grid's 3 points/);
    expect(() => merge([{ name: "a", text: JSON.stringify({ index: 0, of: 1e300, grid: "g" }) }])).toThrow(/a:1: not a sweep line/);
    expect(() => merge([{ name: "a", text: JSON.stringify({ index: -1, of: 3, grid: "g" }) }])).toThrow(/a:1: index = -1/);
  });
});
