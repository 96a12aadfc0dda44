import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { readDataset, type DatasetRow } from "../../src/measure/jsonl.ts";
import { loadCalibration } from "../../src/models/load.ts";
import { PACKAGE_ROOT } from "../../src/models/paths.ts";
import { latestWindowDatasets, windowCheck } from "../../src/validation/window-check.ts";

const FILE = "kvm-2vcpu-amd-epyc-2026-12-03-injected-delay-w16k.jsonl";
const SIM = { seed: 1, replications: 2, durationS: 0.22 };

describe("windowCheck: the node model's window-limited receiver beside our window-capped runs", () => {
  const rows = readDataset(join(PACKAGE_ROOT, "validation", "data", FILE));
  const cal = loadCalibration("kvm-2vcpu-amd-epyc");
  const c = windowCheck(rows, cal, SIM)!;

  it("finds the shipped dataset as the latest of its window", () => {
    expect(latestWindowDatasets(join(PACKAGE_ROOT, "validation", "data"))).toContain(FILE);
  });

  it("compares every output mode with and without the cap, against the baseline of the same window", () => {
    expect(c.windowBytes).toBe(16384);
    expect(c.cappedBaselineGbps).toBeLessThan(c.autotunedBaselineGbps);
    expect(c.rows.map((r) => `${r.mode}/${r.capped}`)).toEqual(["none/false", "none/true", "perf/false", "perf/true", "ringbuf/false", "ringbuf/true"]);
    for (const r of c.rows) expect(r.bottleneck).toBe(r.capped ? "window" : "app-cpus");
  });

  it("with the window capped the delay adds to what CPU time alone costs, and brings each output mode within 10 pp of the measured overhead", () => {
    for (const mode of ["perf", "ringbuf"] as const) {
      const r = c.rows.find((x) => x.mode === mode && x.capped)!;
      expect(r.predictedPct, mode).toBeGreaterThan(r.cpuOnlyPct + 5);
      expect(Math.abs(r.predictedPct - r.measuredPct), mode).toBeLessThan(10);
      expect(Math.abs(r.predictedPct - r.measuredPct), mode).toBeLessThan(Math.abs(r.cpuOnlyPct - r.measuredPct));
    }
  });

  it("null for a dataset without a capped window or without both baselines", () => {
    const noWindow = rows.filter((r) => !(r.kind === "throughput" && r.config.windowBytes !== undefined));
    expect(windowCheck(noWindow, cal, SIM)).toBeNull();
    const noAutoBaseline = rows.filter((r: DatasetRow) => r.configId !== "tpd-baseline");
    expect(windowCheck(noAutoBaseline, cal, SIM)).toBeNull();
  });
});
