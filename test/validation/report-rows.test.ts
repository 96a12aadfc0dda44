import { describe, expect, it } from "vitest";
import { DEFAULT_32, findRow, matchesKey, RINGBUF_32, rowKey, skbDelayOf } from "../../src/validation/report-rows.ts";
import { SEED_TABLES } from "../../src/validation/seed.ts";
import { fakeReproduce } from "./report-fixtures.ts";

describe("report rows by typed key", () => {
  const rep = fakeReproduce();

  it("finds the 32-core default and ring buffer rows by what they ran, whatever their labels say", () => {
    expect(findRow(rep.rows, DEFAULT_32)?.label).toBe("the usual deployment");
    expect(findRow(rep.rows, RINGBUF_32)?.label).toBe("rb");
    expect(findRow(rep.rows, { table: "scenarios32", tool: "retina-perf", placement: "unlimited", metric: "reduction_pct" })?.published).toBe(53);
  });

  it("finds table 1's rows and the rate rows by core count and metric", () => {
    expect(findRow(rep.rows, { table: "byCores", cores: 64, metric: "reduction_pct" })?.published).toBe(50);
    expect(findRow(rep.rows, { table: "byCores", cores: 32, metric: "reduction_pct" })).toBeUndefined();
    expect(findRow(rep.rows, { table: "eventRates", cores: 16, metric: "wakeup_ratio" })?.label).toBe("ratio");
    expect(findRow(rep.rows, { table: "eventRates", cores: 32, metric: "wakeup_ratio" })?.label).toBe("ratio on the bigger node");
  });

  it("a key of another table or metric does not match", () => {
    const r = findRow(rep.rows, DEFAULT_32)!;
    expect(matchesKey(r, { ...DEFAULT_32, metric: "with_tool_gbps" })).toBe(false);
    expect(matchesKey(r, { table: "byCores", cores: 32, metric: "reduction_pct" })).toBe(false);
  });

  it("reads the skb delay reproduce files under the row's table|label key", () => {
    expect(rowKey(findRow(rep.rows, RINGBUF_32)!)).toBe(`${SEED_TABLES.scenarios32}|rb`);
    expect(skbDelayOf(rep, DEFAULT_32)?.p50.mean).toBe(6);
    expect(skbDelayOf(rep, { table: "byCores", cores: 16, metric: "reduction_pct" })?.p50.mean).toBe(5);
    expect(skbDelayOf(rep, { table: "byCores", cores: 64, metric: "reduction_pct" })).toBeUndefined();
  });
});
