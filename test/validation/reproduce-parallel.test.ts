import { describe, expect, it } from "vitest";
import { reproduce, reproduceParallel } from "../../src/validation/reproduce.ts";

describe("reproduceParallel", () => {
  it("gives reproduce's result value for value, band included, on worker threads", async () => {
    const o = { replications: 2, durationS: 0.04, warmupS: 0.01, band: true, sweepReplications: 1 };
    const parallel = await reproduceParallel({ ...o, workers: 2 });
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(reproduce(o)));
    expect(Object.keys(parallel.band ?? {}).length).toBeGreaterThan(0);
    // the joint band holds the one-at-a-time band, and its corners take each unknown from its range,
    // where moving that unknown alone moved the row the same way
    for (const b of Object.values(parallel.band ?? {})) {
      expect(b.joint.low).toBeLessThanOrEqual(b.low);
      expect(b.joint.high).toBeGreaterThanOrEqual(b.high);
      for (const [name, v] of Object.entries(b.joint.highAt)) {
        const alone = b.byUnknown[name].find((x) => x.value === v);
        expect(alone!.overheadPct).toBeGreaterThan(b.atDefaults);
      }
      for (const [name, v] of Object.entries(b.joint.lowAt)) {
        const alone = b.byUnknown[name].find((x) => x.value === v);
        expect(alone!.overheadPct).toBeLessThan(b.atDefaults);
      }
    }
  }, 600_000);
});
