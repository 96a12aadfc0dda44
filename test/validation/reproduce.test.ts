import { describe, expect, it } from "vitest";
import { reproduce } from "../../src/validation/reproduce.ts";
import { loadUnknowns } from "../../src/validation/unknowns.ts";
import { MECHANISM_NAMES } from "../../src/node/mechanisms.ts";

describe("reproduce: the band over the study's unknowns and the ablation", () => {
  const r = reproduce({ band: true, ablate: true, replications: 2, durationS: 0.05, warmupS: 0.01, sweepReplications: 2 });
  const counted = r.rows.filter((x) => x.status === "predicted" && x.metric === "reduction_pct");
  it("gives every counted row a band that contains its prediction at the defaults, from every unknown's values", () => {
    const unknowns = loadUnknowns();
    expect(Object.keys(r.band!).sort()).toEqual(counted.map((x) => `${x.table}|${x.label}`).sort());
    for (const [key, b] of Object.entries(r.band!)) {
      expect(b.low).toBeLessThanOrEqual(b.atDefaults + 1e-9);
      expect(b.high).toBeGreaterThanOrEqual(b.atDefaults - 1e-9);
      expect(b.covers).toBe(b.published >= b.low - 1e-9 && b.published <= b.high + 1e-9);
      for (const u of unknowns) {
        const seen = b.byUnknown[u.name];
        expect(seen, `${key} ${u.name}`).toBeDefined();
        expect(seen.length).toBe(u.values.filter((v) => v !== u.default).length);
        for (const x of seen) {
          expect(x.overheadPct).toBeGreaterThanOrEqual(b.low - 1e-9);
          expect(x.overheadPct).toBeLessThanOrEqual(b.high + 1e-9);
        }
      }
    }
  });
  it("runs every counted row with each mechanism off, beside the row with all on", () => {
    expect(r.ablation!.mechanisms).toEqual(MECHANISM_NAMES);
    for (const x of counted) {
      const a = r.ablation!.rows[`${x.table}|${x.label}`];
      expect(a.all).toBeCloseTo(x.predicted.mean, 9);
      for (const m of MECHANISM_NAMES) expect(Number.isFinite(a.without[m])).toBe(true);
    }
  });
  it("runs every row with the family's receive costs, fitted on the published baselines alone; the 64-core row, with none, saturates", () => {
    const row64 = r.rows.find((x) => /64 cores/.test(x.label) && x.metric === "reduction_pct")!;
    expect(row64.status).toBe("predicted");
    expect(row64.scenario.offeredGbps).toBeUndefined();
    const scales = new Set(r.rows.map((x) => `${x.scenario.receiveCostScale}|${x.scenario.mobileCostScale}`));
    expect(scales.size).toBe(1);
    expect(r.family.points.map((p) => p.cores)).toEqual([16, 32]);
  });
});
