/**
 * One discrete-event run of a node (src/node/node-run.ts), driven directly at fixed per-queue
 * throughputs. The laws: what is attempted is consumed, lost or still buffered; one TC program run
 * per hook crossing, one record per `sampling` runs; arrivals follow the offered rate; an agent CPU
 * limit holds over whole CFS periods; an exclusively pinned agent's own CPU is charged nothing; no
 * traffic, no cost; the same seed gives the same run.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RandomStreams } from "../../src/engine/index.ts";
import { CAT, COST_CATEGORIES, type CpuLedger } from "../../src/accounting/cpu-ledger.ts";
import { rxQueues } from "../../src/kernel/rx-queues.ts";
import { parseKernel } from "../../src/kernel/version.ts";
import { loadCalibration, loadHardware, loadTool, loadWorkload } from "../../src/models/load.ts";
import { costsFrom } from "../../src/node/costs.ts";
import { runNode, type NodeRunInput } from "../../src/node/node-run.ts";
import type { AgentPlacement } from "../../src/node/placement.ts";
import type { ToolProfile } from "../../src/models/types.ts";

const costs = costsFrom(loadCalibration("literature"));
const workload = loadWorkload("tcp-receiver-saturating");
const SKB_BYTES = workload.mssBytes * workload.groSegments;

function input(
  o: {
    vcpus?: number;
    gbps?: number;
    tool?: ToolProfile;
    placement?: AgentPlacement;
    seed?: number;
    durationNs?: number;
    warmupNs?: number;
    kernel?: string | null;
    receiveFollowsSender?: boolean;
  } = {},
): NodeRunInput {
  const base = loadHardware("azure-d8s-v5");
  const hw = {
    ...base,
    ...(o.vcpus !== undefined ? { vcpus: o.vcpus } : {}),
    ...(o.receiveFollowsSender !== undefined ? { nic: { ...base.nic, receiveFollowsSender: o.receiveFollowsSender } } : {}),
  };
  const channels = Math.min(8, hw.vcpus);
  const queues = rxQueues(hw.vcpus, channels, 0, new RandomStreams(o.seed ?? 1).stream("rss"));
  const perQueue = ((o.gbps ?? 2) * 1e9) / 8 / channels;
  return {
    hw,
    tool: o.tool ?? loadTool("retina-perf"),
    placement: o.placement ?? { kind: "unlimited" },
    workload,
    costs,
    queues,
    queueBytesPerS: new Float64Array(channels).fill(perQueue),
    seed: o.seed ?? 1,
    durationNs: o.durationNs ?? 30e6,
    warmupNs: o.warmupNs ?? 5e6,
    kernel: o.kernel === undefined ? parseKernel("5.15") : o.kernel === null ? null : parseKernel(o.kernel),
  };
}
const total = (l: CpuLedger) => l.ns.reduce((a, b) => a + b, 0);
const catTotal = (l: CpuLedger, k: number) => {
  let s = 0;
  for (let c = 0; c < l.cpus; c++) s += l.categoryOn(c, k);
  return s;
};
const withSampling = (n: number): ToolProfile => ({ ...loadTool("retina-perf"), sampling: n });

describe("runNode: conservation and counting", () => {
  it.each([
    ["perf, unlimited", {}],
    ["ring buffer", { tool: loadTool("retina-ringbuf") }],
    ["CPU limit 0.5", { placement: { kind: "limited", cpuLimit: 0.5, cfsPeriodNs: 10e6 } as AgentPlacement }],
    ["pinned", { placement: { kind: "pinned", dedicatedCpu: 7, dedicatedCpus: 1, exclusive: true } as AgentPlacement }],
    ["no kernel (no epoll lock)", { kernel: null }],
  ])("%s: attempted = consumed + lost + buffered", (_name, o) => {
    const r = runNode(input(o as Parameters<typeof input>[0]));
    expect(r.totals.attempted).toBeGreaterThan(0);
    expect(r.totals.consumed + r.totals.lost + r.totals.buffered).toBe(r.totals.attempted);
    expect(r.windowNs).toBe(25e6);
  });

  it("property: one program run per hook crossing, one record per `sampling` runs (per CPU, up to the counter's carry)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 1000 }), (sampling, seed) => {
        const r = runNode(input({ tool: withSampling(sampling), seed, durationNs: 12e6, warmupNs: 2e6, gbps: 1 }));
        const runs = catTotal(r.ledger, CAT.bpfProgram) / (costs.bpfProgramNs * 1); // programCostFactor 1
        expect(Number.isInteger(Math.round(runs))).toBe(true);
        // each CPU's sample counter carries up to sampling - 1 runs over the window's edges; a walk in
        // progress at the window's start or end adds at most its hooks (4)
        expect(Math.abs(r.outputs - runs / sampling)).toBeLessThanOrEqual(8 * 2 + 8);
        expect(r.outputs).toBeGreaterThan(0);
      }),
      { numRuns: 12 },
    );
  });

  it("arrivals follow the offered rate (Poisson, ±5%), and hook crossings are 2 ingress + 2 egress every skbsPerAck = 2 skbs", () => {
    const gbps = 4;
    const r = runNode(input({ gbps, durationNs: 55e6, warmupNs: 5e6 }));
    const expectedSkbs = ((gbps * 1e9) / 8 / SKB_BYTES) * 0.05;
    expect(r.arrivedSkbs / expectedSkbs).toBeGreaterThan(0.95);
    expect(r.arrivedSkbs / expectedSkbs).toBeLessThan(1.05);
    const runs = catTotal(r.ledger, CAT.bpfProgram) / costs.bpfProgramNs;
    expect(runs / r.arrivedSkbs).toBeCloseTo(2 + 2 / 2, 1);
    expect(r.droppedSkbs).toBe(0);
  });
});

describe("runNode: nothing to observe costs nothing", () => {
  it("zero throughput on every queue: no events, no wakeups, an empty ledger", () => {
    const i = input();
    i.queueBytesPerS.fill(0);
    const r = runNode(i);
    expect(r.arrivedSkbs).toBe(0);
    expect(r.outputs).toBe(0);
    expect(r.wakeups).toBe(0);
    expect(r.readerWakeups).toBe(0);
    expect(r.agentCpuNs).toBe(0);
    expect(total(r.ledger)).toBe(0);
    expect(r.totals.attempted).toBe(0);
  });
});

describe("runNode: placement", () => {
  it("a CFS limit of 0.5 CPU over whole 10 ms periods: the agent never uses more (kernel/sched/fair.c cfs bandwidth)", () => {
    const r = runNode(input({ gbps: 6, placement: { kind: "limited", cpuLimit: 0.5, cfsPeriodNs: 10e6 }, durationNs: 50e6, warmupNs: 10e6 }));
    // the window [10 ms, 50 ms) is 4 whole periods: at most 4 x 5 ms of runtime
    expect(r.agentCpuNs / r.windowNs).toBeGreaterThan(0.45); // it is saturated, so the bound is the point
    expect(r.agentCpuNs / r.windowNs).toBeLessThanOrEqual(0.5 * (1 + 1e-9));
    expect(r.throttledNs).toBeGreaterThanOrEqual(0);
    expect(r.throttledNs).toBeLessThanOrEqual(r.windowNs);
  });
  it("an exclusively pinned agent's CPU is its own: nothing of the reader's lands on it", () => {
    const r = runNode(input({ placement: { kind: "pinned", dedicatedCpu: 7, dedicatedCpus: 1, exclusive: true } }));
    expect(r.readerWakeups).toBeGreaterThan(0);
    expect(r.ledger.categoryOn(7, CAT.readerCpu)).toBe(0);
    expect(r.ledger.categoryOn(7, CAT.cachePollution)).toBe(0);
    expect(r.agentCpuNs).toBeGreaterThan(0);
    expect(r.agentCpuNs / r.windowNs).toBeLessThanOrEqual(1 + 1e-9);
  });
  it("a shared (non-exclusive) pin charges the reader's time to that CPU", () => {
    const r = runNode(input({ placement: { kind: "pinned", dedicatedCpu: 7, dedicatedCpus: 1, exclusive: false } }));
    expect(r.ledger.categoryOn(7, CAT.readerCpu)).toBeGreaterThan(0);
    for (let c = 0; c < 7; c++) expect(r.ledger.categoryOn(c, CAT.readerCpu)).toBe(0);
  });
  it("without a NIC (receive follows the sender) a shared pin fixes no role: the reader's time lands on the roles' CPUs as an unpinned reader's does", () => {
    const shared = { kind: "pinned", dedicatedCpu: 7, dedicatedCpus: 1, exclusive: false } as const;
    const roaming = runNode(input({ placement: shared, receiveFollowsSender: true }));
    const unpinned = runNode(input({ placement: { kind: "unlimited" }, receiveFollowsSender: true }));
    let cpusWithReader = 0;
    for (let c = 0; c < 8; c++) if (roaming.ledger.categoryOn(c, CAT.readerCpu) > 0) cpusWithReader++;
    expect(cpusWithReader).toBeGreaterThan(1);
    // the same reader, but a one-CPU affinity scans no idle CPUs: the epoll lock's charge on the
    // wakers is smaller (and with it the interrupt time that stretches the reader), wakeups agree
    expect(Math.abs(roaming.readerWakeups / unpinned.readerWakeups - 1)).toBeLessThan(0.05);
    expect(catTotal(roaming.ledger, CAT.epollLock)).toBeLessThan(catTotal(unpinned.ledger, CAT.epollLock));
    // an exclusive pin stays on its CPU whatever the receive path does
    const owned = runNode(input({ placement: { ...shared, exclusive: true }, receiveFollowsSender: true }));
    expect(owned.ledger.categoryOn(7, CAT.readerCpu)).toBe(0);
  });
});

describe("runNode: accounting", () => {
  it("every category is non-negative, the hooks' share of each CPU is inside its ledger, served fractions in (0, 1]", () => {
    const r = runNode(input({ tool: loadTool("retina-ringbuf"), gbps: 3 }));
    for (let k = 0; k < COST_CATEGORIES.length; k++) expect(catTotal(r.ledger, k)).toBeGreaterThanOrEqual(0);
    for (let c = 0; c < r.ledger.cpus; c++) {
      expect(r.hookNs[c]).toBeLessThanOrEqual(r.ledger.cpuTotal(c) + 1e-6);
      expect(r.servedFraction[c]).toBeGreaterThan(0);
      expect(r.servedFraction[c]).toBeLessThanOrEqual(1);
    }
    expect(r.readerWakeups).toBeLessThanOrEqual(r.wakeups); // ep_poll_callback wakes a sleeping reader at most once per wakeup
    expect(r.epollLock.contendedShare).toBeGreaterThanOrEqual(0);
    expect(r.epollLock.contendedShare).toBeLessThanOrEqual(1);
  });
  it("without a kernel no epoll lock is modelled: nothing is charged to it", () => {
    const r = runNode(input({ kernel: null }));
    expect(catTotal(r.ledger, CAT.epollLock)).toBe(0);
    expect(r.epollLock.callbacks).toBe(0);
  });
  it("the same seed gives the same run, bit for bit; another seed another run", () => {
    const a = runNode(input({ seed: 7 }));
    const b = runNode(input({ seed: 7 }));
    const c = runNode(input({ seed: 8 }));
    expect(Array.from(a.ledger.ns)).toEqual(Array.from(b.ledger.ns));
    expect([a.outputs, a.wakeups, a.agentCpuNs, a.totals]).toEqual([b.outputs, b.wakeups, b.agentCpuNs, b.totals]);
    expect(Array.from(a.ledger.ns)).not.toEqual(Array.from(c.ledger.ns));
  });
});

describe("runNode: ACKs sent from the receiving thread's CPU (Workload.acksFromReceiverShare)", () => {
  // dev-kvm-2vcpu: one receive queue on CPU 0, the receiving thread on CPU 1
  const kvm = loadHardware("dev-kvm-2vcpu");
  const run = (share: number | undefined, placement: AgentPlacement = { kind: "unlimited" }) => {
    const queues = rxQueues(kvm.vcpus, 1, 0, new RandomStreams(1).stream("rss"));
    const w = { ...workload, ...(share !== undefined ? { acksFromReceiverShare: share } : {}) };
    return runNode({
      hw: kvm,
      tool: loadTool("harness-perf"),
      placement,
      workload: w,
      costs,
      queues,
      queueBytesPerS: new Float64Array([2e9 / 8]),
      seed: 3,
      durationNs: 25e6,
      warmupNs: 5e6,
      kernel: parseKernel("6.18"),
    });
  };
  const progRuns = (r: ReturnType<typeof runNode>, cpu: number) => r.ledger.categoryOn(cpu, CAT.bpfProgram) / costs.bpfProgramNs;

  it("share 0 (the default): every hook runs on the receive CPU; the other CPU gets no hook work", () => {
    const r = run(undefined);
    expect(progRuns(r, 1)).toBe(0);
    expect(progRuns(r, 0) / r.arrivedSkbs).toBeCloseTo(2 + 2 / 2, 1);
    // a share of 0 spelled out is the same run
    const z = run(0);
    expect(z.outputs).toBe(r.outputs);
    expect(Array.from(z.hookNs)).toEqual(Array.from(r.hookNs));
  });

  it("share 1: the ACKs' 2 egress hooks per skbsPerAck skbs run on CPU 1, the data's 2 on CPU 0; CPU 1's work is not queue-following hook time", () => {
    const r = run(1);
    expect(progRuns(r, 0) / r.arrivedSkbs).toBeCloseTo(2, 1);
    expect(progRuns(r, 1) / r.arrivedSkbs).toBeCloseTo(2 / 2, 1);
    // CPU 1 runs no queue: all its agent work counts with the node's traffic
    expect(r.hookNs[1]).toBe(0);
    // CPU 0 runs its own data skbs' programs only: two thirds of what it ran with the ACKs there
    expect(progRuns(r, 0) / progRuns(run(0), 0)).toBeCloseTo(2 / 3, 1);
    // records are still all accounted for
    expect(r.totals.consumed + r.totals.lost + r.totals.buffered).toBe(r.totals.attempted);
  });

  it("share 0.5: every other ACK leaves from the receiving thread's CPU", () => {
    const r = run(0.5);
    expect(progRuns(r, 1) / r.arrivedSkbs).toBeCloseTo(2 / 4, 1);
  });

  it("a reader pinned to CPU 1 now finds interrupt-context work there (its pass is stretched by it)", () => {
    const pin: AgentPlacement = { kind: "pinned", dedicatedCpu: 1, dedicatedCpus: 1, exclusive: false };
    const before = run(0, pin);
    const after = run(1, pin);
    const irq = (r: ReturnType<typeof runNode>) => r.ledger.categoryOn(1, CAT.bpfProgram) + r.ledger.categoryOn(1, CAT.recordOutput);
    expect(irq(before)).toBe(0);
    expect(irq(after)).toBeGreaterThan(0);
  });
});
