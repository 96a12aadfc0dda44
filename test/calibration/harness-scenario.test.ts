import { describe, expect, it } from "vitest";
import { NO_OUTPUT_SAMPLING, placementFor, toolForSettings } from "../../src/calibration/harness-scenario.ts";

describe("toolForSettings", () => {
  it("applies the harness run's perf settings", () => {
    const t = toolForSettings({ mode: "perf", perfPages: 8, watermarkBytes: 131072, sample: 10 });
    expect(t.buffer).toEqual({ kind: "perf", pagesPerCpu: 8, watermarkBytes: 131072 });
    expect(t.sampling).toBe(10);
  });
  it("applies the ring buffer's wakeup policy", () => {
    const t = toolForSettings({ mode: "ringbuf", ringbufBytes: 8388608, rbWakeup: { forceEvery: 256 } });
    expect(t.buffer).toMatchObject({ kind: "ringbuf", bytes: 8388608, wakeup: { forceEvery: 256 } });
  });
  it("takes a watermark over wakeup_events, as the loader does, and ignores the other buffer kind's settings", () => {
    const t = toolForSettings({ mode: "perf", wakeupEvents: 4, watermarkBytes: 4096, ringbufBytes: 5000 });
    expect(t.buffer).toEqual({ kind: "perf", pagesPerCpu: 64, watermarkBytes: 4096 });
    const r = toolForSettings({ mode: "ringbuf", perfPages: 3, wakeupEvents: 2 });
    expect(r.buffer).toMatchObject({ kind: "ringbuf", wakeup: "default" });
  });
  it("refuses a bad setting with a ScenarioError naming it", () => {
    expect(() => toolForSettings({ mode: "perf", perfPages: 3 })).toThrow(expect.objectContaining({ name: "ScenarioError", field: "perfPages", value: 3 }));
  });
  it("mode none: the harness tool sampling one packet in 10^6", () => {
    // mode none: the program on every packet, no output (one record per 10^6 program runs at most)
    const none = toolForSettings({ mode: "none", sample: 1 });
    expect(none.sampling).toBe(NO_OUTPUT_SAMPLING);
    expect(none.name).toBe("harness-perf");
  });
});

describe("placementFor", () => {
  it("maps limit, pinning and neither", () => {
    expect(placementFor({ mode: "perf" }, 0.25).placement).toMatchObject({ kind: "limited", cpuLimit: 0.25, cfsPeriodUs: 100000 });
    expect(placementFor({ mode: "perf", readerCpu: 1 }, undefined).placement).toMatchObject({ kind: "pinned", dedicatedCpus: 1, exclusive: false });
    expect(placementFor({ mode: "perf" }, undefined).placement.kind).toBe("unlimited");
  });
});
