/**
 * The lo-p2 traffic shape (iperf3 -P 2 over loopback) is predicted: its configurations get the
 * iperf3-lo-p2 workload on dev-kvm-2vcpu, observed at tp-lo-p2-baseline. Rows are five rows of a
 * 1-repetition smoke run of `bpfsim measure --shape lo-p2` (fixtures/lo-p2-smoke.jsonl), taken on a
 * busy machine: only their shape is used here, never their numbers as a yardstick.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { harnessShape, shapeOfConfigId } from "../../src/calibration/harness-scenario.ts";
import type { DatasetRow } from "../../src/measure/jsonl.ts";
import { loadWorkload } from "../../src/models/load.ts";
import { readFittedCalibration } from "../../src/validation/held-out.ts";
import { mechanismComparison, validateMeasured } from "../../src/validation/measured.ts";

const rows = readFileSync(new URL("./fixtures/lo-p2-smoke.jsonl", import.meta.url), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as DatasetRow);
const cal = readFittedCalibration(
  new URL("../../models/calibration/kvm-2vcpu-amd-epyc.json", import.meta.url).pathname,
  "models/calibration/kvm-2vcpu-amd-epyc.json",
);
const SIM = { seed: 1, replications: 2, durationS: 0.22, warmupS: 0.02 };

describe("harnessShape: the scenario of each traffic shape", () => {
  it("veth (or no shape): iperf3-veth at tp-baseline; lo-p2: iperf3-lo-p2 at tp-lo-p2-baseline; both on dev-kvm-2vcpu", () => {
    expect(harnessShape(undefined)).toEqual({ shape: "veth", hardware: "dev-kvm-2vcpu", workload: "iperf3-veth", baselineConfig: "tp-baseline" });
    expect(harnessShape("lo-p2")).toEqual({ shape: "lo-p2", hardware: "dev-kvm-2vcpu", workload: "iperf3-lo-p2", baselineConfig: "tp-lo-p2-baseline" });
    expect(shapeOfConfigId("tp-lo-p2-perf")).toBe("lo-p2");
    expect(shapeOfConfigId("tpw-lo-p2-ringbuf")).toBe("lo-p2");
    expect(shapeOfConfigId("tp-perf-pages8")).toBe("veth");
  });
  it("iperf3-lo-p2: one 64 KiB skb per lo MTU, an ACK every second skb, sent from the receiving thread's CPU", () => {
    const w = loadWorkload("iperf3-lo-p2");
    expect(w.mssBytes * w.groSegments).toBe(65536 - 20 - 20 - 12 - 1); // lo MTU less IPv4, TCP, timestamps (65483)
    expect(w.skbsPerAck).toBe(2);
    expect(w.acksFromReceiverShare).toBe(1);
    // veth keeps the model the calibration was fitted with
    expect(loadWorkload("iperf3-veth").acksFromReceiverShare).toBeUndefined();
  });
});

describe("validateMeasured on lo-p2 rows", () => {
  const v = validateMeasured(rows, cal, { ...SIM, dataset: "validation/data/x-heldout-lo-p2.jsonl", selection: { shape: "lo-p2" } });
  it("another campaign's file: none of its runs used; the baseline is tp-lo-p2-baseline", () => {
    expect(v.baseline?.configId).toBe("tp-lo-p2-baseline");
    expect(v.baseline?.used).toBe(false);
    expect(v.selection.usedRuns.size).toBe(0);
    expect(v.comparisons.map((c) => c.config.configId)).toEqual(["tp-lo-p2-none", "tp-lo-p2-perf", "tp-lo-p2-perf-pinned", "tp-lo-p2-ringbuf-limit025"]);
  });
  it("every configuration with an output buffer is predicted (not listed as 'no workload model')", () => {
    for (const c of v.comparisons.filter((c) => c.config.settings?.mode !== "none")) {
      expect(c.result, c.config.configId).not.toBeNull();
      expect(c.errorPct).not.toBeNull();
      expect(c.result!.withAgentGbps.mean).toBeGreaterThan(0);
      expect(c.result!.withAgentGbps.mean).toBeLessThanOrEqual(v.baseline!.medianGbps * (1 + 1e-9));
    }
  });
  it("the pinned reader's CPU (1) carries the ACKs' hooks: its scenario says so, and the loader's counters sit beside the model's", () => {
    const pinned = v.comparisons.find((c) => c.config.configId === "tp-lo-p2-perf-pinned")!;
    expect(pinned.scenario).toMatch(/pinned/);
    const m = mechanismComparison(rows, pinned);
    expect(m.cyclesPerRecord.measuredMedian).toBeCloseTo(4784 / 36340, 9);
    expect(m.cyclesPerRecord.predicted).toBeGreaterThan(0);
  });
  it("workload null: listed, not predicted", () => {
    const n = validateMeasured(rows, cal, { ...SIM, workload: null, selection: { shape: "lo-p2", calibrationDataset: false } });
    expect(n.comparisons.every((c) => c.result === null)).toBe(true);
  });
});
