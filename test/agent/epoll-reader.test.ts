import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Environment } from "../../src/engine/index.ts";
import { CfsBandwidth } from "../../src/kernel/cfs-bandwidth.ts";
import { CpuLedger } from "../../src/accounting/cpu-ledger.ts";
import { EpollReader, type ReaderCosts, type ReaderPlacement } from "../../src/agent/epoll-reader.ts";
import type { Topology } from "../../src/hardware/topology.ts";

/**
 * A buffer of `capacity` records fed at a steady `ratePerS`, read by one EpollReader. Every record
 * costs the reader `readNs` and, with a channel, a worker `workerNs`: the agent's CPU demand is
 * ratePerS x (readNs + workerNs) ns per s plus per-pass costs. Returns what the agent used and lost
 * over the measured window [warmup, duration).
 */
function drive(o: {
  placement: Omit<ReaderPlacement, "quota"> & { quotaCores?: number; periodNs?: number };
  ratePerS: number;
  readNs: number;
  workerNs: number;
  capacity: number;
  durationNs: number;
  warmupNs: number;
}) {
  const env = new Environment();
  const cpus = 8;
  const ledger = new CpuLedger(cpus);
  const quota =
    o.placement.quotaCores !== undefined ? new CfsBandwidth(o.placement.quotaCores * (o.placement.periodNs ?? 100e6), o.placement.periodNs ?? 100e6) : null;
  let buffered = 0;
  let lost = 0;
  let produced = 0;
  let inWindow = false;
  const costs: ReaderCosts = {
    contextSwitchNs: 1500,
    cachePollutionNs: 500,
    epollWaitNs: 800,
    wakeupNs: 600,
    ipiTotalNs: 2000,
    ipiSenderNs: 400,
    channelHandoffNs: 50,
    workerNsPerRecord: o.workerNs,
    runtimeSearchNs: 300,
  };
  let reader: EpollReader;
  const source = {
    anyReady: () => buffered > 0,
    drain: (_cpu: number, _now: number) => {
      const n = buffered;
      return { records: n, workNs: n * o.readNs, remoteNs: 0, finish: () => (buffered -= n) };
    },
  };
  reader = new EpollReader(
    env,
    source,
    costs,
    { ...o.placement, quota },
    {} as Topology,
    ledger,
    (w) => (w + 1) % cpus,
  );
  const gap = 1e9 / o.ratePerS;
  const arrive = () => {
    if (inWindow) produced++;
    if (buffered < o.capacity) buffered++;
    else if (inWindow) lost++;
    reader.notify(0);
    env.schedule(gap, arrive);
  };
  env.schedule(gap, arrive);
  env.schedule(o.warmupNs, () => {
    inWindow = true;
    reader.resetCounters();
  });
  env.run(o.durationNs);
  const windowNs = o.durationNs - o.warmupNs;
  return { agentCores: reader.agentCpuNs / windowNs, lost, produced, quota, windowNs };
}

const pinned = (cpus: number): Omit<ReaderPlacement, "quota"> => ({ dedicatedCpu: 7, dedicatedCpus: cpus, ownsCpu: true, channel: { workers: 4 } });

describe("EpollReader: a pinned agent's threads use at most its dedicated CPUs", () => {
  // demand: 400k records/s x (0.5 + 3.0) us = 1.4 cores (plus per-pass costs)
  const demand = { ratePerS: 400_000, readNs: 500, workerNs: 3000, capacity: 512, durationNs: 60e6, warmupNs: 10e6 };
  it("with 1 CPU and a demand of 1.4 cores it uses at most 1 core and loses events", () => {
    const r = drive({ ...demand, placement: pinned(1) });
    expect(r.agentCores).toBeLessThanOrEqual(1 + 1e-9);
    expect(r.agentCores).toBeGreaterThan(0.95); // it is saturated, not idle
    // the reader falls behind: what 1 core cannot process is dropped (at least the excess demand's share)
    expect(r.lost / r.produced).toBeGreaterThan(1 - 1 / 1.4 - 0.05);
  });
  it("with 2 CPUs the same demand is carried: nothing lost, and at most 2 cores used", () => {
    const r = drive({ ...demand, placement: pinned(2) });
    expect(r.lost).toBe(0);
    expect(r.agentCores).toBeLessThanOrEqual(2 + 1e-9);
    expect(r.agentCores).toBeGreaterThan(1.4 * 0.95); // the demand's records were processed
  });
  it("property: agent CPU <= dedicated CPUs, and no loss when the per-record demand is under half of them", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 50_000, max: 1_000_000 }),
        fc.integer({ min: 100, max: 8000 }),
        (n, rate, workerNs) => {
          const r = drive({ ratePerS: rate, readNs: 300, workerNs, capacity: 1 << 14, durationNs: 30e6, warmupNs: 5e6, placement: pinned(n) });
          expect(r.agentCores).toBeLessThanOrEqual(n + 1e-9);
          if ((rate * (300 + workerNs)) / 1e9 < 0.5 * Math.min(n, 1)) expect(r.lost).toBe(0);
        },
      ),
      { numRuns: 25 },
    );
  });
  it("rejects a dedicated CPU count that is not a whole number of the node's CPUs, naming it", () => {
    expect(() => drive({ ...demand, placement: { ...pinned(1), dedicatedCpus: 0 } })).toThrow(/dedicatedCpus = 0/);
    expect(() => drive({ ...demand, placement: { ...pinned(1), dedicatedCpus: 9 } })).toThrow(/dedicatedCpus = 9/);
  });
});

describe("EpollReader under a CFS quota: agent CPU never above the limit", () => {
  const unpinned = { dedicatedCpu: -1, ownsCpu: false };
  it.each([0.1, 0.25, 0.5, 1])("limit %s cores, demand well above it: agent CPU over whole periods <= the limit", (limit) => {
    // the window [100 ms, 500 ms) is four whole 100 ms periods
    const r = drive({
      placement: { ...unpinned, channel: { workers: 4 }, quotaCores: limit },
      ratePerS: 600_000,
      readNs: 800,
      workerNs: 2500,
      capacity: 1 << 15,
      durationNs: 500e6,
      warmupNs: 100e6,
    });
    expect(r.agentCores).toBeLessThanOrEqual(limit * (1 + 1e-9));
    expect(r.agentCores).toBeGreaterThan(limit * 0.9); // it does use its quota
    expect(r.lost).toBeGreaterThan(0);
  });
  it("without a channel (the reader alone) too", () => {
    const r = drive({
      placement: { ...unpinned, channel: null, quotaCores: 0.5, periodNs: 10e6 },
      ratePerS: 800_000,
      readNs: 1500,
      workerNs: 0,
      capacity: 1 << 15,
      durationNs: 120e6,
      warmupNs: 20e6,
    });
    expect(r.agentCores).toBeLessThanOrEqual(0.5 * (1 + 1e-9));
    expect(r.agentCores).toBeGreaterThan(0.45);
  });
});
