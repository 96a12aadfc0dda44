import { describe, expect, it } from "vitest";
import { parseDataset } from "../../src/measure/jsonl.ts";
import { parseOptionsCases } from "./cases.ts";
import { BadOptionError, parseIntOption, parsePositiveNumber } from "../../src/measure/options.ts";
import { diffProcStat, idleShare, parseProcStat } from "../../src/measure/procstat.ts";
import { parseIperfJson } from "../../src/measure/throughput.ts";
import { parseLoaderOutput } from "../../src/measure/loader.ts";
import { summarise } from "../../src/measure/summary.ts";

const micro = {
  kind: "microbench",
  runId: "micro-none-p1#0",
  configId: "micro-none-p1",
  rep: 0,
  config: { id: "micro-none-p1" },
  loader: { ns_per_run_mean: 200, records: 0, emitted: 0, failed: 0 },
};
const tput = { kind: "throughput", runId: "tp-baseline#0", configId: "tp-baseline", rep: 0, config: { id: "tp-baseline" }, iperf: { bitsPerSecond: 1e9 } };

describe("parseDataset", () => {
  it("reads one row per line, skipping blank lines", () => {
    const rows = parseDataset(`${JSON.stringify(micro)}\n\n${JSON.stringify(tput)}\n`);
    expect(rows.map((r) => r.kind)).toEqual(["microbench", "throughput"]);
  });

  it("names the line and the problem for bad rows", () => {
    expect(() => parseDataset(`${JSON.stringify(micro)}\n{oops`, "d.jsonl")).toThrow(/d\.jsonl:2: not JSON/);
    expect(() => parseDataset(JSON.stringify({ ...micro, kind: "other" }), "d")).toThrow(/d:1: kind = "other"/);
    expect(() => parseDataset(JSON.stringify({ ...micro, loader: {} }), "d")).toThrow(/ns_per_run_mean/);
    expect(() => parseDataset(JSON.stringify({ ...tput, iperf: {} }), "d")).toThrow(/bitsPerSecond/);
    expect(() => parseDataset(JSON.stringify({ ...tput, rep: "0" }), "d")).toThrow(/rep = "0"/);
  });
});

describe("option parsing", () => {
  it.each(parseOptionsCases)("%s %s -> %s", (flag, value, expected) => {
    const f = () => (flag === "--duration" ? parsePositiveNumber(flag, value, 120) : parseIntOption(flag, value, 1, 1000));
    if (typeof expected === "number") expect(f()).toBe(expected);
    else {
      expect(f).toThrow(BadOptionError);
      expect(f).toThrow(new RegExp(`${flag}.*|.*${flag}`));
      expect(f).toThrow(JSON.stringify(value));
    }
  });
});

describe("procstat", () => {
  const a = "cpu  10 0 20 100 0 1 2 0 0 0\ncpu0 5 0 10 50 0 0 1 0 0 0\nctxt 1000\nbtime 1\n";
  const b = "cpu  15 0 40 150 0 1 7 0 0 0\ncpu0 5 0 10 50 0 0 1 0 0 0\nctxt 1600\nbtime 1\n";
  it("parses ctxt and the aggregate cpu line and diffs them", () => {
    const d = diffProcStat(parseProcStat(a), parseProcStat(b));
    expect(d.ctxt).toBe(600);
    expect(d.cpu).toMatchObject({ user: 5, system: 20, idle: 50, softirq: 5 });
  });
  it("throws on garbage", () => {
    expect(() => parseProcStat("nothing")).toThrow(/proc\/stat/);
  });
  it("computes the idle share (idle + iowait over all states)", () => {
    const d = diffProcStat(parseProcStat(a), parseProcStat(b));
    expect(idleShare(d)).toBeCloseTo(50 / (5 + 20 + 50 + 5), 12);
    expect(idleShare({ ctxt: 0, cpu: { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 } })).toBe(1);
  });
});

describe("tool outputs", () => {
  it("reads iperf3 -J's summary", () => {
    const j = {
      end: {
        sum_received: { bits_per_second: 1.5e10, bytes: 9e9 },
        sum_sent: { retransmits: 3 },
        cpu_utilization_percent: { host_total: 80, remote_total: 60 },
      },
    };
    expect(parseIperfJson(JSON.stringify(j))).toEqual({ bitsPerSecond: 1.5e10, bytes: 9e9, retransmits: 3, senderCpuPercent: 80, receiverCpuPercent: 60 });
    expect(() => parseIperfJson(JSON.stringify({ error: "unable to connect" }))).toThrow(/unable to connect/);
  });
  it("takes the loader's last JSON line", () => {
    expect(parseLoaderOutput('noise\n{"records":3,"emitted":3,"failed":0}\n').records).toBe(3);
    expect(() => parseLoaderOutput("")).toThrow(/no JSON/);
  });
});

describe("summarise", () => {
  it("gives medians and spreads per configuration, throughput relative to the baseline", () => {
    const row = (configId: string, rep: number, gbps: number) => ({
      kind: "throughput",
      runId: `${configId}#${rep}`,
      configId,
      rep,
      config: { id: configId },
      durationS: 5,
      iperf: { bitsPerSecond: gbps * 1e9 },
      procStat: { ctxt: 5000 },
    });
    const text = [
      row("tp-baseline", 0, 10),
      row("tp-baseline", 1, 12),
      row("tp-baseline", 2, 11),
      row("tp-perf", 0, 5),
      row("tp-perf", 1, 6),
      row("tp-perf", 2, 5.5),
    ]
      .map((r) => JSON.stringify(r))
      .join("\n");
    const s = summarise(parseDataset(text));
    const perf = s.find((x) => x.configId === "tp-perf")!;
    expect(perf.value).toMatchObject({ median: 5.5, min: 5, max: 6, n: 3, mad: 0.5 });
    expect(perf.relativeToBaseline).toBeCloseTo(0.5, 9);
    expect(perf.ctxtPerS?.median).toBe(1000);
    expect(perf.readerUserNsPerRecord).toBeUndefined(); // no loader split in these rows
  });

  it("splits the reader's billed CPU per record into user and system where the loader reports it", () => {
    const row = (rep: number, records: number, user: number, sys: number) => ({
      kind: "throughput",
      runId: `tp-perf#${rep}`,
      configId: "tp-perf",
      rep,
      config: { id: "tp-perf" },
      durationS: 5,
      iperf: { bitsPerSecond: 1e10 },
      procStat: { ctxt: 5000 },
      loader: { records, failed: 0, reader_cpu_s: user + sys, reader_user_s: user, reader_sys_s: sys },
    });
    const rows = [row(0, 500_000, 0.25, 1.5), row(1, 400_000, 0.2, 1.2), row(2, 0, 0, 0)];
    const perf = summarise(parseDataset(rows.map((r) => JSON.stringify(r)).join("\n")))[0]!;
    // 0.25 s / 500k = 500 ns, 0.2 s / 400k = 500 ns; a run that read nothing is left out
    expect(perf.readerUserNsPerRecord).toMatchObject({ median: 500, n: 2 });
    expect(perf.readerSysNsPerRecord).toMatchObject({ median: 3000, n: 2 });
  });
});
