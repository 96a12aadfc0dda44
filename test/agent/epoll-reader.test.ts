import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Environment } from "../../src/engine/index.ts";
import { CfsBandwidth } from "../../src/kernel/cfs-bandwidth.ts";
import { CAT, CpuLedger } from "../../src/accounting/cpu-ledger.ts";
import { dilated, EpollReader, MAX_INTERRUPT_SHARE, type ReaderCosts, type ReaderPlacement } from "../../src/agent/epoll-reader.ts";
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

describe("EpollReader: interrupt time on its CPU stretches the reader's wall-clock time", () => {
  it("dilated: ns / (1 - share), the share clamped to [0, MAX_INTERRUPT_SHARE]", () => {
    expect(dilated(1000, 0)).toBe(1000);
    expect(dilated(1000, 0.5)).toBe(2000);
    expect(dilated(1000, -1)).toBe(1000);
    expect(dilated(1000, Number.NaN)).toBe(1000);
    expect(dilated(1000, 1)).toBeCloseTo(1000 / (1 - MAX_INTERRUPT_SHARE), 9);
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), (a, b) => (a <= b ? dilated(1, a) <= dilated(1, b) : true)));
  });

  /**
   * One wakeup of a reader on CPU 0 after `before` ns during which CPU 0 spent `share` of its time on
   * producer interrupt work (charged as wakeups); returns when the pass started and its planned end.
   */
  function onePass(share: number, dilation = true) {
    const env = new Environment();
    const ledger = new CpuLedger(2);
    const costs: ReaderCosts = {
      contextSwitchNs: 4000,
      cachePollutionNs: 0,
      epollWaitNs: 500,
      wakeupNs: 0,
      ipiTotalNs: 0,
      ipiSenderNs: 0,
      channelHandoffNs: 0,
      workerNsPerRecord: 0,
      runtimeSearchNs: 0,
    };
    let buffered = 0;
    const seen: { start: number; doneAt: number }[] = [];
    const source = {
      anyReady: () => buffered > 0,
      drain: (_cpu: number, now: number) => {
        const n = buffered;
        return { records: n, workNs: 10_000, remoteNs: 0, finish: (doneAt: number) => { buffered -= n; seen.push({ start: now, doneAt }); } };
      },
    };
    const reader = new EpollReader(env, source, costs, { dedicatedCpu: -1, ownsCpu: false, quota: null, channel: null, interruptDilation: dilation }, {} as Topology, ledger, () => 0);
    const before = 1_000_000;
    env.schedule(before, () => {
      ledger.charge(0, CAT.wakeups, share * before); // the producers' irq_work on CPU 0 so far
      buffered = 1;
      reader.notify(1); // woken from CPU 1 (an IPI, which the reader's own share must not count), runs on CPU 0
    });
    env.run(5_000_000);
    return { start: seen[0]!.start - before, pass: seen[0]!.doneAt - seen[0]!.start, share: reader.interruptShare(0) };
  }

  it("on a CPU that spends half its time in interrupts, the wait to run and the pass take twice as long", () => {
    const calm = onePass(0);
    const busy = onePass(0.5);
    expect(calm.start).toBe(4000); // the switch in
    expect(calm.pass).toBe(10_500); // epoll_wait + the drain's work
    expect(busy.start).toBeCloseTo(2 * calm.start, 6); // at the wakeup the share is 0.5
    // at the pass the share is the interrupt time over the time elapsed since (a little below 0.5)
    const shareAtPass = (0.5 * 1_000_000) / (1_000_000 + busy.start);
    expect(busy.pass).toBeCloseTo(calm.pass / (1 - shareAtPass), 6);
    expect(busy.pass).toBeGreaterThan(1.9 * calm.pass);
    // switched off, the CPU's interrupts change nothing
    expect(onePass(0.5, false)).toEqual({ ...calm, share: 0 });
  });
});
