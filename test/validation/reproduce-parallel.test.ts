import { describe, expect, it } from "vitest";
import { reproduce, reproduceParallel } from "../../src/validation/reproduce.ts";

describe("reproduceParallel", () => {
  it("gives reproduce's result value for value, band included, on worker threads", async () => {
    const o = { replications: 2, durationS: 0.04, warmupS: 0.01, band: true, sweepReplications: 1 };
    const parallel = await reproduceParallel({ ...o, workers: 2 });
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(reproduce(o)));
    expect(Object.keys(parallel.band ?? {}).length).toBeGreaterThan(0);
  }, 600_000);
});
