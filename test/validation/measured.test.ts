import { describe, expect, it } from "vitest";
import type { DatasetRow } from "../../src/measure/jsonl.ts";
import { loadCalibration } from "../../src/models/load.ts";
import { validateMeasured } from "../../src/validation/measured.ts";
import type { FittedCalibrationFile } from "../../src/validation/held-out.ts";

// The predicted path (simulate on dev-kvm-2vcpu) is pinned against the real dataset in
// test/validation/fidelity.test.ts; here the bookkeeping around it, without simulating.
const tp = (configId: string, rep: number, gbps: number, settings?: { mode: "none" | "perf" | "ringbuf" }): DatasetRow =>
  ({
    kind: "throughput",
    runId: `${configId}#${rep}`,
    configId,
    rep,
    hostClass: "test",
    config: { id: configId, ...(settings ? { settings } : {}) },
    durationS: 5,
    userHz: 100,
    iperf: { bitsPerSecond: gbps * 1e9, bytes: 1, retransmits: 0, senderCpuPercent: 0, receiverCpuPercent: 0 },
    procStat: { ctxt: 0, cpu: {} },
  }) as unknown as DatasetRow;
const cal = (heldOut: string[]): FittedCalibrationFile => ({ calibration: loadCalibration("literature"), heldOut, file: "x" });

describe("validateMeasured: the bookkeeping", () => {
  it("no baseline runs: nothing to weigh the agent against, nothing compared", () => {
    const v = validateMeasured([tp("tp-none", 0, 10, { mode: "none" })], cal(["tp-none#0"]));
    expect(v.baseline).toBeNull();
    expect(v.comparisons).toEqual([]);
  });
  it("the baseline is the median (min-max) of its runs, and says whether the calibration used them", () => {
    const rows = [tp("tp-baseline", 0, 20), tp("tp-baseline", 1, 24), tp("tp-baseline", 2, 18)];
    expect(validateMeasured(rows, cal([])).baseline).toEqual({
      configId: "tp-baseline",
      runs: ["tp-baseline#0", "tp-baseline#1", "tp-baseline#2"],
      medianGbps: 20,
      minGbps: 18,
      maxGbps: 24,
      used: true,
    });
    expect(validateMeasured(rows, cal(["tp-baseline#0", "tp-baseline#1", "tp-baseline#2"])).baseline!.used).toBe(false);
  });
  it("a held-out configuration with the program but no output is predicted as the program's cost alone", () => {
    const rows = [
      tp("tp-baseline", 0, 20),
      tp("tp-none", 0, 15, { mode: "none" }),
      tp("tp-none", 1, 16, { mode: "none" }),
      tp("tp-none", 2, 17, { mode: "none" }),
    ];
    const v = validateMeasured(rows, cal(["tp-none#0", "tp-none#1", "tp-none#2"]), { seed: 1, replications: 2, durationS: 0.06, warmupS: 0.01 });
    expect(v.comparisons).toHaveLength(1);
    const c = v.comparisons[0];
    expect(c.scenario).toMatch(/^program attached, no output \(modelled as sample 1\/1000000\)/);
    const r = c.result!;
    // no record in the run: nothing emitted, lost or woken; the throughput is the baseline's less the programs' CPU time
    expect(r.eventsPerS.mean).toBe(0);
    expect(r.lostPerS.mean).toBe(0);
    expect(r.withAgentGbps.mean).toBeLessThan(20);
    expect(r.withAgentGbps.mean).toBeGreaterThan(15);
    expect(c.errorPct).toBeCloseTo((100 * (r.withAgentGbps.mean - 16)) / 16, 9);
    // 100 x (1 - 16 / 20)
    expect(c.measuredOverheadPct).toBeCloseTo(20, 12);
  });
  it("configurations any of whose runs the calibration used are not compared", () => {
    const rows = [tp("tp-baseline", 0, 20), tp("tp-none", 0, 15, { mode: "none" }), tp("tp-none", 1, 16, { mode: "none" })];
    expect(validateMeasured(rows, cal(["tp-none#1"])).comparisons).toEqual([]);
  });
});
