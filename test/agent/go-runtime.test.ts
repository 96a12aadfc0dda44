import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  busyOtherPs,
  goMaxProcs,
  goSchedulerSearchNs,
  IDLE_P_PROBE_NS,
  schedLockContentionShare,
  STEAL_TRIES,
  type RuntimePlacement,
} from "../../src/agent/go-runtime.ts";
import { Topology } from "../../src/hardware/topology.ts";
import { loadHardware, loadTool } from "../../src/models/load.ts";
import { GO_RUNTIME } from "../../src/models/mechanisms.ts";
import type { HardwareProfile, ToolProfile } from "../../src/models/types.ts";

// test/calibration/go-runtime-fit.test.ts covers the law's fit and the 1.24/1.25 GOMAXPROCS rule on
// retina-perf; here: the rest of goMaxProcs' cases, the cap, and the search cost by hand.

const perf = loadTool("retina-perf");
const runtime = (rt: Partial<NonNullable<ToolProfile["reader"]["runtime"]>> | undefined): ToolProfile => {
  const t = structuredClone(perf);
  if (rt === undefined) delete t.reader.runtime;
  else t.reader.runtime = { ...({ gomaxprocs: "node" } as NonNullable<ToolProfile["reader"]["runtime"]>), ...rt };
  return t;
};
const placements: RuntimePlacement[] = [{ kind: "unlimited" }, { kind: "limited", cpuLimit: 0.5 }, { kind: "pinned", dedicatedCpus: 2 }];

describe("goMaxProcs", () => {
  it("a native reader (no runtime) has none", () => {
    for (const p of placements) expect(goMaxProcs(runtime(undefined), p, 32)).toBe(0);
  });
  it("without a go line, the profile's gomaxprocs decides: 'node' = the affinity, 'limit' = max(2, ceil(limit))", () => {
    expect(goMaxProcs(runtime({ gomaxprocs: "node" }), { kind: "limited", cpuLimit: 0.5 }, 32)).toBe(32);
    expect(goMaxProcs(runtime({ gomaxprocs: "limit" }), { kind: "limited", cpuLimit: 0.5 }, 32)).toBe(2);
    expect(goMaxProcs(runtime({ gomaxprocs: "limit" }), { kind: "limited", cpuLimit: 5.01 }, 32)).toBe(6);
  });
  it("the go line overrides gomaxprocs when it is a 1.N version; an unreadable one falls back to gomaxprocs", () => {
    expect(goMaxProcs(runtime({ gomaxprocs: "limit", goVersion: "1.24" }), { kind: "limited", cpuLimit: 0.5 }, 32)).toBe(32);
    expect(goMaxProcs(runtime({ gomaxprocs: "node", goVersion: "1.25" }), { kind: "limited", cpuLimit: 0.5 }, 32)).toBe(2);
    expect(goMaxProcs(runtime({ gomaxprocs: "limit", goVersion: "go1.24" }), { kind: "limited", cpuLimit: 0.5 }, 32)).toBe(2);
  });
  it("Go 1.25 never exceeds the CPUs: a limit above the node is capped (https://go.dev/doc/go1.25#runtime)", () => {
    expect(goMaxProcs(runtime({ goVersion: "1.25" }), { kind: "limited", cpuLimit: 64 }, 16)).toBe(16);
    expect(goMaxProcs(runtime({ goVersion: "1.25" }), { kind: "pinned", dedicatedCpus: 1 }, 16)).toBe(2); // max(2, 1)
    expect(goMaxProcs(runtime({ goVersion: "1.25" }), { kind: "pinned", dedicatedCpus: 1 }, 1)).toBe(1);
  });
  it(`the container-aware rule starts at the go line models/mechanisms/go-runtime.json names (${GO_RUNTIME.containerAwareFrom.goVersion})`, () => {
    expect(GO_RUNTIME.containerAwareFrom.goVersion).toBe("1.25");
  });
  it("property: 1 <= GOMAXPROCS <= CPUs for any Go agent, any placement, any line", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 256 }),
        fc.constantFrom("1.20", "1.24", "1.25", "1.26", undefined),
        fc.constantFrom("node" as const, "limit" as const),
        fc.double({ min: 0.01, max: 512, noNaN: true }),
        fc.integer({ min: 1, max: 256 }),
        fc.integer({ min: 0, max: 2 }),
        (cpus, goVersion, gomaxprocs, limit, dedicated, k) => {
          const p: RuntimePlacement = [
            { kind: "unlimited" as const },
            { kind: "limited" as const, cpuLimit: limit },
            { kind: "pinned" as const, dedicatedCpus: Math.min(dedicated, cpus) },
          ][k];
          const n = goMaxProcs(runtime({ gomaxprocs, ...(goVersion ? { goVersion } : {}) }), p, cpus);
          expect(Number.isInteger(n)).toBe(true);
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(cpus);
        },
      ),
    );
  });
});

describe("schedLockContentionShare: exp(a + b P), capped at 0.9", () => {
  const { a, b } = GO_RUNTIME.schedLockContention;
  it("is the law at the table's Ps, 0 for no P, and capped where the exponential passes 0.9", () => {
    expect(schedLockContentionShare(44)).toBeCloseTo(Math.exp(a + b * 44), 12);
    expect(schedLockContentionShare(0)).toBe(0);
    expect(schedLockContentionShare(-3)).toBe(0);
    expect(schedLockContentionShare(NaN)).toBe(0);
    const pCap = Math.ceil((Math.log(0.9) - a) / b);
    expect(schedLockContentionShare(pCap + 10)).toBe(0.9);
  });
  it("property: non-decreasing in P, within [0, 0.9]", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (p, q) => {
        const [lo, hi] = p <= q ? [p, q] : [q, p];
        expect(schedLockContentionShare(lo)).toBeLessThanOrEqual(schedLockContentionShare(hi));
        expect(schedLockContentionShare(hi)).toBeLessThanOrEqual(0.9);
      }),
    );
  });
});

describe("goSchedulerSearchNs: stealTries passes over the other Ps, a line pulled only from busy ones, inflated by sched.lock", () => {
  const share = (p: number) => schedLockContentionShare(p);
  // retina-perf: 2 channel workers, so besides the searcher's own P two are busy (the reader's, in
  // its epoll_wait syscall, and the other worker's)
  const search = (procs: number, line: number) => (line + 4 * ((procs - 1 - 2) * IDLE_P_PROBE_NS + 2 * line)) / (1 - share(procs));
  it("runtime/proc.go stealTries = 4; an idle P costs a few L1 loads", () => {
    expect(STEAL_TRIES).toBe(4);
    expect(IDLE_P_PROBE_NS).toBeGreaterThan(0);
    expect(IDLE_P_PROBE_NS).toBeLessThan(10);
  });
  it("a native reader searches nothing", () => {
    expect(goSchedulerSearchNs(runtime(undefined), { kind: "unlimited" }, new Topology(loadHardware("azure-d32s-v5")))).toBe(0);
  });
  it("busy Ps other than the searcher's: the reader's and the other workers', at most GOMAXPROCS - 1", () => {
    expect(busyOtherPs(perf, 32)).toBe(2);
    expect(busyOtherPs(perf, 2)).toBe(1);
    const one = structuredClone(perf);
    one.reader.channel = { slots: 10, workers: 1 };
    expect(busyOtherPs(one, 32)).toBe(1);
  });
  it("azure-d32s-v5 (one LLC, 50 ns a line), Go 1.24, unlimited: the mask's line, then 4 x (29 idle x probe + 2 busy x 50), / (1 - share(32))", () => {
    const topo = new Topology(loadHardware("azure-d32s-v5"));
    expect(goSchedulerSearchNs(runtime({ goVersion: "1.24" }), { kind: "unlimited" }, topo)).toBeCloseTo(search(32, 50), 9);
  });
  it("idle Ps are skipped: GOMAXPROCS 64 costs far less than 4 x 63 line transfers, and grows with P only by probes and the lock", () => {
    const hw = loadHardware("azure-d64s-v5");
    const topo = new Topology(hw);
    const ns64 = goSchedulerSearchNs(runtime({ goVersion: "1.24" }), { kind: "limited", cpuLimit: 0.5 }, topo);
    expect(ns64).toBeLessThan((4 * 63 * hw.cacheLineTransferNs.sameLlc) / 5);
    const topo32 = new Topology(loadHardware("azure-d32s-v5"));
    expect(ns64).toBeGreaterThan(goSchedulerSearchNs(runtime({ goVersion: "1.24" }), { kind: "limited", cpuLimit: 0.5 }, topo32));
  });
  it("a pinned agent's Ps stay on its CPUs: the same-LLC line, whatever the node's topology", () => {
    const hw = { ...loadHardware("azure-d32s-v5"), numaNodes: 2, cpusPerLlc: 4 } as HardwareProfile;
    const ns = goSchedulerSearchNs(runtime({ goVersion: "1.24" }), { kind: "pinned", dedicatedCpus: 3 }, new Topology(hw));
    expect(ns).toBeCloseTo(search(3, hw.cacheLineTransferNs.sameLlc), 9);
  });
  it("across NUMA nodes the mean line read from CPU 0 counts the remote ones (4 CPUs, 2 nodes, 2 per LLC)", () => {
    const hw = {
      ...loadHardware("azure-d32s-v5"),
      vcpus: 4,
      numaNodes: 2,
      cpusPerLlc: 2,
      cacheLineTransferNs: { sameLlc: 50, crossLlc: 80, crossNuma: 120 },
    } as HardwareProfile;
    // from CPU 0: CPU 1 same LLC (50), CPUs 2 and 3 on the other node (120 each): mean 290 / 3
    const ns = goSchedulerSearchNs(runtime({ goVersion: "1.24" }), { kind: "unlimited" }, new Topology(hw));
    expect(ns).toBeCloseTo(search(4, 290 / 3), 9);
  });
  it("Go 1.25 under a 0.5-CPU limit searches 2 Ps instead of all 32: one busy P, no idle ones", () => {
    const topo = new Topology(loadHardware("azure-d32s-v5"));
    const lim = { kind: "limited" as const, cpuLimit: 0.5 };
    const ns2 = goSchedulerSearchNs(runtime({ goVersion: "1.25" }), lim, topo);
    expect(ns2).toBeCloseTo((50 + 4 * 50) / (1 - share(2)), 9);
    expect(goSchedulerSearchNs(runtime({ goVersion: "1.24" }), lim, topo)).toBeGreaterThan(ns2);
  });
});
