/**
 * The delivery-latency probe's summary (src/measure/reader-latency.ts) on made-up runs, and the
 * committed runs of our host: the reader answers its wakeups within tens of µs, yet a tenth of the
 * records wait far longer.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { parsePlacement } from "../../src/measure/placement.ts";
import {
  DEFAULT_MAX_STEAL_SHARE,
  deliveryLatencyOf,
  mergedTrace,
  probeOf,
  summarisePreemptTrace,
  readReaderLatency,
  splitBySteal,
  summariseReaderLatency,
  summariseWakeToRun,
} from "../../src/measure/reader-latency.ts";
import { readPlacement } from "../../src/measure/placement.ts";
import { REPO_ROOT } from "../../src/measure/loader.ts";

const DATASET = join(REPO_ROOT, "validation", "data", "reader-latency", "kvm-2vcpu-amd-epyc-2026-12-02-latency.jsonl");
const latency = (o: Record<string, unknown> = {}) => ({
  n: 1000,
  p50: 30.5,
  p90: 800.5,
  p99: 3000.5,
  first_n: 200,
  first_p50: 25.5,
  first_p90: 60.5,
  first_p99: 300.5,
  at_or_over_max: 10,
  max_us: 4095,
  ...o,
});
const run = (mode: string, delivery: Record<string, unknown> | null, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    shape: "veth",
    mode,
    readerCpu: -1,
    rep: 0,
    gbps: 10,
    softirqShareByCpu: [0.5, 0.5],
    iperf3SeenByCpu: [0.5, 0.5],
    readerSeenByCpu: mode === "off" ? null : [0.5, 0.5],
    loader: mode === "off" ? null : { records: 1000, duration_s: 2, voluntary_ctxt_switches: 200, ...(delivery === null ? {} : { delivery_us: delivery }) },
    ...extra,
  });

describe("summariseReaderLatency", () => {
  it("by hand: run-level quantiles and shares, records/s and sleeps per record", () => {
    const s = summariseReaderLatency(parsePlacement([run("perf", latency()), run("perf", latency({ p90: 1200.5, at_or_over_max: 30 }))].join("\n")));
    expect(s).toHaveLength(1);
    expect(s[0]!.runs).toBe(2);
    expect(s[0]!.p90Us.median).toBeCloseTo(1000.5, 9);
    expect(s[0]!.p90Us.min).toBe(800.5);
    expect(s[0]!.overMaxShare.median).toBeCloseTo(0.02, 9);
    expect(s[0]!.firstP50Us.median).toBe(25.5);
    expect(s[0]!.recordsPerS.median).toBe(500);
    expect(s[0]!.sleepsPerRecord.median).toBeCloseTo(0.2, 9);
    expect(s[0]!.maxUs).toBe(4095);
  });
  it("leaves out runs that did not measure latency (no parser, or no --delivery-latency)", () => {
    const s = summariseReaderLatency(parsePlacement([run("off", null), run("ringbuf", null), run("ringbuf", latency())].join("\n")));
    expect(s.map((x) => `${x.mode}|${x.runs}`)).toEqual(["ringbuf|1"]);
  });
  it("a malformed delivery_us names the run and the field", () => {
    const [r] = parsePlacement(run("perf", latency({ p99: "x" })));
    expect(() => deliveryLatencyOf(r!)).toThrow(/veth perf rep 0: loader\.delivery_us\.p99 = "x": not a number >= 0/);
    const [empty] = parsePlacement(run("perf", latency({ n: 0 })));
    expect(() => deliveryLatencyOf(empty!)).toThrow(/no records \(n = 0/);
    expect(() => summariseReaderLatency(parsePlacement([run("perf", latency()), run("perf", latency({ max_us: 2047 }))].join("\n")))).toThrow(
      /max_us = 2047, where other runs have 4095/,
    );
  });
  it("runs with more steal than the threshold are set apart; runs that did not record it are kept", () => {
    const runs = parsePlacement(
      [run("perf", latency(), { stealOfCpuTime: 0.01 }), run("perf", latency(), { stealOfCpuTime: 0.2 }), run("perf", latency())].join("\n"),
    );
    const { kept, stolen } = splitBySteal(runs);
    expect(kept).toHaveLength(2);
    expect(stolen.map((r) => r.stealOfCpuTime)).toEqual([0.2]);
    expect(splitBySteal(runs, 0.5).stolen).toHaveLength(0);
    expect(() => parsePlacement(run("perf", latency(), { stealOfCpuTime: 2 }))).toThrow(/stealOfCpuTime = 2: not valid/);
  });
});

describe("what else watched the run", () => {
  const unsampled = { psSampled: false, iperf3SeenByCpu: null, readerSeenByCpu: null };
  const trace = (count: number, longN: number, longAfter: Record<string, number>) => ({
    traceSeconds: 4,
    histUs: [[0, 0, count]],
    count,
    meanUs: 10,
    longN,
    longAfter,
  });
  it("ps sampling, none, or bpftrace: one summary row each, in that order", () => {
    const runs = parsePlacement(
      [run("perf", latency(), { ...unsampled, wakeToRun: trace(100, 1, {}) }), run("perf", latency({ p90: 100.5 }), unsampled), run("perf", latency())].join(
        "\n",
      ),
    );
    expect(runs.map(probeOf)).toEqual(["bpftrace", "none", "ps"]);
    const s = summariseReaderLatency(runs);
    expect(s.map((x) => x.probe)).toEqual(["ps", "none", "bpftrace"]);
    expect(s[1]!.p90Us.median).toBe(100.5);
  });
  it("wake-to-run: wakeups per traced second, the long share, and who ran before the long waits, summed over runs", () => {
    const runs = parsePlacement(
      [
        run("ringbuf", latency(), { ...unsampled, wakeToRun: trace(400, 2, { iperf3: 2 }) }),
        run("ringbuf", latency(), { ...unsampled, wakeToRun: trace(800, 2, { iperf3: 1, ksoftirqd: 1 }) }),
        run("ringbuf", latency(), { ...unsampled, wakeToRun: null }),
        run("ringbuf", latency()),
      ].join("\n"),
    );
    const [w] = summariseWakeToRun(runs);
    expect(w!.runs).toBe(2);
    expect(w!.wakeupsPerS.median).toBe(150);
    expect(w!.longShare.median).toBeCloseTo((0.005 + 0.0025) / 2, 12);
    expect(w!.longAfter).toEqual({ iperf3: 3, ksoftirqd: 1 });
    expect(w!.longN).toBe(4);
    expect(w!.longPerS.median).toBe(0.5);
  });
});

describe("summarisePreemptTrace", () => {
  const unsampled = { psSampled: false, iperf3SeenByCpu: null, readerSeenByCpu: null };
  const pre = (stalls: number, histUs: number[][]) => ({ traceSeconds: 4, stalls, meanUs: 50, totalUs: 50 * stalls, histUs, preemptedBy: { iperf3: stalls } });
  it("per second, per second the reader ran (its CPU seconds over the run's), and the share of 0.5 ms or more", () => {
    const runs = parsePlacement(
      [
        run("perf", latency(), {
          ...unsampled,
          preemptStalls: pre(400, [
            [32, 63, 396],
            [512, 1023, 4],
          ]),
          loader: { records: 1000, duration_s: 2, voluntary_ctxt_switches: 200, reader_cpu_s: 0.5, delivery_us: latency() },
        }),
        run("perf", latency(), {
          ...unsampled,
          preemptStalls: pre(800, [[32, 63, 800]]),
          loader: { records: 1000, duration_s: 2, voluntary_ctxt_switches: 200, reader_cpu_s: 0.5, delivery_us: latency() },
        }),
      ].join("\n"),
    );
    expect(runs.map(probeOf)).toEqual(["preempt-trace", "preempt-trace"]);
    const [s0] = summarisePreemptTrace(runs);
    expect(s0!.runs).toBe(2);
    expect(s0!.perS.median).toBe(150);
    // the reader ran a quarter of the time: four times the rate per second it ran
    expect(s0!.perRunningS.median).toBe(600);
    expect(s0!.longShare.max).toBeCloseTo(0.01, 12);
  });
  it("a run without the reader's CPU time is named", () => {
    const runs = parsePlacement(run("perf", latency(), { ...unsampled, preemptStalls: pre(10, [[32, 63, 10]]) }));
    expect(() => summarisePreemptTrace(runs)).toThrow(/veth perf rep 0: loader\.reader_cpu_s \/ duration_s = undefined \/ 2: not valid/);
  });
});

describe("mergedTrace", () => {
  it("sums the traced runs' log2 buckets of one shape and mode, each as [min, max + 1) µs", () => {
    const tr = (histUs: number[][]) => ({
      psSampled: false,
      iperf3SeenByCpu: null,
      readerSeenByCpu: null,
      wakeToRun: { traceSeconds: 4, histUs, count: 1, meanUs: 1, longN: 0, longAfter: {} },
    });
    const runs = parsePlacement(
      [
        run(
          "perf",
          latency(),
          tr([
            [0, 0, 2],
            [2, 3, 5],
          ]),
        ),
        run(
          "perf",
          latency(),
          tr([
            [2, 3, 1],
            [512, 1023, 1],
          ]),
        ),
        run("ringbuf", latency(), tr([[4, 7, 9]])),
        run("perf", latency()),
      ].join("\n"),
    );
    expect(mergedTrace(runs, "veth", "perf", "wakeToRun")).toEqual([
      [0, 1, 2],
      [2, 4, 6],
      [512, 1024, 1],
    ]);
    expect(mergedTrace(runs, "lo-p2", "perf", "wakeToRun")).toBeNull();
    expect(mergedTrace(runs, "veth", "perf", "preemptStalls")).toBeNull();
  });
});

describe("the committed runs of our host", () => {
  const { kept } = splitBySteal(readPlacement(DATASET), DEFAULT_MAX_STEAL_SHARE);
  const all = summariseReaderLatency(kept);
  const s = all.filter((x) => x.shape === "veth");
  it("veth: perf and ring buffer, each with at least 3 quiet runs; lo-p2 too", () => {
    expect(s.map((x) => x.mode)).toEqual(["perf", "ringbuf"]);
    for (const x of s) expect(x.runs).toBeGreaterThanOrEqual(3);
    expect(all.filter((x) => x.shape === "lo-p2").map((x) => x.mode)).toEqual(["perf", "ringbuf"]);
    expect(readReaderLatency(DATASET).length).toBe(4);
  });
  it("a woken reader reaches its first record within 100 µs at the median, yet a tenth of the records wait over 300 µs", () => {
    for (const x of s) {
      expect(x.firstP50Us.median).toBeLessThan(100);
      expect(x.p90Us.median).toBeGreaterThan(300);
      expect(x.p99Us.median).toBeGreaterThan(x.p90Us.median);
    }
  });
});
