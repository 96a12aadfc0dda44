import { describe, expect, it } from "vitest";
import { NO_OUTPUT_SAMPLING, placementFor, simulateHarness, toolForSettings } from "../../src/calibration/harness-scenario.ts";
import { loadCalibration } from "../../src/models/load.ts";

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

describe("simulateHarness with a measured runqueue wait (a what-if)", () => {
  const cal = loadCalibration("kvm-2vcpu-amd-epyc");
  const quick = { replications: 2, durationS: 0.06, warmupS: 0.01, maxIterations: 2 };
  it("every wakeup waits a draw from the histogram, wall-clock: a 2 ms wait puts each pass's first record 2 ms or more after its output", () => {
    const base = simulateHarness(cal, { mode: "perf" }, 10, quick);
    const slow = simulateHarness(cal, { mode: "perf" }, 10, { ...quick, runqueueWaitUs: [[2000, 2000, 1]] });
    expect(base.firstRecordLatencyP50Us.mean).toBeLessThan(500);
    expect(slow.firstRecordLatencyP50Us.mean).toBeGreaterThanOrEqual(2000);
  });
  it("a running reader preempted often for 3 ms holds records that long: the p99 goes past 3 ms", () => {
    const base = simulateHarness(cal, { mode: "ringbuf" }, 10, quick);
    const pre = simulateHarness(cal, { mode: "ringbuf" }, 10, { ...quick, readerPreemption: { perRunningS: 20_000, stallUs: [[3000, 3000, 1]] } });
    expect(base.latencyP99Us.mean).toBeLessThan(1000);
    expect(pre.latencyP99Us.mean).toBeGreaterThan(3000);
    expect(() => simulateHarness(cal, { mode: "perf" }, 10, { ...quick, readerPreemption: { perRunningS: 0, stallUs: [[1, 2, 1]] } })).toThrow(
      expect.objectContaining({ name: "ScenarioError", field: "readerPreemption.perRunningS" }),
    );
    expect(() => simulateHarness(cal, { mode: "perf" }, 10, { ...quick, readerPreemption: { perRunningS: 10, stallUs: [] } })).toThrow(
      expect.objectContaining({ name: "ScenarioError", field: "readerPreemption.stallUs" }),
    );
  });
  it.each([
    ["runqueueWaitUs", []],
    ["runqueueWaitUs[0]", [[5, 1, 1]]],
    ["runqueueWaitUs[0]", [[0, 1, -1]]],
    ["runqueueWaitUs", [[0, 1, 0]]],
  ])("a bad histogram is refused, naming %s", (field, h) => {
    expect(() => simulateHarness(cal, { mode: "perf" }, 10, { ...quick, runqueueWaitUs: h as [number, number, number][] })).toThrow(
      expect.objectContaining({ name: "ScenarioError", field }),
    );
  });
});
