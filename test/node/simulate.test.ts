import { describe, expect, it } from "vitest";
import { buildScenario, type ScenarioSpec } from "../../src/node/scenario.ts";
import { simulate, type SimulateOptions, type SimulationResult } from "../../src/node/simulate.ts";

/** Short runs: two replications of 50 ms (10 ms warm-up), two fixed-point iterations. */
const SHORT: SimulateOptions = { replications: 2, durationS: 0.05, warmupS: 0.01, maxIterations: 2, seed: 3 };
const run = (spec: Partial<ScenarioSpec>, o: SimulateOptions = {}): SimulationResult =>
  simulate(buildScenario({ hardware: "azure-d8s-v5", tool: "retina-perf", observedGbps: 3, ...spec }), { ...SHORT, ...o });

/** a <= b, allowing for both estimates' 95% half-widths plus an absolute slack. */
function notAbove(a: { mean: number; halfWidth: number }, b: { mean: number; halfWidth: number }, slack = 0.05): void {
  expect(a.mean).toBeLessThanOrEqual(b.mean + a.halfWidth + b.halfWidth + slack);
}

describe("simulate: conservation", () => {
  it("attempted = consumed + lost + buffered in every kind of run", () => {
    const specs: Partial<ScenarioSpec>[] = [
      {},
      { tool: "retina-ringbuf" },
      { placement: "pinned" },
      { placement: "unlimited" },
      { hardware: "azure-d16s-v5", observedGbps: 5, wakeupEvents: 8 },
      { tool: "retina-ringbuf", ringbufBytes: 4096 }, // tiny ring: drops
      { perfPages: 1 }, // tiny perf rings: losses
    ];
    for (const s of specs) {
      const c = run(s).conservation;
      expect(c.attempted).toBeGreaterThan(0);
      expect(c.consumed + c.lost + c.buffered).toBe(c.attempted);
    }
  });
});

describe("simulate: nothing to observe costs nothing", () => {
  it("offered traffic 0 gives zero overhead and no events", () => {
    // the workload schema refuses offeredGbps = 0 (--traffic 0), so build the workload in code
    const sc = buildScenario({ hardware: "azure-d8s-v5", tool: "retina-perf", trafficGbps: 1 });
    sc.workload = { ...sc.workload, offeredGbps: 0 };
    const r = simulate(sc, SHORT);
    expect(r.overheadPct.mean).toBe(0);
    expect(r.eventsPerS.mean).toBe(0);
    expect(r.conservation.attempted).toBe(0);
  });
  it("tool none gives zero overhead and equal throughputs", () => {
    const r = run({ tool: "none" });
    expect(r.overheadPct.mean).toBe(0);
    expect(r.withAgentGbps.mean).toBe(r.baselineGbps.mean);
    expect(r.scenario.tool).toBeNull();
  });
});

describe("simulate: monotone in the work asked of the agent", () => {
  it("the scenario used below has a measurable overhead (else these checks would be vacuous)", () => {
    expect(run({}).overheadPct.mean).toBeGreaterThan(1);
  });
  it("sampling 1 in N never raises overhead against 1 in 1 (same seed)", () => {
    const one = run({});
    for (const n of [4, 64]) {
      const r = run({ sampling: n });
      notAbove(r.overheadPct, one.overheadPct);
      expect(r.eventsPerS.mean).toBeLessThan(one.eventsPerS.mean);
    }
  });
  it("more wakeups per record never lowers overhead: wakeup_events 1 against 64", () => {
    const every = run({ wakeupEvents: 1 });
    const batched = run({ wakeupEvents: 64 });
    notAbove(batched.overheadPct, every.overheadPct);
    expect(batched.wakeupsPerS.mean).toBeLessThan(every.wakeupsPerS.mean);
  });
  it("the 1-byte watermark (retina-perf's default) costs at least what wakeup_events 64 does", () => {
    notAbove(run({ wakeupEvents: 64 }).overheadPct, run({}).overheadPct);
  });
  it("overhead stays within [0, 100] and the with-agent throughput within the baseline", () => {
    for (const s of [{}, { tool: "retina-ringbuf" }, { placement: "unlimited" }] as Partial<ScenarioSpec>[]) {
      const r = run(s);
      expect(r.overheadPct.mean).toBeGreaterThanOrEqual(-1e-9);
      expect(r.overheadPct.mean).toBeLessThanOrEqual(100);
      expect(r.withAgentGbps.mean).toBeLessThanOrEqual(r.baselineGbps.mean * (1 + 1e-9));
      expect(r.throttledPct.mean).toBeGreaterThanOrEqual(0);
    }
  });
});

describe("simulate: time fractions", () => {
  // Regression: overlapping throttle intervals (several threads of the group charging while it is
  // throttled) and a throttle running past the end of the run were once counted in full (~400%).
  it("the reader is throttled for at most 100% of the measured window (32 vCPUs, CPU limit)", () => {
    const r = simulate(buildScenario({ hardware: "azure-d32s-v5", tool: "retina-perf" }), { ...SHORT, replications: 3 });
    expect(r.throttledPct.mean).toBeGreaterThan(0);
    expect(r.throttledPct.mean).toBeLessThanOrEqual(100);
  });
});

describe("simulate: determinism", () => {
  it("same seed gives the identical JSON result; a different seed a different one", () => {
    const a = JSON.stringify(run({}, { seed: 11 }));
    const b = JSON.stringify(run({}, { seed: 11 }));
    const c = JSON.stringify(run({}, { seed: 12 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});

describe("simulate: bad input is refused, naming the field and value", () => {
  const s = () => buildScenario({ hardware: "azure-d8s-v5", tool: "retina-perf" });
  it.each([
    [{ replications: 0 }, /replications = 0/],
    [{ durationS: -1 }, /durationS = -1/],
    [{ durationS: 0.05, warmupS: 0.05 }, /warmupS = 0.05/],
    [{ durationS: 0.05, warmupS: 0.2 }, /warmupS = 0.2/],
    [{ seed: 1.5 }, /seed = 1.5/],
    [{ maxIterations: 0 }, /maxIterations = 0/],
  ] as [SimulateOptions, RegExp][])("%o", (o, msg) => {
    expect(() => simulate(s(), o)).toThrow(msg);
  });
  it("pinned with dedicatedCpus >= vcpus names dedicatedCpus and its value", () => {
    const sc = buildScenario({ hardware: "azure-d8s-v5", tool: "retina-perf", placement: "pinned" });
    sc.placement = { ...sc.placement, kind: "pinned", dedicatedCpus: 8 } as typeof sc.placement;
    expect(() => simulate(sc, SHORT)).toThrow(/dedicatedCpus = 8/);
  });
  it("a calibration missing a constant names the constant", () => {
    const sc = s();
    const constants = { ...sc.calibration.constants } as Record<string, unknown>;
    delete constants.consumeNs;
    sc.calibration = { ...sc.calibration, constants: constants as typeof sc.calibration.constants };
    expect(() => simulate(sc, SHORT)).toThrow(/consumeNs/);
  });
  it("a negative calibration value names the constant and value", () => {
    const sc = s();
    sc.calibration = structuredClone(sc.calibration);
    sc.calibration.constants.wakeupNs.value = -5;
    expect(() => simulate(sc, SHORT)).toThrow(/wakeupNs.*-5/);
  });
});

describe("simulate: a woken reader waits for a busy CPU (runqueueWaitNs)", () => {
  const scenario = (waitNs: number, placement = "unlimited") => {
    const s = buildScenario({ hardware: "dev-kvm-2vcpu", tool: "harness-ringbuf", workload: "iperf3-veth", observedGbps: 20, placement });
    const c = structuredClone(s.calibration);
    c.constants.runqueueWaitNs = { ...c.constants.runqueueWaitNs, value: waitNs };
    return { ...s, calibration: c };
  };
  const ratio = (r: SimulationResult) => r.wakeupsPerS.mean / r.eventsPerS.mean;

  it("a longer wait lets records pile up, so fewer ring buffer commits find the consumer caught up", () => {
    const short = simulate(scenario(0), { ...SHORT, durationS: 0.1 });
    const long = simulate(scenario(200_000), { ...SHORT, durationS: 0.1 });
    expect(ratio(long)).toBeLessThan(ratio(short));
    expect(long.latencyP99Us.mean).toBeGreaterThan(short.latencyP99Us.mean);
  });

  it("a reader on a CPU of its own does not wait", () => {
    const s = scenario(200_000, "pinned");
    const a = simulate(s, { ...SHORT, durationS: 0.1 });
    const b = simulate(scenario(0, "pinned"), { ...SHORT, durationS: 0.1 });
    expect(JSON.stringify(a.wakeupsPerS)).toBe(JSON.stringify(b.wakeupsPerS));
  });
});

describe("simulate: an agent whose hook work exceeds its CPUs", () => {
  const heavy = (extraNs: number, o: SimulateOptions) => {
    const s = buildScenario({ hardware: "azure-d8s-v5", tool: "retina-perf", placement: "unlimited", observedGbps: 3 });
    const cal = structuredClone(s.calibration);
    cal.constants.perfOutputNs = { ...cal.constants.perfOutputNs, value: cal.constants.perfOutputNs.value + extraNs };
    return simulate({ ...s, calibration: cal }, { ...SHORT, ...o });
  };
  it("settles, and the carried traffic falls with the cost the traffic asks for (not only the work done)", () => {
    const r1 = heavy(100_000, { maxIterations: 12, durationS: 0.1 });
    const r2 = heavy(400_000, { maxIterations: 12, durationS: 0.2 });
    expect(r1.warnings.filter((w) => /fixed point/.test(w))).toEqual([]);
    expect(r1.overheadPct.mean).toBeGreaterThan(50);
    expect(r2.overheadPct.mean).toBeGreaterThan(r1.overheadPct.mean);
    // records/s: at most what the receive CPUs can process at 0.4 ms each: at most one CPU-second per CPU
    expect(r2.eventsPerS.mean).toBeLessThanOrEqual((8 * 1e9) / 400_000);
  });
  it("warns when the throughput fixed point has not settled within maxIterations", () => {
    const r = heavy(20_000, { maxIterations: 1 });
    expect(r.warnings.some((w) => /fixed point did not settle within maxIterations = 1/.test(w))).toBe(true);
  });
});

describe("simulate: delay the hooks add to each skb", () => {
  it("at least the programs' own run time; less with the ring buffer than with a perf wakeup per record; less when sampling", () => {
    const perf = run({ placement: "unlimited" });
    const ring = run({ placement: "unlimited", tool: "retina-ringbuf" });
    const sampled = run({ placement: "unlimited", sampling: 10 });
    const cal = buildScenario({ hardware: "azure-d8s-v5", tool: "retina-perf" }).calibration;
    // every skb crosses at least its two ingress hooks
    const programsUs = (2 * cal.constants.bpfProgramNs.value) / 1000;
    for (const r of [perf, ring, sampled]) {
      expect(r.skbDelayP50Us.mean).toBeGreaterThanOrEqual(programsUs * 0.98); // histogram buckets are ~1.6% wide
      expect(r.skbDelayP99Us.mean).toBeGreaterThanOrEqual(r.skbDelayP50Us.mean);
    }
    // a perf record raises an irq_work on its own CPU (wakeup per record); the ring buffer mostly not
    expect(ring.skbDelayP50Us.mean).toBeLessThan(perf.skbDelayP50Us.mean);
    expect(sampled.skbDelayP50Us.mean).toBeLessThan(perf.skbDelayP50Us.mean);
  });
  it("is zero without traffic", () => {
    const sc = buildScenario({ hardware: "azure-d8s-v5", tool: "retina-perf", trafficGbps: 1 });
    sc.workload = { ...sc.workload, offeredGbps: 0 }; // the schema refuses 0 (see above)
    const r = simulate(sc, SHORT);
    expect(r.skbDelayP50Us.mean).toBe(0);
    expect(r.skbDelayP99Us.mean).toBe(0);
  });
});

describe("simulate: an overloaded node is never reported as free, and every run ends (issue 14, item 1)", () => {
  it("a receive path asked for far more than the CPUs can do reports the loss, keeps percentages of a whole in [0, 100], and ends", () => {
    for (const observedGbps of [500, 1000, 6369]) {
      const s = buildScenario({ hardware: "dev-kvm-2vcpu", tool: "harness-ringbuf", placement: "unlimited", observedGbps });
      const r = simulate(s, { replications: 2, durationS: 0.05, warmupS: 0.01, seed: 1 });
      expect(r.overheadPct.mean).toBeGreaterThan(50);
      for (const e of [r.overheadPct, r.nodeCpuPct, r.throttledPct, r.skbDropPct]) {
        expect(e.mean).toBeGreaterThanOrEqual(0);
        expect(e.mean).toBeLessThanOrEqual(100);
      }
      const c = r.conservation;
      expect(c.attempted).toBe(c.consumed + c.lost + c.buffered);
    }
  });
  it("skbs beyond the NIC ring and backlog are dropped, not queued without bound", () => {
    // an agent whose hook work alone needs ten times the receive CPU
    const s = buildScenario({ hardware: "azure-d8s-v5", tool: "retina-perf", placement: "unlimited", trafficGbps: 10 });
    const cal = structuredClone(s.calibration);
    cal.constants.perfOutputNs = { ...cal.constants.perfOutputNs, value: 2_000_000 };
    const r = simulate({ ...s, calibration: cal }, { replications: 2, durationS: 0.25, warmupS: 0.01, maxIterations: 1 });
    expect(r.skbDropPct.mean).toBeGreaterThan(0);
    expect(r.overheadPct.mean).toBeGreaterThan(50);
  });
});

describe("simulate: inputs the node cannot have carried are said so (issue 13, item 9)", () => {
  it("an observed baseline above the NIC's bandwidth warns; one below does not", () => {
    const o = { replications: 2, durationS: 0.05, warmupS: 0.01 };
    const hi = simulate(buildScenario({ hardware: "azure-d4s-v5", tool: "retina-perf", observedGbps: 20 }), o);
    expect(hi.warnings.some((w) => /above the NIC's 12.5 Gb\/s/.test(w))).toBe(true);
    const lo = simulate(buildScenario({ hardware: "azure-d4s-v5", tool: "retina-perf", observedGbps: 2 }), o);
    expect(lo.warnings.some((w) => /above the NIC/.test(w))).toBe(false);
  });
});
