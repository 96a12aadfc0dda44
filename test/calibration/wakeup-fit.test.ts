import { describe, expect, it } from "vitest";
import { bisectNonIncreasing, fitIrqWorkLatency, wakeupRatios, wakeupTarget } from "../../src/calibration/wakeup-fit.ts";
import { parseDataset, type DatasetRow } from "../../src/measure/jsonl.ts";
import { wakeupRatio } from "../../src/measure/loader.ts";

/** A wakeup-dataset row: `ipis` irq_work IPIs for `emitted` records over 5 s (fentry refused). */
function row(configId: string, rep: number, emitted: number, ipis: number, extra: Record<string, unknown> = {}): DatasetRow {
  const settings = configId === "tpw-none" ? { mode: "none" } : { mode: "perf", perfPages: 64, wakeupEvents: 1 };
  return {
    kind: "throughput",
    runId: `${configId}#${rep}`,
    configId,
    rep,
    startedAt: "2026-11-25T00:00:00Z",
    hostClass: "test",
    config: { id: configId, settings, countWakeups: true },
    durationS: 5,
    iperf: { bitsPerSecond: 1e10, bytes: 1, retransmits: 0, senderCpuPercent: 0, receiverCpuPercent: 0 },
    procStat: {} as never,
    userHz: 100,
    preRun: { idleShare: 1, waitedMs: 0, quiet: true },
    loader: {
      records: emitted,
      emitted,
      failed: 0,
      duration_s: 5,
      count_wakeups_method: "raw_tp",
      perf_event_output_calls: null,
      perf_event_wakeup_calls: null,
      irq_work_ipis: ipis,
      ...extra,
    },
  } as unknown as DatasetRow;
}

describe("bisectNonIncreasing", () => {
  const f = (L: number) => 1 / (1 + L / 2000); // strictly decreasing, f(2000) = 0.5

  it("reproduces a known latency", () => {
    const r = bisectNonIncreasing(f, 0.5, { lo: 0, hi: 20000, tol: 1 });
    expect(r.bracket).toBe("inside");
    expect(Math.abs(r.x - 2000)).toBeLessThanOrEqual(1);
    expect(r.monotone).toBe(true);
  });

  it("clamps and reports a plateau", () => {
    expect(bisectNonIncreasing(f, 2, { hi: 20000 }).bracket).toBe("below-lo");
    expect(bisectNonIncreasing(f, 0.01, { hi: 20000 })).toMatchObject({ x: 20000, bracket: "above-hi" });
    const plateau = (L: number) => (L <= 3000 ? 1 : 1 - (L - 3000) / 1e5);
    const r = bisectNonIncreasing(plateau, 1, { tol: 1 });
    expect(r.bracket).toBe("plateau");
    expect(Math.abs(r.x - 3000)).toBeLessThanOrEqual(1);
  });

  it("flags a non-monotone function", () => {
    const bumpy = (L: number) => (L === 5000 ? 0.9 : 1 / (1 + L / 2000));
    const r = bisectNonIncreasing(bumpy, 0.5, { probes: [2500, 5000] });
    expect(r.monotone).toBe(false);
    expect(r.worstIncrease).toBeGreaterThan(0.1);
  });
});

describe("fitIrqWorkLatency", () => {
  // Measured: 0.5 wakeups per output (100 background IPIs/5 s subtracted); a fake model ratio 1/(1+L/1500).
  const rows = [
    row("tpw-none", 0, 0, 100),
    row("tpw-none", 1, 0, 100),
    ...[0, 1, 2, 3, 4].map((rep) => row("tpw-perf", rep, 10000, 5100)),
    row("tpw-perf-sample10", 0, 1000, 1100),
  ];

  it("fits the latency that reproduces the measured ratio, first 3 repetitions only", () => {
    const fit = fitIrqWorkLatency(rows, (L) => 1 / (1 + L / 1500), { datasetPath: "w.jsonl", bisect: { tol: 1 } });
    expect(fit.target.method).toBe("irq_work_ipi");
    expect(fit.target.median).toBeCloseTo(0.5, 9);
    expect(Math.abs(fit.constant.value - 1500)).toBeLessThanOrEqual(1);
    expect(fit.constant.method).toBe("fitted");
    expect(fit.constant.runs).toEqual(["tpw-perf#0", "tpw-perf#1", "tpw-perf#2"]);
    expect(fit.heldOut).toEqual(expect.arrayContaining(["tpw-perf#3", "tpw-perf#4", "tpw-none#0", "tpw-perf-sample10#0"]));
    expect(fit.heldOut).not.toContain("tpw-perf#0");
  });

  it("prefers fentry counts when the row has them", () => {
    const f = row("tpw-perf", 0, 10000, 9999, { perf_event_output_calls: 10000, perf_event_wakeup_calls: 2500 });
    expect(wakeupTarget([f])).toMatchObject({ method: "fentry", median: 0.25 });
    expect(wakeupRatio((f as unknown as { loader: Parameters<typeof wakeupRatio>[0] }).loader)).toMatchObject({ method: "fentry", ratio: 0.25 });
  });

  it("summarises every configuration", () => {
    const m = wakeupRatios(rows);
    expect(m.get("tpw-perf")!.ratios).toHaveLength(5);
    expect(m.get("tpw-perf-sample10")!.ratios[0]).toBeCloseTo(1, 9);
    expect(m.has("tpw-none")).toBe(false);
  });

  it("skips busy and unfitted runs, and fails without any", () => {
    expect(() => wakeupTarget([row("tpw-none", 0, 0, 0)])).toThrow(/no quiet repetition/);
  });
});

describe("parseDataset: wakeup counts", () => {
  it("reads the --count-wakeups fields (counts or null)", () => {
    const text = [row("tpw-perf", 0, 10, 10), row("tpw-perf", 1, 10, 9, { perf_event_output_calls: 10, perf_event_wakeup_calls: 9 })]
      .map((r) => JSON.stringify(r))
      .join("\n");
    const rows = parseDataset(text, "w");
    expect(rows).toHaveLength(2);
    const l = (rows[1] as { loader: Record<string, unknown> }).loader;
    expect(l.perf_event_wakeup_calls).toBe(9);
    expect((rows[0] as { loader: Record<string, unknown> }).loader.perf_event_output_calls).toBeNull();
  });

  it("rejects a count that is not a non-negative number", () => {
    expect(() => parseDataset(JSON.stringify(row("tpw-perf", 0, 10, 10, { irq_work_ipis: "7" })), "w")).toThrow(/w:1: loader\.irq_work_ipis = "7"/);
    expect(() => parseDataset(JSON.stringify(row("tpw-perf", 0, 10, 10, { perf_event_wakeup_calls: -1 })), "w")).toThrow(/perf_event_wakeup_calls/);
  });
});
