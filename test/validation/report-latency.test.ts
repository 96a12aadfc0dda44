/**
 * The report's section on how long a record waits for the reader (src/validation/report-latency.ts),
 * on made-up evidence: what it says with and without the probe campaign.
 */
import { describe, expect, it } from "vitest";
import { readerLatencySection } from "../../src/validation/report-latency.ts";
import type { ReaderLatencyEvidence } from "../../src/validation/report-data.ts";
import type { ReaderLatencySummary, WakeToRunSummary } from "../../src/measure/reader-latency.ts";
import { spread } from "../../src/measure/summary.ts";

const one = (x: number) => spread([x]);
const summary = (mode: "perf" | "ringbuf", probe: ReaderLatencySummary["probe"], p90: number, p99: number): ReaderLatencySummary => ({
  shape: "veth",
  mode,
  probe,
  runs: 3,
  gbps: one(10),
  recordsPerS: one(60000),
  sleepsPerRecord: one(0.2),
  p50Us: one(20),
  p90Us: one(p90),
  p99Us: one(p99),
  firstP50Us: one(25),
  firstP90Us: one(60),
  firstP99Us: one(200),
  overMaxShare: one(0.001),
  involuntaryPerS: one(100),
  maxUs: 4095,
});
const trace = (mode: "perf" | "ringbuf", longAfter: Record<string, number>): WakeToRunSummary => {
  const longN = Object.values(longAfter).reduce((a, b) => a + b, 0);
  return { shape: "veth", mode, runs: 3, wakeupsPerS: one(10000), meanUs: one(12), longShare: one(longN / 40000), longPerS: one(longN / 4), longAfter, longN };
};

function evidence(probe: ReaderLatencyEvidence["probe"]): ReaderLatencyEvidence {
  const sim = { gbps: 9, recordsPerS: 55000, sleepsPerRecord: 0.2, p50Us: 20, p99Us: 150, firstP50Us: 15, firstP99Us: 150 };
  return {
    file: "validation/data/reader-latency/x-latency.jsonl",
    summaries: [summary("perf", "ps", 800, 3000), summary("ringbuf", "ps", 900, 3500)],
    baselineGbps: { veth: one(12) },
    steal: null,
    stolenRuns: 0,
    maxSteal: 0.02,
    simulated: { "veth|perf": sim, "veth|ringbuf": sim },
    calibration: "models/calibration/x.json",
    runqueueWait: { ns: 15789, method: "fitted" },
    stalls: null,
    probe,
    waits: null,
  };
}

describe("readerLatencySection: the probe campaign", () => {
  it("without the campaign there are no probe paragraphs", () => {
    const md = readerLatencySection(evidence(null));
    expect(md).not.toContain("Is the tail the probe's own?");
  });
  it("with it: a row per mode and probe, the wake-to-run table, and a reading built from the figures", () => {
    const md = readerLatencySection(
      evidence({
        file: "validation/data/reader-latency/x-probe.jsonl",
        summaries: [
          summary("perf", "ps", 260, 2700),
          summary("perf", "none", 110, 2400),
          summary("perf", "bpftrace", 180, 2600),
          summary("ringbuf", "none", 200, 2800),
        ],
        wakeToRun: [trace("perf", { iperf3: 6, "ksoftirqd/0": 1, "ksoftirqd/1": 1 }), trace("ringbuf", { iperf3: 2, "swapper/0": 2 })],
        stolenRuns: 1,
      }),
    );
    expect(md).toContain("1 run with more than 2% steal left out");
    expect(md).toMatch(/\| perf \| ps sampling \(as above\) \| 3 \|/);
    expect(md).toMatch(/\| perf \| wake-to-run trace \| 3 \|/);
    // only perf has both the sampled and the unsampled rows, so only perf is compared
    expect(md).toContain("the p90 falls from 260 to 110 µs (perf):");
    expect(md).not.toContain("(ringbuf):");
    // ksoftirqd/0 and /1 are one task kind; shares are of all 12 long waits
    expect(md).toContain("iperf3 (67% of them) or ksoftirqd (17%)");
    expect(md).toContain("17% followed the idle task");
    expect(md).toMatch(/\| perf \| 3 \| 10000 \(10000–10000\) \| 12 \(12–12\) \| [^|]+ \| 2\.0 \(2\.0–2\.0\) \| iperf3 75%, ksoftirqd 25% \|/);
    expect(md).toContain("calibration's runqueueWaitNs (15.8 µs, fitted on other runs)");
  });
});
