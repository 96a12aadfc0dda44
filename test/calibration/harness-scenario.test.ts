import { describe, expect, it } from "vitest";
import { placementFor, toolForSettings } from "../../src/calibration/harness-scenario.ts";

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
  it("has no tool for mode none", () => {
    expect(() => toolForSettings({ mode: "none" })).toThrow(/none/);
  });
});

describe("placementFor", () => {
  it("maps limit, pinning and neither", () => {
    expect(placementFor({ mode: "perf" }, 0.25).placement).toMatchObject({ kind: "limited", cpuLimit: 0.25, cfsPeriodUs: 100000 });
    expect(placementFor({ mode: "perf", readerCpu: 1 }, undefined).placement).toMatchObject({ kind: "pinned", dedicatedCpus: 1, exclusive: false });
    expect(placementFor({ mode: "perf" }, undefined).placement.kind).toBe("unlimited");
  });
});
