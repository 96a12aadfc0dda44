import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { DatasetRow } from "../../src/measure/jsonl.ts";
import { loadCalibration } from "../../src/models/load.ts";
import { calibrationDatasetOf, heldOutConfigurations, type FittedCalibrationFile } from "../../src/validation/held-out.ts";
import { mechanismComparison, type MeasuredComparison } from "../../src/validation/measured.ts";

const tp = (configId: string, rep: number, gbps: number): DatasetRow =>
  ({
    kind: "throughput",
    runId: `${configId}#${rep}`,
    configId,
    rep,
    hostClass: "test",
    config: { id: configId, settings: { mode: "perf" } },
    durationS: 5,
    userHz: 100,
    iperf: { bitsPerSecond: gbps * 1e9, bytes: 1, retransmits: 0, senderCpuPercent: 0, receiverCpuPercent: 0 },
    procStat: { ctxt: 0, cpu: {} },
  }) as unknown as DatasetRow;

const lit = loadCalibration("literature");

describe("heldOutConfigurations", () => {
  it("compares only configurations none of whose runs were used, with median and min-max", () => {
    const rows = [tp("a", 0, 1), tp("a", 1, 2), tp("b", 0, 3), tp("b", 1, 5), tp("b", 2, 4), tp("c", 0, 1), tp("c", 1, 1)];
    const cal: FittedCalibrationFile = { calibration: lit, heldOut: ["b#0", "b#1", "b#2", "c#1"], file: "x" };
    const s = heldOutConfigurations(rows, cal);
    expect(s.heldOut.map((c) => c.configId)).toEqual(["b"]);
    expect(s.heldOut[0]).toMatchObject({ medianGbps: 4, minGbps: 3, maxGbps: 5 });
    expect(s.partial).toEqual([{ configId: "c", used: ["c#0"], heldOut: ["c#1"] }]);
    expect(s.used).toEqual(["a"]);
  });

  it("treats a run named by a constant as used even when listed as held out", () => {
    const cal = structuredClone(lit);
    cal.constants.contextSwitchNs = { ...cal.constants.contextSwitchNs, method: "fitted", runs: ["b#1"] };
    const s = heldOutConfigurations([tp("b", 0, 1), tp("b", 1, 1)], { calibration: cal, heldOut: ["b#0", "b#1"], file: "x" });
    expect(s.heldOut).toEqual([]);
  });

  it("holds nothing out when the file does not list heldOut", () => {
    const s = heldOutConfigurations([tp("b", 0, 1)], { calibration: lit, heldOut: undefined, file: "x" });
    expect(s.heldOut).toEqual([]);
  });

  it("never selects a run the calibration used (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("a", "b", "c", "d"), fc.nat(3), fc.boolean()), { maxLength: 20 }), (spec) => {
        const seen = new Set<string>();
        const rows: DatasetRow[] = [];
        const held: string[] = [];
        for (const [c, rep, isHeld] of spec) {
          const id = `${c}#${rep}`;
          if (seen.has(id)) continue;
          seen.add(id);
          rows.push(tp(c, rep, rep + 1));
          if (isHeld) held.push(id);
        }
        const s = heldOutConfigurations(rows, { calibration: lit, heldOut: held, file: "x" });
        const used = new Set(rows.map((r) => r.runId).filter((r) => !held.includes(r)));
        for (const c of s.heldOut) for (const r of c.runs) expect(used.has(r)).toBe(false);
      }),
    );
  });
});

describe("heldOutConfigurations on another campaign's dataset, by shape, without contended runs", () => {
  const row = (configId: string, rep: number, gbps: number, o: { shape?: string; user?: number } = {}): DatasetRow => {
    const r = tp(configId, rep, gbps) as unknown as { config: Record<string, unknown>; procStat: { cpu: Record<string, number> } };
    if (o.shape) r.config.shape = o.shape;
    r.procStat.cpu = { user: o.user ?? 0, nice: 0, system: 400, idle: 300, iowait: 0, irq: 0, softirq: 300 - (o.user ?? 0), steal: 0 };
    return r as unknown as DatasetRow;
  };
  const cal = structuredClone(lit);
  cal.provenance = { command: "bpfsim calibrate --data validation/data/old.jsonl --wakeup-data w.jsonl", date: "2026-11-25" };
  cal.constants.contextSwitchNs = { ...cal.constants.contextSwitchNs, method: "fitted", runs: ["tp-perf#0", "tp-perf#1"] };
  const fitted: FittedCalibrationFile = { calibration: cal, heldOut: ["tp-perf-pages8#0"], file: "x" };

  it("names the calibration's own dataset", () => {
    expect(calibrationDatasetOf(fitted)).toBe("validation/data/old.jsonl");
    expect(calibrationDatasetOf({ ...fitted, calibration: lit })).toBeUndefined();
  });

  it("in another campaign's file no run is used; configurations fitted in the calibration's own file are flagged", () => {
    const rows = [row("tp-perf", 0, 10), row("tp-perf", 1, 11), row("tp-perf-pages8", 0, 12), row("tp-perf-pages8", 1, 13)];
    // as the calibration's own dataset, tp-perf#0/1 are fitted runs and pages8#1 is not listed held out
    const own = heldOutConfigurations(rows, fitted);
    expect(own.heldOut).toEqual([]);
    const other = heldOutConfigurations(rows, fitted, { calibrationDataset: false });
    expect(other.heldOut.map((c) => c.configId)).toEqual(["tp-perf", "tp-perf-pages8"]);
    expect(other.usedRuns.size).toBe(0);
    expect(other.fittedConfigurations).toEqual(["tp-perf"]);
  });

  it("keeps one shape, and leaves out runs where other tenants used more than the limit", () => {
    const rows = [
      row("tp-perf-pages8", 0, 12, { user: 10 }),
      row("tp-perf-pages8", 1, 8, { user: 400 }), // 40% of the CPU time in other tenants' user space
      row("tp-lo-p2-perf-pages8", 0, 5, { shape: "lo-p2" }),
    ];
    const veth = heldOutConfigurations(rows, fitted, { calibrationDataset: false, shape: "veth", maxForeignShare: 0.1 });
    expect(veth.heldOut.map((c) => [c.configId, c.runs])).toEqual([["tp-perf-pages8", ["tp-perf-pages8#0"]]]);
    expect(veth.contended.map((c) => c.runId)).toEqual(["tp-perf-pages8#1"]);
    expect(veth.contended[0]!.foreignShare).toBeCloseTo(0.4, 6);
    const lo = heldOutConfigurations(rows, fitted, { calibrationDataset: false, shape: "lo-p2" });
    expect(lo.heldOut.map((c) => c.configId)).toEqual(["tp-lo-p2-perf-pages8"]);
    // without the options nothing changes: every run of every shape
    expect(heldOutConfigurations(rows, fitted, { calibrationDataset: false }).heldOut.flatMap((c) => c.runs)).toHaveLength(3);
  });
});

describe("mechanismComparison: the model's reader and buffer beside the loader's counters", () => {
  it("takes medians and ranges over the compared runs, per record and per second", () => {
    const withLoader = (rep: number, vcs: number, records: number, failed: number, cpuS: number): DatasetRow => {
      const r = tp("tp-perf-pages8", rep, 10) as unknown as Record<string, unknown>;
      r.loader = { records, emitted: records, failed, voluntary_ctxt_switches: vcs, reader_cpu_s: cpuS, duration_s: 5 };
      return r as unknown as DatasetRow;
    };
    const rows = [withLoader(0, 100_000, 500_000, 1000, 1.25), withLoader(1, 90_000, 600_000, 0, 1.5), withLoader(2, 110_000, 550_000, 500, 1.0)];
    // cgroup v1 (throttled_time, ns) on one run, v2 (throttled_usec) on another: 2 s and 3 s of 5 s runs
    (rows[0] as unknown as Record<string, unknown>).cgroupCpuStat = { nr_periods: 100, nr_throttled: 90, throttled_time: 2e9 };
    (rows[1] as unknown as Record<string, unknown>).cgroupCpuStat = { nr_periods: 100, nr_throttled: 95, throttled_usec: 3e6 };
    const est = (mean: number) => ({ mean }) as never;
    const c = {
      config: { configId: "tp-perf-pages8", runs: ["tp-perf-pages8#0", "tp-perf-pages8#1", "tp-perf-pages8#2"] },
      result: {
        eventsPerS: est(100_000),
        readerWakeupsPerS: est(20_000),
        agentCpuCores: est(0.15),
        agentCpuBilledCores: est(0.2),
        lostPerS: est(1000),
        throttledPct: est(25),
      },
    } as unknown as MeasuredComparison;
    const m = mechanismComparison(rows, c);
    expect(m.cyclesPerRecord.measuredMedian).toBeCloseTo(0.2, 9); // 100k / 500k
    expect(m.cyclesPerRecord.measuredMin).toBeCloseTo(0.15, 9); // 90k / 600k
    expect(m.cyclesPerRecord.predicted).toBeCloseTo(0.2, 9);
    expect(m.readerCores.measuredMedian).toBeCloseTo(0.25, 9);
    expect(m.readerCores.predicted).toBe(0.2); // what the kernel bills the reader, like reader_cpu_s (not its own work, 0.15)
    expect(m.lostPerOutput.measuredMax).toBeCloseTo(1000 / 501_000, 9);
    expect(m.lostPerOutput.predicted).toBeCloseTo(0.01, 9);
    expect(m.recordsPerS.measuredMedian).toBe(110_000);
    // throttled share: cpu.stat's throttled time over the run's 5 s; the run without a cgroup is left out
    expect(m.throttledShare.measuredMin).toBeCloseTo(0.4, 9);
    expect(m.throttledShare.measuredMax).toBeCloseTo(0.6, 9);
    expect(m.throttledShare.measuredMedian).toBeCloseTo(0.5, 9);
    expect(m.throttledShare.predicted).toBeCloseTo(0.25, 9);
    // a configuration the model could not predict keeps the measured side
    expect(mechanismComparison(rows, { ...c, result: null }).cyclesPerRecord).toMatchObject({ predicted: null, measuredMedian: 0.2 });
    // no `seen` counter in these runs, no scenario words: no program runs per byte either side
    expect(m.kbPerProgramRun).toEqual({ measuredMedian: null, measuredMin: null, measuredMax: null, predicted: null });
  });

  it("program runs per byte: iperf3 bytes over the loader's seen per run, beside the model's bytes per output where every run outputs", () => {
    const run = (rep: number, bytes: number, seen: number): DatasetRow => {
      const r = tp("tp-perf", rep, 10) as unknown as Record<string, unknown>;
      (r.iperf as Record<string, number>).bytes = bytes;
      r.loader = { records: seen, emitted: seen, failed: 0, seen, voluntary_ctxt_switches: 1, reader_cpu_s: 1, duration_s: 5 };
      return r as unknown as DatasetRow;
    };
    const rows = [run(0, 6.25e9, 500_000), run(1, 6.5e9, 500_000), run(2, 6e9, 500_000)]; // 12.5, 13, 12 KB per run
    const est = (mean: number) => ({ mean }) as never;
    const result = { eventsPerS: est(80_000), withAgentGbps: est(10), readerWakeupsPerS: est(1), agentCpuBilledCores: est(0.3), lostPerS: est(0) };
    const c = {
      config: { configId: "tp-perf", runs: ["tp-perf#0", "tp-perf#1", "tp-perf#2"] },
      scenario: "perf 64 pages, wakeup_events 1, sample 1/1, unlimited",
      result,
    } as unknown as MeasuredComparison;
    const q = mechanismComparison(rows, c).kbPerProgramRun;
    expect(q.measuredMedian).toBeCloseTo(12.5, 9);
    expect(q.measuredMin).toBeCloseTo(12, 9);
    expect(q.measuredMax).toBeCloseTo(13, 9);
    expect(q.predicted).toBeCloseTo(10e9 / 8 / 80_000 / 1e3, 9); // 15.625 KB per output
    // sampled outputs are not program runs: no model side
    expect(mechanismComparison(rows, { ...c, scenario: "perf 64 pages, wakeup_events 1, sample 1/10, unlimited" }).kbPerProgramRun.predicted).toBeNull();
  });
});
