/**
 * The preemption-stall runs' parser and summary (src/measure/preempt-stalls.ts) on made-up lines, and
 * the committed runs of our host: the reader is preempted often, but briefly.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { parseStallRuns, readStallRuns, summariseStalls } from "../../src/measure/preempt-stalls.ts";
import { DEFAULT_MAX_STEAL_SHARE, splitBySteal } from "../../src/measure/reader-latency.ts";
import { REPO_ROOT } from "../../src/measure/loader.ts";

const DATASET = join(REPO_ROOT, "validation", "data", "reader-latency", "kvm-2vcpu-amd-epyc-2026-12-02-stalls.jsonl");
const line = (o: Record<string, unknown> = {}) =>
  JSON.stringify({
    shape: "veth",
    mode: "perf",
    rep: 0,
    seconds: 4,
    gbps: 7,
    stealOfCpuTime: 0.01,
    stalls: 400,
    meanUs: 50,
    totalUs: 20000,
    preemptedBy: { iperf3: 390, ksoftirqd: 10 },
    histUs: [
      [16, 32, 300],
      [32, 64, 90],
      [512, 1024, 10],
    ],
    ...o,
  });

describe("parseStallRuns / summariseStalls", () => {
  it("by hand: 400 stalls in 4 s is 100/s; 20 ms stalled of 4 s is 0.5%; 10 of 400 stalls from 512 us on; iperf3 took 97.5%", () => {
    const s = summariseStalls(parseStallRuns(line()));
    expect(s).toHaveLength(1);
    expect(s[0]!.perS.median).toBe(100);
    expect(s[0]!.meanUs.median).toBe(50);
    expect(s[0]!.stalledShare.median).toBeCloseTo(0.005, 12);
    expect(s[0]!.longShare.median).toBeCloseTo(0.025, 12);
    expect(s[0]!.topTaker).toEqual({ comm: "iperf3", share: 0.975 });
  });
  it("leaves out runs with more steal than the threshold, keeps those that did not record it", () => {
    const runs = parseStallRuns([line({ stealOfCpuTime: 0.3 }), line({ stealOfCpuTime: null }), line({ mode: "ringbuf" })].join("\n"));
    expect(summariseStalls(splitBySteal(runs, 0.02).kept).map((x) => `${x.mode}|${x.runs}`)).toEqual(["perf|1", "ringbuf|1"]);
  });
  it("a malformed line names its number and the field", () => {
    expect(() => parseStallRuns(["", line({ histUs: [] })].join("\n"), "f")).toThrow(/f:2: histUs = \[\]: not valid/);
    expect(() => parseStallRuns(line({ mode: "x" }))).toThrow(/mode = "x": not valid/);
    expect(() => parseStallRuns(line({ stalls: 0 }))).toThrow(/stalls = 0: not valid/);
    expect(() => parseStallRuns(line({ seconds: 0 }))).toThrow(/seconds = 0: not valid/);
    expect(() => parseStallRuns("{")).toThrow(/:1: not JSON/);
  });
});

describe("the committed runs of our host", () => {
  const s = summariseStalls(splitBySteal(readStallRuns(DATASET), DEFAULT_MAX_STEAL_SHARE).kept);
  it("perf and ring buffer, each with quiet runs; the reader is preempted mostly by iperf3, for under 5% of the time", () => {
    expect(s.map((x) => x.mode)).toEqual(["perf", "ringbuf"]);
    for (const x of s) {
      expect(x.runs).toBeGreaterThanOrEqual(2);
      expect(x.topTaker.comm).toBe("iperf3");
      expect(x.stalledShare.median).toBeLessThan(0.05);
      expect(x.meanUs.median).toBeLessThan(500);
    }
  });
});
