/**
 * The reader-split probe's summary (src/measure/reader-split.ts) on made-up runs, and the committed
 * runs of our host: the reader's clock is mostly its sleep/wake cycle.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { parsePlacement } from "../../src/measure/placement.ts";
import { readReaderSplit, splitBaseline, summariseReaderSplit } from "../../src/measure/reader-split.ts";
import { readPlacement } from "../../src/measure/placement.ts";
import { REPO_ROOT } from "../../src/measure/loader.ts";

const DATASET = join(REPO_ROOT, "validation", "data", "reader-split", "kvm-2vcpu-amd-epyc-2026-12-02-split.jsonl");
const run = (mode: string, loader: Record<string, unknown> | null, gbps = 10) =>
  JSON.stringify({
    shape: "veth",
    mode,
    readerCpu: -1,
    rep: 0,
    gbps,
    softirqShareByCpu: [0.5, 0.5],
    iperf3SeenByCpu: [0.5, 0.5],
    readerSeenByCpu: [0.5, 0.5],
    loader,
  });
const loader = (o: Record<string, unknown> = {}) => ({
  records: 1000,
  duration_s: 2,
  reader_cpu_s: 0.5,
  voluntary_ctxt_switches: 200,
  ...o,
});

describe("summariseReaderSplit", () => {
  it("by hand: 0.4 s in epoll over 200 sleeps is 2000 us per sleep; 0.1 s over 1000 records is 100000 ns each", () => {
    const s = summariseReaderSplit(parsePlacement(run("perf", loader({ reader_wait_cpu_s: 0.4, reader_drain_cpu_s: 0.1 }))));
    expect(s).toHaveLength(1);
    expect(s[0]!.split).toBe(true);
    expect(s[0]!.epollUsPerSleep!.median).toBeCloseTo(2000, 9);
    expect(s[0]!.walkNsPerRecord!.median).toBeCloseTo(100000, 9);
    expect(s[0]!.epollShare!.median).toBeCloseTo(0.8, 9);
    expect(s[0]!.readerCores.median).toBeCloseTo(0.25, 9);
    expect(s[0]!.sleepsPerRecord.median).toBeCloseTo(0.2, 9);
    expect(s[0]!.recordsPerS.median).toBeCloseTo(500, 9);
  });
  it("keeps runs without the split apart, and leaves out runs without a loader or records", () => {
    const text = [
      run("ringbuf", loader()),
      run("ringbuf", loader({ reader_wait_cpu_s: 0.4, reader_drain_cpu_s: 0.1 })),
      run("off", null),
      run("perf", loader({ records: 0 })),
    ].join("\n");
    const s = summariseReaderSplit(parsePlacement(text));
    expect(s.map((x) => `${x.mode}|${x.split}`)).toEqual(["ringbuf|false", "ringbuf|true"]);
    expect(s[0]!.epollUsPerSleep).toBeUndefined();
  });
  it("the offered traffic is the runs without a parser of that shape; none, null", () => {
    const runs = parsePlacement([run("off", null, 20), run("off", null, 24), run("perf", loader(), 12)].join("\n"));
    expect(splitBaseline(runs, "veth")!.median).toBe(22);
    expect(splitBaseline(runs, "lo-p2")).toBeNull();
    expect(splitBaseline(parsePlacement(run("perf", loader())), "veth")).toBeNull();
  });
  it("a split run missing a field of the split is named", () => {
    const text = run("perf", loader({ reader_wait_cpu_s: 0.4, reader_drain_cpu_s: "x" }));
    expect(() => summariseReaderSplit(parsePlacement(text))).toThrow(/^reader split: veth perf rep 0: loader\.reader_drain_cpu_s = "x": not a number >= 0$/);
  });
});

describe("the committed runs of our host (validation/data/reader-split)", () => {
  const s = readReaderSplit(DATASET);
  it("split runs of both modes, five each, and plain runs beside them", () => {
    expect(s.filter((x) => x.split).map((x) => [x.mode, x.runs])).toEqual([
      ["perf", 5],
      ["ringbuf", 5],
    ]);
    expect(s.filter((x) => !x.split).length).toBe(2);
    // and three runs without a parser: the traffic offered
    expect(splitBaseline(readPlacement(DATASET), "veth")!.n).toBe(3);
  });
  it("the figures README and validation/data/README quote: 15.0 / 12.4 us per sleep, 90-91% of the clock, 229-264 ns per record", () => {
    const perf = s.find((x) => x.split && x.mode === "perf")!;
    const rb = s.find((x) => x.split && x.mode === "ringbuf")!;
    expect(Math.abs(perf.epollUsPerSleep!.median - 15.0)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(rb.epollUsPerSleep!.median - 12.4)).toBeLessThanOrEqual(0.05);
    expect(Math.round(100 * Math.min(perf.epollShare!.median, rb.epollShare!.median))).toBe(90);
    expect(Math.round(100 * Math.max(perf.epollShare!.median, rb.epollShare!.median))).toBe(91);
    expect(Math.round(rb.walkNsPerRecord!.median)).toBe(229);
    expect(Math.round(perf.walkNsPerRecord!.median)).toBe(264);
  });
  it("the plain runs' clock per sleep and sleeps per record README quotes: 13.9 / 10.6 us, 0.188 / 0.208", () => {
    const perf = s.find((x) => !x.split && x.mode === "perf")!;
    const rb = s.find((x) => !x.split && x.mode === "ringbuf")!;
    expect(Math.abs(perf.clockUsPerSleep.median - 13.9)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(rb.clockUsPerSleep.median - 10.6)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(perf.sleepsPerRecord.median - 0.188)).toBeLessThanOrEqual(0.0005);
    expect(Math.abs(rb.sleepsPerRecord.median - 0.208)).toBeLessThanOrEqual(0.0005);
  });
  it("the sleep/wake cycle is most of the reader's clock, 10-20 us per sleep; the walk a few hundred ns per record", () => {
    for (const x of s.filter((y) => y.split)) {
      expect(x.epollShare!.median).toBeGreaterThan(0.8);
      expect(x.epollUsPerSleep!.median).toBeGreaterThan(10);
      expect(x.epollUsPerSleep!.median).toBeLessThan(20);
      expect(x.walkNsPerRecord!.median).toBeGreaterThan(100);
      expect(x.walkNsPerRecord!.median).toBeLessThan(500);
    }
  });
});
