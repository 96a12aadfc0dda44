import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { delayPoints, fitDelayResponse, HOOKS_PER_ROUND_TRIP } from "../../src/calibration/delay-response.ts";
import { readDataset, type DatasetRow } from "../../src/measure/jsonl.ts";

const BURNS = [0, 250, 500, 1000, 2000, 4000, 8000, 16000];

/**
 * A delay-grid row: `gbps` over 3 s, `runsPerByte` program runs per byte, optionally the sender's
 * TCP state (mean RTT us, cwnd bytes), CPUs `busy` share busy.
 */
function row(
  mode: string,
  burnNs: number,
  rep: number,
  gbps: number,
  runsPerByte: number,
  o: { busy?: number; rttUs?: number; cwnd?: number; loaderBurn?: number; cpuNsPerByte?: number } = {},
): DatasetRow {
  const bytes = (gbps * 1e9 * 3) / 8;
  const busy = o.busy ?? 0.95;
  // system ticks (USER_HZ 100, 2 CPUs x 3 s = 600 ticks): busy share, or the CPU time per byte asked for
  const system = o.cpuNsPerByte !== undefined ? o.cpuNsPerByte * bytes * 1e-9 * 100 : 600 * busy;
  return {
    kind: "throughput",
    runId: `tpd-${mode}-b${burnNs}#${rep}`,
    configId: `tpd-${mode}-b${burnNs}`,
    rep,
    startedAt: "2026-12-01T00:00:00Z",
    hostClass: "test",
    config: { id: `tpd-${mode}-b${burnNs}`, settings: { mode, burnNs } },
    durationS: 3,
    iperf: { bitsPerSecond: gbps * 1e9, bytes, retransmits: 0, senderCpuPercent: 90, receiverCpuPercent: 80 },
    procStat: { ctxt: 0, cpu: { user: 0, nice: 0, system, idle: Math.max(0, 600 - system), iowait: 0, irq: 0, softirq: 0, steal: 0 } },
    userHz: 100,
    preRun: { idleShare: 1, waitedMs: 0, quiet: true },
    loader: { records: 0, emitted: 0, failed: 0, seen: Math.round(runsPerByte * bytes), burn_ns: o.loaderBurn ?? burnNs },
    ...(o.rttUs !== undefined
      ? { tcp: { meanRttUs: o.rttUs, minRttUs: o.rttUs, maxRttUs: o.rttUs, maxSndCwndBytes: o.cwnd, medianSndCwndBytes: o.cwnd, medianRttUs: o.rttUs } }
      : {}),
  } as unknown as DatasetRow;
}

describe("fitDelayResponse on synthetic curves", () => {
  it("recovers a CPU-bound law's base cost and critical-path share, and prefers it when runs per byte vary", () => {
    const tau0 = 0.5; // ns per byte
    const k = 0.5;
    const rho = (b: number) => 8e-5 * (1 + b / 8000); // skbs shrink as the burn grows
    const rows = BURNS.flatMap((b) => [0, 1, 2].map((rep) => row("none", b, rep, 8 / (tau0 + k * b * rho(b)), rho(b))));
    const m = fitDelayResponse(rows).modes[0]!;
    expect(m.cpuBound.params.baseNsPerByte).toBeCloseTo(tau0, 3);
    expect(m.cpuBound.params.criticalPathShare).toBeCloseTo(k, 3);
    expect(m.cpuBound.params.baseNsPerProgramRun).toBeCloseTo(tau0 / 8e-5, 0);
    expect(m.cpuBound.rms).toBeLessThan(1e-3);
    expect(m.cpuBound.implausible).toEqual([]);
    // the theory's curve: T(b)/T(0) = 1 / (1 + k b rho(b) / tau0)
    m.points.forEach((p, i) => expect(m.cpuBound.fitted[i]).toBeCloseTo(1 / (1 + (k * p.burnNs * rho(p.burnNs)) / tau0), 3));
    // a fixed-window law cannot follow the curvature that rho(b) adds
    expect(m.window.rms).toBeGreaterThan(10 * m.cpuBound.rms);
    expect(m.best).toBe("cpu-bound");
  });

  it("recovers a window/RTT law's window and base RTT", () => {
    const W = 200_000; // bytes
    const rtt0 = 50_000; // ns
    const rtt = (b: number) => rtt0 + HOOKS_PER_ROUND_TRIP * b; // ns
    // TCP_INFO as a window-limited flow shows it: the window in flight, RTT grown by the added delay only
    const rows = BURNS.flatMap((b) => [0, 1, 2].map((rep) => row("perf", b, rep, (8 * W) / rtt(b), 8e-5, { rttUs: rtt(b) / 1000, cwnd: W })));
    const m = fitDelayResponse(rows).modes[0]!;
    expect(m.window.params.windowBytes).toBeCloseTo(W, -1);
    expect(m.window.params.rtt0Ns).toBeCloseTo(rtt0, -1);
    expect(m.window.rms).toBeLessThan(1e-6);
    expect(m.window.implausible).toEqual([]);
    m.diagnostics.rttRiseOverAddedDelay!.slice(1).forEach((x) => expect(x).toBeCloseTo(1, 6));
  });

  it("holds the window law to TCP_INFO: a fitted window the sender never had in flight, or an RTT grown by queueing, is implausible", () => {
    const W = 200_000;
    const rtt0 = 50_000;
    const rtt = (b: number) => rtt0 + HOOKS_PER_ROUND_TRIP * b;
    // same throughput curve, but the sender had 5x the window in flight and the RTT grew 5x faster
    const rows = BURNS.flatMap((b) => [0, 1, 2].map((rep) => row("perf", b, rep, (8 * W) / rtt(b), 8e-5, { rttUs: (5 * rtt(b)) / 1000, cwnd: 10 * W })));
    const m = fitDelayResponse(rows).modes[0]!;
    expect(m.window.implausible.join(" ")).toMatch(/measured in flight/);
    expect(m.window.implausible.join(" ")).toMatch(/RTT at 16000 ns/);
    expect(m.best).not.toBe("window-rtt");
  });

  it("recovers the CPU-cost law from CPU time per byte, whatever share of the CPUs the flow got", () => {
    const c0 = 0.8; // CPU ns per byte
    const rho = 8e-5;
    // throughput scattered by other tenants (x0.5..x1), CPU time per byte exact
    const rows = BURNS.flatMap((b) =>
      [0, 1, 2].map((rep) => row("none", b, rep, (16 / (c0 + b * rho)) * (0.5 + 0.25 * rep), rho, { cpuNsPerByte: c0 + b * rho })),
    );
    const m = fitDelayResponse(rows).modes[0]!;
    expect(m.cpuCost.params.baseCpuNsPerByte).toBeCloseTo(c0, 3);
    expect(m.cpuCost.params.burnCpuShare).toBeCloseTo(1, 3);
    expect(m.cpuCost.params.baseCpuNsPerProgramRun).toBeCloseTo(c0 / rho, -1);
    expect(m.cpuCost.implausible).toEqual([]);
    m.points.forEach((p, i) => expect(m.cpuCost.fitted[i]).toBeCloseTo(c0 / (c0 + p.burnNs * rho), 3));
  });

  it("normalises each mode by its own burn-0 median and keeps medians and ranges", () =>
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 40, noNaN: true }), { minLength: 3, maxLength: 3 }), (g0) => {
        const rows = [
          ...g0.map((g, rep) => row("none", 0, rep, g, 8e-5)),
          ...g0.map((g, rep) => row("none", 1000, rep, g / 2, 8e-5)),
          ...g0.map((g, rep) => row("none", 4000, rep, g / 4, 8e-5)),
        ];
        const { points } = delayPoints(rows);
        const med = [...g0].sort((a, b) => a - b)[1]!;
        expect(points[0]!.gbps.median).toBeCloseTo(med, 9);
        expect(points[0]!.normalised.median).toBeCloseTo(1, 12);
        expect(points[1]!.normalised.median).toBeCloseTo(0.5, 9);
        expect(points[2]!.gbps.min).toBeCloseTo(Math.min(...g0) / 4, 9);
        expect(points[2]!.normalised.max).toBeCloseTo(Math.max(...g0) / 4 / med, 9);
      }),
    ));

  it("flags a window law that needs an impossible window, and a CPU law whose burn exceeds the measured time", () => {
    // throughput barely moves with burn: the window law needs an enormous window
    const flat = BURNS.flatMap((b) => [0, 1, 2].map((rep) => row("none", b, rep, 10 - b * 1e-7, 8e-5)));
    const m = fitDelayResponse(flat).modes[0]!;
    expect(m.window.implausible.join(" ")).toMatch(/window/);
    // the burn alone (k = 1) would take longer per byte than measured
    const fast = BURNS.flatMap((b) => [0, 1, 2].map((rep) => row("none", b, rep, 8 / (0.1 + 0.01 * b * 8e-5), 8e-5)));
    const f = fitDelayResponse(fast).modes[0]!;
    expect(f.cpuBoundK1.implausible.join(" ")).toMatch(/not positive/);
  });

  it("reads the sender's TCP state into cwnd/in-flight and RTT rise per added delay", () => {
    const rows = [0, 1000, 4000].flatMap((b) =>
      [0, 1, 2].map((rep) => row("none", b, rep, 10, 8e-5, { rttUs: 50 + (HOOKS_PER_ROUND_TRIP * b) / 1000, cwnd: 400_000 })),
    );
    const m = fitDelayResponse(rows).modes[0]!;
    expect(m.points[0]!.tcp!.inFlightBytes).toBeCloseTo((10e9 / 8) * 50e-6, 6);
    expect(m.diagnostics.cwndOverInFlight![0]).toBeCloseTo(400_000 / 62_500, 6);
    expect(m.diagnostics.rttRiseOverAddedDelay![1]).toBeCloseTo(1, 9);
    expect(m.diagnostics.medianBusyShare).toBeCloseTo(0.95, 2);
  });
});

describe("fitDelayResponse on bad input", () => {
  it("names what is missing or inconsistent", () => {
    const ok = BURNS.slice(1, 4).map((b) => row("none", b, 0, 10, 8e-5));
    expect(() => fitDelayResponse(ok)).toThrow(/tpd-none-b0/);
    expect(() => fitDelayResponse([])).toThrow(/no injected-delay rows/);
    expect(() => fitDelayResponse([row("none", 0, 0, 10, 8e-5), row("none", 500, 0, 10, 8e-5)])).toThrow(/2 burn values/);
    expect(() => fitDelayResponse([row("none", 0, 0, 10, 8e-5), row("none", 500, 0, 10, 8e-5, { loaderBurn: 250 })])).toThrow(/tpd-none-b500#0.*burn_ns/);
    expect(() => fitDelayResponse([row("none", 0, 0, 0, 8e-5)])).toThrow(/tpd-none-b0#0.*bitsPerSecond/);
  });
});

/*
 * The committed measurement (`bpfsim measure --delay --reps 5 --duration 3` on the 2-vCPU KVM guest)
 * and the calibration file fitted from it.
 */
const DATASET = "validation/data/kvm-2vcpu-amd-epyc-2026-12-01-injected-delay.jsonl";
const CALIBRATION = "models/mechanisms/delay-response-kvm-2vcpu.json";

describe(`the measured delay response (${DATASET})`, () => {
  let cached: ReturnType<typeof fitDelayResponse> | undefined;
  // clean runs only (the default: other tenants' user time <= 10% of the CPUs during the run)
  const fitted = () => (cached ??= fitDelayResponse(readDataset(DATASET)));
  const hostCal = JSON.parse(readFileSync("models/calibration/kvm-2vcpu-amd-epyc.json", "utf8")) as { constants: { bpfProgramNs: { value: number } } };

  it("has the agent's output off (none) and on (perf), each from burn 0 to 16 us with most burns measured clean", () => {
    const fit = fitted();
    expect(fit.modes.map((m) => m.mode)).toEqual(expect.arrayContaining(["none", "perf"]));
    for (const m of fit.modes) {
      expect(m.points[0]!.burnNs).toBe(0);
      expect(m.points.at(-1)!.burnNs).toBe(16000);
      expect(m.points.length).toBeGreaterThanOrEqual(6);
      for (const p of m.points) expect(BURNS).toContain(p.burnNs);
    }
  });

  it("slows the flow: 16 us per program run costs more than the burn-0 runs' spread, and throughput falls overall", () => {
    for (const m of fitted().modes) {
      const p0 = m.points[0]!;
      const p16 = m.points.at(-1)!;
      expect(p16.gbps.max).toBeLessThan(p0.gbps.min);
      expect(p16.normalised.median).toBeLessThan(0.75);
    }
  });

  it("sees the injected spin as CPU time: the CPU-cost law's share of the burn is ~1", () => {
    for (const m of fitted().modes) {
      expect(m.cpuCost.implausible).toEqual([]);
      expect(m.cpuCost.params.burnCpuShare!).toBeGreaterThan(0.7);
      expect(m.cpuCost.params.burnCpuShare!).toBeLessThan(1.5);
    }
  });

  it("fits the CPU-bound law with physically possible parameters, residuals of the order of the repetitions' scatter", () => {
    for (const m of fitted().modes) {
      const l = m.cpuBound;
      expect(l.implausible).toEqual([]);
      // The base time per program run covers the skb's whole path (copies, TCP, the program itself),
      // so it must exceed the program's own cost measured by BPF_PROG_TEST_RUN on this host.
      expect(l.params.baseNsPerProgramRun!).toBeGreaterThan(hostCal.constants.bpfProgramNs.value);
      // At most all of the burn can land on the bottleneck CPU; some of it must.
      expect(l.params.criticalPathShare!).toBeGreaterThan(0);
      expect(l.params.criticalPathShare!).toBeLessThanOrEqual(1.1);
      // Residuals: the points are medians of 1-5 runs, each as noisy as the repetitions' scatter.
      expect(Number.isFinite(m.diagnostics.repetitionScatter)).toBe(true);
      expect(l.rms).toBeLessThanOrEqual(3 * m.diagnostics.repetitionScatter);
      // The data needs the free share: every run's burn on one CPU (k = 1) fits worse.
      expect(m.cpuBoundK1.rms).toBeGreaterThan(l.rms);
    }
  });

  it("matches the committed calibration file (the file is this fit, not an edited copy)", () => {
    const fit = fitted();
    const cal = JSON.parse(readFileSync(CALIBRATION, "utf8")) as {
      provenance: { dataset: string };
      modes: Record<string, { laws: Record<string, { params: Record<string, number> }>; best: string | null }>;
    };
    expect(cal.provenance.dataset).toBe(DATASET);
    for (const m of fit.modes) {
      const c = cal.modes[m.mode]!;
      expect(c.best).toBe(m.best ?? null);
      for (const [name, l] of [
        ["cpuBound", m.cpuBound],
        ["cpuBoundK1", m.cpuBoundK1],
        ["window", m.window],
        ["cpuCost", m.cpuCost],
      ] as const) {
        for (const [k, v] of Object.entries(l.params)) expect(Math.abs(c.laws[name]!.params[k]! - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-3);
      }
    }
  });
});

describe("fitDelayResponse: a capped window's runs and the autotuned ones never mix", () => {
  it("fits the rows of the window asked for, and by default only the rows without one", () => {
    const plain = BURNS.flatMap((b) => [0, 1, 2].map((rep) => row("none", b, rep, 10 / (1 + b / 4000), 8e-5)));
    // a window-limited flow: T = W / (RTT0 + n b), W = 20 KiB, RTT0 = 30 us
    const W = 20 * 1024;
    const windowed = BURNS.flatMap((b) =>
      [0, 1, 2].map((rep) => {
        const r = row("none", b, rep, (8 * W) / (30_000 + HOOKS_PER_ROUND_TRIP * b), 8e-5) as DatasetRow & { config: { windowBytes?: number } };
        r.config.windowBytes = 16384;
        return r;
      }),
    );
    const both = [...plain, ...windowed];
    const w = fitDelayResponse(both, { windowBytes: 16384 }).modes[0]!;
    expect(w.points.every((p) => p.runs.every((id) => id.startsWith("tpd-none-")))).toBe(true);
    expect(w.window.params.windowBytes).toBeCloseTo(W, -1);
    expect(w.window.params.rtt0Ns).toBeCloseTo(30_000, -2);
    expect(w.window.rms).toBeLessThan(1e-3);
    const a = fitDelayResponse(both).modes[0]!;
    expect(a.points[0]!.gbps.median).toBeCloseTo(10, 6);
    expect(a.points.reduce((n, p) => n + p.runs.length, 0)).toBe(plain.length);
  });
});
