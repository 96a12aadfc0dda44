import { describe, expect, it } from "vitest";
import { merge } from "../../src/queries/merge.ts";

const line = (index: number, of = 3, grid = "g1") => JSON.stringify({ index, of, grid, spec: {}, result: {} });

describe("merge", () => {
  it("puts lines back in grid order", () => {
    expect(merge([{ name: "b", text: `${line(1)}\n` }, { name: "a", text: `${line(2)}\n${line(0)}\n` }])).toEqual([line(0), line(1), line(2)]);
  });

  it("rejects a missing point, naming it", () => {
    expect(() => merge([{ name: "a", text: `${line(0)}\n${line(2)}` }])).toThrow(/1 of 3 points missing: 1$/);
  });

  it("rejects a duplicated point, naming both places", () => {
    expect(() => merge([{ name: "a", text: line(0) }, { name: "b", text: `${line(1)}\n${line(0)}\n${line(2)}` }])).toThrow(/b:2: point 0 is duplicated \(also at a:1\)/);
  });

  it("rejects shards of different grids", () => {
    expect(() => merge([{ name: "a", text: line(0) }, { name: "b", text: line(1, 3, "g2") }])).toThrow(/shards of different grids/);
  });
});
