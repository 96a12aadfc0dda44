import { describe, expect, it } from "vitest";
import { fitRunqueueWait, readerCycleTarget, simulatedReaderCycles } from "../../src/calibration/runqueue-fit.ts";
import { withConstant } from "../../src/calibration/harness-scenario.ts";
import { readDataset, type DatasetRow } from "../../src/measure/jsonl.ts";
import { cycleRows, loaderRow } from "./loader-rows.ts";
import { readFittedCalibration } from "../../src/validation/held-out.ts";
import { loadCalibration } from "../../src/models/load.ts";

/** tpw-ringbuf rows whose irq_work IPIs per output give `ratio` (and a tpw-none background of 0). */
function rows(ratio: number): DatasetRow[] {
  const row = (configId: string, rep: number, mode: "ringbuf" | "none", ipis: number, emitted: number) =>
    loaderRow(configId, rep, {
      mode,
      loader: { emitted, records: emitted, irq_work_ipis: ipis, perf_event_output_calls: null, perf_event_wakeup_calls: null },
    });
  return [...[0, 1, 2, 3].map((rep) => row("tpw-ringbuf", rep, "ringbuf", Math.round(ratio * 100000), 100000)), row("tpw-none", 0, "none", 0, 0)];
}

describe("fitRunqueueWait", () => {
  it("recovers the wait of a known non-increasing ratio function, from the first three repetitions", () => {
    // synthetic model: notifications per record fall linearly from 0.3 at 0 ns to 0.1 at 40 us
    const model = (w: number) => Math.max(0.1, 0.3 - (0.2 * w) / 40000);
    const f = fitRunqueueWait(rows(0.2), model, { datasetPath: "validation/data/test.jsonl" });
    expect(f.constant.value).toBeGreaterThan(20000 - 300);
    expect(f.constant.value).toBeLessThan(20000 + 300);
    expect(f.constant.method).toBe("fitted");
    expect(f.target.runs).toEqual(["tpw-ringbuf#0", "tpw-ringbuf#1", "tpw-ringbuf#2"]);
    expect(f.bisect.monotone).toBe(true);
  });

  it("withConstant changes that constant only (runqueueWaitNs)", () => {
    const cal = loadCalibration("literature");
    const c = withConstant(cal, "runqueueWaitNs", 1234);
    expect(c.constants.runqueueWaitNs.value).toBe(1234);
    expect(c.constants.irqWorkNs).toEqual(cal.constants.irqWorkNs);
    expect(cal.constants.runqueueWaitNs.value).not.toBe(1234);
  });
});

describe("readerCycleTarget", () => {
  it("reads the reader's sleeps per record from the first three quiet repetitions", () => {
    const t = readerCycleTarget(cycleRows({ "tpw-perf": 0.2 }), { configId: "tpw-perf" });
    expect(t.runs).toEqual(["tpw-perf#0", "tpw-perf#2"]); // rep 1 was not quiet, rep 3 is held out
    expect(t.median).toBeCloseTo(0.2, 9);
    expect(t.settings.mode).toBe("perf");
  });
});

describe("the calibrated model against the reader's measured sleeps per record (held-out wakeup runs)", () => {
  // validation/data/kvm-2vcpu-amd-epyc-2026-11-25-wakeups.jsonl: loader voluntary_ctxt_switches / records.
  // tpw-perf-pages8 and tpw-perf-sample10 are fitted by no constant (the calibration lists them held out).
  // Before the reader's interrupt-time stretch and the fit to these cycles, the model slept 0.626 times
  // per record at pages8 (3.6x measured) and 0.993 at sample10 (+22%). Since the wait and the cycle's
  // cost are fitted together on cycles and billed CPU (reader-cpu-fit.ts), the model sleeps 0.235 per
  // record at pages8 (+37%; the fitted tpw-perf itself +43%, tpw-ringbuf -41%: one wait cannot give
  // perf's reader fewer sleeps than the ring buffer's, as measured) and 0.848 at sample10 (+4%).
  const rows = readDataset("validation/data/kvm-2vcpu-amd-epyc-2026-11-25-wakeups.jsonl");
  const cal = readFittedCalibration("models/calibration/kvm-2vcpu-amd-epyc.json");
  const baseline = 20.6; // median of the tp-baseline runs the calibration observes the workload at
  it.each([
    ["tpw-perf-pages8", 0.4],
    ["tpw-perf-sample10", 0.15],
  ])("%s: predicted within %s of the measured median", (configId, tol) => {
    const runs = rows.filter((r) => r.kind === "throughput" && r.configId === configId);
    for (const r of runs) expect(cal.heldOut).toContain(r.runId);
    const measured = readerCycleTarget(rows, { configId, fitReps: 5 });
    const model = simulatedReaderCycles(cal.calibration, measured.settings, baseline, { replications: 2, durationS: 0.12 });
    expect(Math.abs(model / measured.median - 1)).toBeLessThan(tol);
  });
});
