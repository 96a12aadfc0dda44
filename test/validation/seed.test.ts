import { describe, expect, it } from "vitest";
import { loadSeed } from "../../src/validation/seed.ts";

/**
 * The field study's published numbers, as copied into validation/seed-retina-kubecon.json, against
 * the "published" column of README.md's table ("Where it stands") and the study itself
 * (https://blog.zmalik.dev/p/who-will-observe-the-observability): a transcription check.
 */
describe("loadSeed", () => {
  const s = loadSeed();
  it("the perf array's overhead by core count: 4 -> 0%, 16 -> 14%, 32 -> 44%, 64 -> ~50%; baselines 0.2, 5, 8 Gb/s", () => {
    const by = new Map(s.throughput_by_core_count_perf_array.map((r) => [r.cores, r]));
    expect(by.get(4)).toMatchObject({ baseline_gbps: 0.2, reduction_pct: 0 });
    expect(by.get(16)).toMatchObject({ baseline_gbps: 5, reduction_pct: 14 });
    expect(by.get(32)).toMatchObject({ baseline_gbps: 8, reduction_pct: 44 });
    expect(by.get(64)!.reduction_pct_approx ?? by.get(64)!.reduction_pct).toBe(50);
  });
  it("the 32-core scenarios: default 43%, no CPU limits 53%, pinned 35%, ring buffer 7.5%, baseline 8 Gb/s", () => {
    const pct = (re: RegExp) => s.scenarios_32_cores.find((x) => re.test(x.scenario))!.reduction_pct;
    expect(pct(/default/)).toBe(43);
    expect(pct(/no CPU limits/)).toBe(53);
    expect(pct(/pinned/)).toBe(35);
    expect(pct(/ring buffer/)).toBe(7.5);
    expect(s.scenarios_32_cores.find((x) => x.reduction_pct === 0)!.gbps).toBe(8);
  });
  it("the wakeup ratio ~0.7 (README: 'the study's 0.7 wakeups per record'), and published samples of both counters", () => {
    expect(s.wakeups_32_cores_perf_array.wakeup_ratio_approx).toBe(0.7);
    expect(s.wakeups_32_cores_perf_array.perf_event_output_per_s.length).toBeGreaterThan(0);
    expect(s.wakeups_32_cores_perf_array.perf_event_wakeup_per_s.length).toBe(s.wakeups_32_cores_perf_array.perf_event_output_per_s.length);
  });
  it("reads another file when given one, and fails on a missing one", () => {
    expect(() => loadSeed("/nonexistent/seed.json")).toThrow(/ENOENT/);
  });
});
