import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { foreignCpuShare, parseIperfTcpInfo } from "../../src/measure/delay.ts";

/** iperf3 -J client output, trimmed to the fields read (iperf3 src/iperf_api.c: TCP_INFO per interval and per stream at the end). */
const iperfJson = (o: { intervals?: { snd_cwnd?: number; rtt?: number }[]; sender?: Record<string, number> | null }) =>
  JSON.stringify({
    intervals: (o.intervals ?? []).map((s) => ({ streams: [s] })),
    end: { streams: o.sender === null ? [] : [{ sender: o.sender ?? { mean_rtt: 120, min_rtt: 40, max_rtt: 900, max_snd_cwnd: 3_000_000 } }] },
  });

describe("parseIperfTcpInfo", () => {
  it("reads the sender's RTTs and cwnd, and the median over the intervals (even count: mean of the middle two)", () => {
    const t = parseIperfTcpInfo(
      iperfJson({
        intervals: [
          { snd_cwnd: 100, rtt: 10 },
          { snd_cwnd: 300, rtt: 30 },
          { snd_cwnd: 200, rtt: 20 },
          { snd_cwnd: 400, rtt: 40 },
        ],
      }),
    );
    expect(t).toEqual({ meanRttUs: 120, minRttUs: 40, maxRttUs: 900, maxSndCwndBytes: 3_000_000, medianSndCwndBytes: 250, medianRttUs: 25 });
  });
  it("intervals without TCP_INFO fields are left out of the medians; none at all gives NaN", () => {
    const t = parseIperfTcpInfo(iperfJson({ intervals: [{ snd_cwnd: 5 }, { rtt: 7 }, {}] }))!;
    expect(t.medianSndCwndBytes).toBe(5);
    expect(t.medianRttUs).toBe(7);
    expect(Number.isNaN(parseIperfTcpInfo(iperfJson({}))!.medianRttUs)).toBe(true);
  });
  it("undefined when iperf3 reported no TCP_INFO (no sender stream, or no mean_rtt / max_snd_cwnd)", () => {
    expect(parseIperfTcpInfo(iperfJson({ sender: null }))).toBeUndefined();
    expect(parseIperfTcpInfo(iperfJson({ sender: { max_snd_cwnd: 1 } }))).toBeUndefined();
    expect(parseIperfTcpInfo(iperfJson({ sender: { mean_rtt: 1 } }))).toBeUndefined();
    expect(parseIperfTcpInfo("{}")).toBeUndefined();
  });
  it("min/max RTT missing read as NaN, not 0", () => {
    const t = parseIperfTcpInfo(iperfJson({ sender: { mean_rtt: 5, max_snd_cwnd: 9 } }))!;
    expect(Number.isNaN(t.minRttUs) && Number.isNaN(t.maxRttUs)).toBe(true);
  });
});

describe("foreignCpuShare: others' user time over all CPU time (proc(5) /proc/stat ticks of USER_HZ)", () => {
  const stat = (user: number, nice: number, rest: number) => ({ ctxt: 0, cpu: { user, nice, system: rest, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 } });
  it("by hand: (user + nice - the reader's ticks) / all ticks", () => {
    // 30 user + 10 nice of 200 ticks; the reader used 0.1 s = 10 ticks at USER_HZ 100: (40 - 10) / 200
    expect(foreignCpuShare({ procStat: stat(30, 10, 160), userHz: 100, loader: { reader_cpu_s: 0.1 } as never })).toBeCloseTo(0.15, 12);
  });
  it("never below 0, 0 with no ticks, and a non-numeric reader time is ignored", () => {
    expect(foreignCpuShare({ procStat: stat(1, 0, 99), userHz: 100, loader: { reader_cpu_s: 5 } as never })).toBe(0);
    expect(foreignCpuShare({ procStat: stat(0, 0, 0), userHz: 100, loader: undefined })).toBe(0);
    expect(foreignCpuShare({ procStat: stat(20, 0, 80), userHz: 100, loader: { reader_cpu_s: "n/a" } as never })).toBeCloseTo(0.2, 12);
  });
  it("property: a share in [0, 1]", () => {
    fc.assert(
      fc.property(fc.nat(1e6), fc.nat(1e6), fc.nat(1e6), fc.double({ min: 0, max: 1e4, noNaN: true }), (u, n, r, reader) => {
        const s = foreignCpuShare({ procStat: stat(u, n, r), userHz: 100, loader: { reader_cpu_s: reader } as never });
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }),
    );
  });
});
