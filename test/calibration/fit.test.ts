import { describe, expect, it } from "vitest";
import { fitCalibration, fitLostOutputs } from "../../src/calibration/fit.ts";
import { repairmanCycleNs } from "../../src/calibration/repairman.ts";
import type { DatasetRow, MicrobenchRow, ThroughputRow } from "../../src/measure/jsonl.ts";
import { CALIBRATION_CONSTANTS, type CalibrationFile } from "../../src/models/types.ts";

// Known answers the synthetic dataset is built from.
const TRUTH = {
  bpfProgramNs: 200,
  perfOutputNs: 180,
  irqWorkNs: 6000,
  wakeupNs: 1500,
  ringbufOutputNs: 40,
  uncontendedHold: 10,
  contendedHold: 300,
  interference: 50,
  consumeNs: 5,
  contextSwitchNs: 8000,
  softirqNsPerSkb: 1500,
  softirqNsPerByte: 0.3,
};

/** The reader's CPU per sleep/wake cycle as the node model charges it: two switches and two epoll_wait calls (literature epollWaitNs = 1 below). */
const CYCLE_NS = 2 * (TRUTH.contextSwitchNs + 1);

const literature: CalibrationFile = {
  hostClass: "literature",
  description: "test",
  provenance: { command: "test", date: "2026-01-01" },
  constants: Object.fromEntries(
    CALIBRATION_CONSTANTS.map((n) => [
      n,
      {
        value: n === "ringbufLockHoldNs" ? TRUTH.uncontendedHold : n === "softirqNsPerSkb" ? TRUTH.softirqNsPerSkb : 1,
        unit: "ns",
        method: "literature",
        source: `lit ${n}`,
      },
    ]),
  ) as CalibrationFile["constants"],
};

function mb(configId: string, producers: number, consumer: boolean, ns: number, rep: number, extra: Partial<MicrobenchRow["loader"]> = {}): MicrobenchRow {
  return {
    kind: "microbench",
    runId: `${configId}#${rep}`,
    configId,
    rep,
    startedAt: "2026-01-01T00:00:00Z",
    hostClass: "test-host",
    config: { id: configId, settings: { mode: "perf" }, producers, consumer, repeat: 1000 },
    // ±1% noise around the truth, symmetric so the median is exact
    loader: { ns_per_run_mean: ns * (1 + (rep - 1) * 0.01), consumer_cpu_s: 0, records: 0, emitted: 0, failed: 0, ...extra },
  };
}

function tp(configId: string, rep: number, fields: Partial<ThroughputRow>): ThroughputRow {
  return {
    kind: "throughput",
    runId: `${configId}#${rep}`,
    configId,
    rep,
    startedAt: "2026-01-01T00:00:00Z",
    hostClass: "test-host",
    config: { id: configId },
    durationS: 5,
    iperf: { bitsPerSecond: 1e10, bytes: 6e9, retransmits: 0, senderCpuPercent: 50, receiverCpuPercent: 50 },
    procStat: { ctxt: 1000, cpu: { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 } },
    userHz: 100,
    ...fields,
  };
}

function dataset(): DatasetRow[] {
  const T = TRUTH;
  const rows: DatasetRow[] = [];
  const perf1 = T.bpfProgramNs + T.perfOutputNs;
  const rb1 = T.bpfProgramNs + T.ringbufOutputNs + T.uncontendedHold;
  const think = rb1 - T.uncontendedHold;
  for (const rep of [0, 1, 2]) {
    rows.push(mb("micro-none-p1", 1, false, T.bpfProgramNs, rep));
    rows.push(mb("micro-perf-wm-p1-nc", 1, false, perf1, rep, { records: 1e5, drain_cpu_s: (1e5 * T.consumeNs) / 1e9 }));
    rows.push(mb("micro-perf-wm-p2-nc", 2, false, perf1 + T.interference, rep));
    rows.push(mb("micro-perf-we1-p1-nc", 1, false, perf1 + T.irqWorkNs, rep));
    rows.push(mb("micro-perf-we1-p1-c", 1, true, perf1 + T.irqWorkNs + T.wakeupNs, rep));
    rows.push(mb("micro-ringbuf-default-p1-nc", 1, false, rb1, rep, { records: 2e5, drain_cpu_s: (2e5 * T.consumeNs) / 1e9 }));
    rows.push(mb("micro-ringbuf-default-p2-nc", 2, false, repairmanCycleNs(2, think, T.contendedHold) + T.interference, rep));
    rows.push(mb("micro-perf-wm-p1-c", 1, true, perf1, rep, { records: 1e5, consumer_cpu_s: 1 })); // a spinning consumer: not used
  }
  for (const rep of [0, 1, 2, 3]) {
    rows.push(tp("tp-baseline", rep, {}));
    for (const [id, records, switches] of [
      ["tp-perf", 2e5 + rep * 1e4, 5e4 + rep * 7e3],
      ["tp-ringbuf", 4e5 - rep * 3e4, 2e4 + rep * 1e3],
    ] as const) {
      rows.push(
        tp(id, rep, {
          loader: {
            records,
            emitted: records,
            failed: 0,
            reader_cpu_s: (records * T.consumeNs + switches * CYCLE_NS) / 1e9,
            voluntary_ctxt_switches: switches,
            involuntary_ctxt_switches: 0,
          },
        }),
      );
    }
    const seen = 4e5;
    const bytes = 6e9 + rep * 1e8;
    const kernelNs = bytes * T.softirqNsPerByte + (seen / 2) * T.softirqNsPerSkb + seen * T.bpfProgramNs;
    rows.push(
      tp("tp-none", rep, {
        iperf: { bitsPerSecond: 1e10, bytes, retransmits: 0, senderCpuPercent: 0, receiverCpuPercent: 0 },
        procStat: {
          ctxt: 1,
          cpu: { user: 0, nice: 0, system: (kernelNs / 1e9) * 100 * 0.75, idle: 0, iowait: 0, irq: 0, softirq: (kernelNs / 1e9) * 100 * 0.25, steal: 0 },
        },
        loader: { records: 0, emitted: 0, failed: 0, seen },
      }),
    );
  }
  rows.push(tp("tp-perf-pinned", 0, {}));
  // A run that started on a busy machine, with nonsense reader numbers: must not be fitted.
  rows.push(
    tp("tp-perf", 9, {
      rep: 0,
      runId: "tp-perf#busy",
      preRun: { idleShare: 0.1, waitedMs: 10_000, quiet: false },
      loader: { records: 1, emitted: 1, failed: 0, reader_cpu_s: 99, voluntary_ctxt_switches: 1, involuntary_ctxt_switches: 0 },
    }),
  );
  return rows;
}

describe("fitCalibration on a synthetic dataset with known constants", () => {
  const cal = fitCalibration(dataset(), { datasetPath: "validation/data/test.jsonl", literature, date: "2026-01-01" });
  const c = cal.constants;

  it("names the dataset it was fitted from in provenance.datasets (the validation report reads it)", () => {
    expect(cal.provenance.datasets).toEqual({ throughput: ["validation/data/test.jsonl"], wakeups: [] });
    expect(cal.provenance.command).toBe("bpfsim calibrate --data validation/data/test.jsonl");
  });

  it("recovers every measured and fitted constant", () => {
    expect(c.bpfProgramNs.value).toBeCloseTo(TRUTH.bpfProgramNs, 6);
    expect(c.perfOutputNs.value).toBeCloseTo(TRUTH.perfOutputNs, 6);
    expect(c.irqWorkNs.value).toBeCloseTo(TRUTH.irqWorkNs, 6);
    expect(c.wakeupNs.value).toBeCloseTo(TRUTH.wakeupNs, 6);
    expect(c.ringbufOutputNs.value).toBeCloseTo(TRUTH.ringbufOutputNs, 6);
    expect(c.ringbufLockHoldNs.value).toBeCloseTo(TRUTH.contendedHold, 1);
    expect(c.consumeNs.value).toBeCloseTo(TRUTH.consumeNs, 6);
    expect(c.contextSwitchNs.value).toBeCloseTo(TRUTH.contextSwitchNs, 3);
    expect(c.contextSwitchNs.residual).toBeLessThan(1e-9);
    expect(c.softirqNsPerByte.value).toBeCloseTo(TRUTH.softirqNsPerByte, 6);
  });

  it("says how each constant was obtained and which runs it used", () => {
    expect(c.bpfProgramNs.method).toBe("measured");
    expect(c.ringbufLockHoldNs.method).toBe("fitted");
    expect(c.softirqNsPerSkb.method).toBe("literature");
    expect(c.epollWaitNs).toMatchObject({ method: "literature", source: expect.stringContaining("lit epollWaitNs") });
    expect(c.bpfProgramNs.runs).toEqual(["micro-none-p1#0", "micro-none-p1#1", "micro-none-p1#2"]);
    expect(c.contextSwitchNs.source).toContain("validation/data/test.jsonl");
    expect(Object.keys(c)).toEqual([...CALIBRATION_CONSTANTS]);
  });

  it("holds out the throughput runs it did not fit", () => {
    expect(cal.heldOut).toEqual(expect.arrayContaining(["tp-baseline#3", "tp-perf#3", "tp-ringbuf#3", "tp-none#3", "tp-perf-pinned#0"]));
    expect(cal.heldOut).not.toContain("tp-perf#0");
    expect(cal.heldOut).toContain("tp-perf#busy");
    expect(c.contextSwitchNs.runs).not.toContain("tp-perf#3");
  });

  it("fails naming the missing configuration", () => {
    const rows = dataset().filter((r) => r.configId !== "micro-none-p1");
    expect(() => fitCalibration(rows, { datasetPath: "x", literature })).toThrow(/micro-none-p1/);
  });
});

describe("fitLostOutputs: an output into a full ring, as a share of a stored one measured in the same sitting", () => {
  // none 200 ns; perf stored +250, full +125 (half); ring buffer stored +60, full +35, each with a 10 ns hold inside
  const rows = (over: Record<string, number> = {}): DatasetRow[] => {
    const ns = { none: 200, "perf-stored": 450, "perf-full": 325, "ringbuf-stored": 260, "ringbuf-full": 235, ...over };
    return Object.entries(ns).flatMap(([tag, v]) => [0, 1, 2].map((rep) => mb(`micro-lost-${tag}-p1`, 1, false, v, rep)));
  };
  const stored = { perfOutputNs: 230, ringbufOutputNs: 51, holdNs: 10, path: "validation/data/lost.jsonl" };

  it("scales the calibrated stored cost by the sitting's ratio (perf: the whole output; ring buffer: outside the lock)", () => {
    const l = fitLostOutputs(rows(), stored);
    expect(l.perfLostOutputNs.value).toBeCloseTo(0.5 * 230, 6);
    expect(l.ringbufLostOutputNs.value).toBeCloseTo((25 / 50) * 51, 6);
    expect(l.perfLostOutputNs).toMatchObject({ method: "measured", unit: "ns", source: expect.stringContaining("validation/data/lost.jsonl") });
    expect(l.perfLostOutputNs.runs).toContain("micro-lost-perf-full-p1#0");
    expect(l.perfLostOutputNs.runs).toContain("micro-lost-none-p1#2");
  });

  it("a full ring no dearer than mode none costs nothing; never a negative constant", () => {
    expect(fitLostOutputs(rows({ "perf-full": 150 }), stored).perfLostOutputNs.value).toBe(0);
  });

  it("fails naming the configuration when the stored output is not above mode none, or runs are missing", () => {
    expect(() => fitLostOutputs(rows({ "perf-stored": 190 }), stored)).toThrow(/micro-lost-perf-stored-p1 = 190 ns/);
    expect(() =>
      fitLostOutputs(
        rows().filter((r) => r.configId !== "micro-lost-ringbuf-full-p1"),
        stored,
      ),
    ).toThrow(/micro-lost-ringbuf-full-p1/);
  });

  it("fitCalibration takes the lost dataset when given one, and names it in provenance; else the literature's", () => {
    const withLost = fitCalibration(dataset(), {
      datasetPath: "validation/data/test.jsonl",
      literature,
      lost: { rows: rows(), path: "validation/data/lost.jsonl" },
    });
    expect(withLost.constants.perfLostOutputNs.method).toBe("measured");
    expect(withLost.constants.perfLostOutputNs.value).toBeCloseTo(0.5 * TRUTH.perfOutputNs, 6);
    expect(withLost.provenance.datasets?.lost).toEqual(["validation/data/lost.jsonl"]);
    const without = fitCalibration(dataset(), { datasetPath: "validation/data/test.jsonl", literature });
    expect(without.constants.perfLostOutputNs.method).toBe("literature");
  });
});
