import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Environment } from "../../src/engine/index.ts";
import { CfsBandwidth } from "../../src/kernel/cfs-bandwidth.ts";
import { CAT, CpuLedger } from "../../src/accounting/cpu-ledger.ts";
import {
  dilated,
  EpollReader,
  MAX_INTERRUPT_SHARE,
  RUNNING,
  SLEEPING,
  THROTTLED,
  WAKING,
  type ReaderCosts,
  type ReaderPlacement,
  type RunqueueWait,
} from "../../src/agent/epoll-reader.ts";
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
  reader = new EpollReader(env, source, costs, { ...o.placement, quota }, {} as Topology, ledger, (w) => (w + 1) % cpus);
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
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 50_000, max: 1_000_000 }), fc.integer({ min: 100, max: 8000 }), (n, rate, workerNs) => {
        const r = drive({ ratePerS: rate, readNs: 300, workerNs, capacity: 1 << 14, durationNs: 30e6, warmupNs: 5e6, placement: pinned(n) });
        expect(r.agentCores).toBeLessThanOrEqual(n + 1e-9);
        if ((rate * (300 + workerNs)) / 1e9 < 0.5 * Math.min(n, 1)) expect(r.lost).toBe(0);
      }),
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

/* ------------------------------------------------------------------------------------------------
 * The reader thread's state machine, step by step (src/agent/epoll-reader.ts header):
 *   SLEEPING --notify--> WAKING --(IPI + switch in)--> RUNNING --drain--> RUNNING | SLEEPING | THROTTLED
 * Kernel behaviour each test pins: fs/eventpoll.c `ep_poll_callback` wakes the epoll waiter only if it
 * sleeps (a notify while WAKING/RUNNING costs the waker nothing and is not a wakeup);
 * kernel/sched/core.c `try_to_wake_up` sends a reschedule IPI only to another CPU (a wakeup on the
 * waker's own CPU has no IPI); libbpf `perf_buffer__poll` drains every ready ring after one
 * epoll_wait, so records that arrive while the reader is awake share its next pass.
 * Every expected figure below is computed by hand from the constants in COSTS.
 * ---------------------------------------------------------------------------------------------- */

const COSTS: ReaderCosts = {
  contextSwitchNs: 1500,
  cachePollutionNs: 500,
  epollWaitNs: 800,
  wakeupNs: 600,
  ipiTotalNs: 2000,
  ipiSenderNs: 400,
  channelHandoffNs: 50,
  workerNsPerRecord: 3000,
  runtimeSearchNs: 300,
};
const READ_NS = 500; // reader work per record in the fake source

/** One reader on an 8-CPU node over a fake buffer; records are pushed by `produce`, each stamped. */
function rig(
  o: { placement?: Partial<ReaderPlacement>; pick?: (w: number) => number; runqueueWait?: RunqueueWait; preempted?: (wallNs: number) => number } = {},
) {
  const env = new Environment();
  const ledger = new CpuLedger(8);
  const placement: ReaderPlacement = { dedicatedCpu: -1, ownsCpu: false, quota: null, channel: null, ...o.placement };
  const stamps: number[] = [];
  const latencies: number[] = [];
  const passes: { at: number; cpu: number; records: number }[] = [];
  const source = {
    anyReady: () => stamps.length > 0,
    drain: (cpu: number, now: number) => {
      const taken = stamps.splice(0, stamps.length);
      passes.push({ at: now, cpu, records: taken.length });
      return {
        records: taken.length,
        workNs: taken.length * READ_NS,
        remoteNs: 0,
        finish: (doneAt: number) => {
          for (const t of taken) latencies.push(doneAt - t);
        },
      };
    },
  };
  const reader = new EpollReader(env, source, COSTS, placement, {} as Topology, ledger, o.pick ?? ((w) => (w + 1) % 8), o.runqueueWait, o.preempted ?? null);
  const produce = (wakerCpu = 0): number => {
    stamps.push(env.now);
    return reader.notify(wakerCpu);
  };
  return { env, ledger, reader, produce, passes, latencies, placement };
}

const ledgerTotal = (l: CpuLedger): number => l.ns.reduce((a, b) => a + b, 0);

describe("EpollReader state machine: one record, by hand", () => {
  it("SLEEPING -> WAKING on notify, RUNNING at switch-in, SLEEPING when drained, with every ns where it belongs", () => {
    const { env, ledger, reader, produce, passes, latencies } = rig();
    expect(reader.state).toBe(SLEEPING);
    // waker CPU 0, the scheduler picks CPU 1: the waker pays the IPI's send side
    expect(produce(0)).toBe(COSTS.ipiSenderNs);
    expect(reader.state).toBe(WAKING);
    expect(reader.cpu).toBe(1);
    expect(reader.wakeupsFromSleep).toBe(1);
    // switch-in latency: context switch + IPI (send + receive) = 1500 + 2000 = 3500 ns
    const states: number[] = [];
    env.schedule(3499, () => states.push(reader.state));
    env.schedule(3501, () => states.push(reader.state));
    env.run(1e6);
    expect(states).toEqual([WAKING, RUNNING]);
    expect(passes).toEqual([{ at: 3500, cpu: 1, records: 1 }]);
    // the pass: epoll_wait 800 + one record 500 = 1300 ns, done at 4800; the record waited 4800 ns
    expect(latencies).toEqual([4800]);
    expect(reader.state).toBe(SLEEPING);
    expect(reader.batches).toBe(1);
    expect(reader.recordsRead).toBe(1);
    expect(reader.contextSwitches).toBe(2); // in and out
    // reader CPU: switch in 1500 + pass 1300 + (switch out 1500 + epoll_wait 800) = 5100 ns, on CPU 1
    expect(ledger.categoryOn(1, CAT.readerCpu)).toBe(5100);
    expect(reader.agentCpuNs).toBe(5100);
    // the wakeup: 400 on the waker, the IPI's receive side 2000 - 400 = 1600 on the reader's CPU
    expect(ledger.categoryOn(0, CAT.wakeups)).toBe(400);
    expect(ledger.categoryOn(1, CAT.wakeups)).toBe(1600);
    // the displaced task's cache refill
    expect(ledger.categoryOn(1, CAT.cachePollution)).toBe(500);
    expect(ledgerTotal(ledger)).toBe(5100 + 2000 + 500);
  });

  it("a wakeup on the waker's own CPU sends no IPI (try_to_wake_up on the local CPU)", () => {
    const { env, ledger, reader, produce, latencies } = rig({ pick: (w) => w });
    expect(produce(3)).toBe(0);
    env.run(1e6);
    expect(ledger.categoryOn(3, CAT.wakeups)).toBe(0);
    expect(latencies).toEqual([1500 + 800 + 500]); // switch in, then epoll_wait + the record
    expect(reader.cpu).toBe(3);
  });

  it("a notify while WAKING or RUNNING is not a wakeup and costs the waker nothing (ep_poll_callback)", () => {
    const { env, reader, produce, passes } = rig();
    produce(0);
    expect(produce(0)).toBe(0); // still WAKING
    env.schedule(4000, () => {
      expect(reader.state).toBe(RUNNING);
      expect(produce(2)).toBe(0); // mid-pass
    });
    env.run(1e6);
    expect(reader.wakeupsFromSleep).toBe(1);
    // the first pass took both early records; the mid-pass one waited for the next pass, no sleep between
    expect(passes.map((p) => p.records)).toEqual([2, 1]);
    expect(passes[1].at).toBe(3500 + 800 + 2 * READ_NS);
    expect(reader.contextSwitches).toBe(2);
  });

  it("a busy wake CPU delays the switch-in by its run-queue wait, except on a CPU the agent owns", () => {
    const waits = rig({ runqueueWait: { draw: () => 10_000, wallClock: false } });
    waits.produce(0);
    waits.env.run(1e6);
    expect(waits.passes[0].at).toBe(3500 + 10_000);
    const owned = rig({ runqueueWait: { draw: () => 10_000, wallClock: false }, placement: { dedicatedCpu: 7, ownsCpu: true } });
    owned.produce(0);
    owned.env.run(1e6);
    expect(owned.passes[0].at).toBe(3500);
  });

  it("a preempted pass ends later by the stall, its records wait for it, and the agent is not charged for it; never on a CPU it owns", () => {
    const calm = rig();
    calm.produce(0);
    calm.env.run(1e6);
    const pre = rig({ preempted: () => 50_000 });
    pre.produce(0);
    pre.env.run(1e6);
    expect(pre.latencies[0]).toBe(calm.latencies[0]! + 50_000);
    expect(pre.reader.agentCpuNs).toBe(calm.reader.agentCpuNs);
    const owned = rig({ preempted: () => 50_000, placement: { dedicatedCpu: 7, ownsCpu: true } });
    owned.produce(0);
    owned.env.run(1e6);
    const ownedCalm = rig({ placement: { dedicatedCpu: 7, ownsCpu: true } });
    ownedCalm.produce(0);
    ownedCalm.env.run(1e6);
    expect(owned.latencies[0]).toBe(ownedCalm.latencies[0]);
  });

  it("a pinned reader always wakes on its CPU, whatever the scheduler would pick, and an owned CPU is charged nothing", () => {
    const { env, ledger, reader, produce, passes } = rig({ placement: { dedicatedCpu: 7, ownsCpu: true }, pick: () => 2 });
    expect(produce(0)).toBe(COSTS.ipiSenderNs);
    env.run(1e6);
    expect(passes[0].cpu).toBe(7);
    // only the waker's send side lands in the ledger; the agent's own time is still counted
    expect(ledgerTotal(ledger)).toBe(COSTS.ipiSenderNs);
    expect(ledger.categoryOn(0, CAT.wakeups)).toBe(COSTS.ipiSenderNs);
    expect(reader.agentCpuNs).toBe(5100);
  });

  it("with a worker channel each non-empty batch wakes one worker, costing what the header lists", () => {
    const { env, ledger, reader, produce } = rig({ placement: { channel: { workers: 2 } }, pick: (w) => (w + 1) % 8 });
    produce(0);
    produce(0);
    env.run(1e6);
    expect(reader.workerWakeups).toBe(1);
    expect(reader.contextSwitches).toBe(2 + 2); // reader in/out, worker in/out
    // reader pass: epoll 800 + 2 x 500 + 2 x handoff 50 + wakeup 600 + IPI send 400 = 2900
    // worker: 2 switches 3000 + 2 runtime searches 600 + 2 records x 3000 = 9600, on CPU 2 (picked from reader CPU 1)
    expect(ledger.categoryOn(1, CAT.readerCpu)).toBe(1500 + 2900 + 2300);
    expect(ledger.categoryOn(2, CAT.readerCpu)).toBe(9600);
    expect(ledger.categoryOn(2, CAT.wakeups)).toBe(COSTS.ipiTotalNs - COSTS.ipiSenderNs);
    expect(ledger.categoryOn(2, CAT.cachePollution)).toBe(COSTS.cachePollutionNs);
    expect(reader.agentCpuNs).toBe(1500 + 2900 + 2300 + 9600);
  });
});

describe("EpollReader: wakeups per record", () => {
  it("records further apart than a whole wake cycle get one wakeup each (the study's 1 wakeup per record regime)", () => {
    const { env, reader, produce } = rig();
    for (let i = 0; i < 50; i++) env.schedule(i * 100_000, () => produce(0)); // cycle is 3500 + 1300 + 2300 ns
    env.run(1e9);
    expect(reader.wakeupsFromSleep).toBe(50);
    expect(reader.batches).toBe(50);
  });

  it("a burst of records at one instant costs one wakeup and one pass", () => {
    const { env, reader, produce, passes } = rig();
    for (let i = 0; i < 40; i++) produce(i % 8);
    env.run(1e9);
    expect(reader.wakeupsFromSleep).toBe(1);
    expect(passes.map((p) => p.records)).toEqual([40]);
  });

  it("property: every record is read once, each wakeup is followed by exactly one sleep, and the ledger holds exactly the agent's time plus its side costs", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: 7 }),
        (arrivals, pickOffset) => {
          const { env, ledger, reader, produce, latencies } = rig({ pick: (w) => (w + pickOffset) % 8 });
          for (const [t, cpu] of arrivals) env.schedule(t, () => produce(cpu));
          env.run(1e9);
          expect(reader.state).toBe(SLEEPING);
          expect(reader.recordsRead).toBe(arrivals.length);
          expect(latencies.length).toBe(arrivals.length);
          expect(reader.wakeupsFromSleep).toBeGreaterThanOrEqual(1);
          expect(reader.wakeupsFromSleep).toBeLessThanOrEqual(arrivals.length);
          expect(reader.contextSwitches).toBe(2 * reader.wakeupsFromSleep);
          // agent time: per wakeup switch in + switch out + final epoll_wait; per pass epoll_wait; per record READ_NS
          const expected =
            reader.wakeupsFromSleep * (2 * COSTS.contextSwitchNs + COSTS.epollWaitNs) + reader.batches * COSTS.epollWaitNs + arrivals.length * READ_NS;
          expect(reader.agentCpuNs).toBeCloseTo(expected, 6);
          let readerCpu = 0;
          for (let c = 0; c < 8; c++) readerCpu += ledger.categoryOn(c, CAT.readerCpu);
          expect(readerCpu).toBeCloseTo(expected, 6);
          // side costs: a cache refill per wakeup, and a whole IPI per wakeup on another CPU
          const ipis = pickOffset === 0 ? 0 : reader.wakeupsFromSleep;
          expect(ledgerTotal(ledger)).toBeCloseTo(expected + reader.wakeupsFromSleep * COSTS.cachePollutionNs + ipis * COSTS.ipiTotalNs, 6);
          // no record waits less than one pass's epoll_wait and its own read (one arriving while the
          // reader is WAKING joins the first pass without paying the switch-in)
          for (const l of latencies) expect(l).toBeGreaterThanOrEqual(COSTS.epollWaitNs + READ_NS - 1e-9);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("EpollReader under a CFS quota: THROTTLED", () => {
  it("a pass longer than the runtime left is throttled to the next refill, counted as 2 context switches per throttle", () => {
    // quota 2000 ns per 10 us period: switch-in (1500) leaves 500; a pass of 800 + 4 x 500 = 2800 needs
    // two more refills: 500 in period 0, 2000 in period 1, 300 in period 2 (kernel/sched/fair.c
    // throttle_cfs_rq / distribute_cfs_runtime, cfs-bandwidth.ts run)
    const quota = new CfsBandwidth(2000, 10_000);
    const { env, reader, produce, passes, latencies } = rig({ placement: { quota } });
    for (let i = 0; i < 4; i++) produce(0);
    const seen: number[] = [];
    env.schedule(5000, () => seen.push(reader.state));
    env.run(1e6);
    expect(passes).toEqual([{ at: 3500, cpu: 1, records: 4 }]);
    expect(seen).toEqual([THROTTLED]);
    expect(latencies).toEqual([20_300, 20_300, 20_300, 20_300]);
    // 2 throttles in the pass, and a third while the switch-out and the last epoll_wait (2300 ns) run
    // out of period 2's 1700 ns left; only the pass's throttles switch the reader out and back in
    expect(quota.throttleCount).toBe(3);
    // switch in, switch out, and 2 x 2 around the pass's throttles
    expect(reader.contextSwitches).toBe(2 + 4);
    // never more than the quota in any period: 3 periods touched by the pass and the sleep
    expect(reader.agentCpuNs).toBe(1500 + 2800 + 2300);
  });

  it("a reader woken while its group is throttled waits for the refill before draining", () => {
    const quota = new CfsBandwidth(1000, 50_000);
    quota.run(1000, 0); // another thread of the group spent period 0's runtime
    const { env, produce, passes } = rig({ placement: { quota } });
    produce(0);
    env.run(1e6);
    // the switch-in itself runs out of the quota: from the refill at 50 us, 1000 ns, then 500 more at 100 us
    expect(passes[0].at).toBeGreaterThanOrEqual(100_000);
  });
});

describe("EpollReader.resetCounters", () => {
  it("zeroes the window's counters but keeps work that is placed after the reset", () => {
    const { env, reader, produce } = rig({ placement: { dedicatedCpu: 7, ownsCpu: true, dedicatedCpus: 1 } });
    produce(0);
    // at 4000 the pass (3500 -> 4800) is under way: 800 ns of it lie ahead, and belong to the window
    env.schedule(4000, () => reader.resetCounters());
    env.run(1e6);
    expect(reader.wakeupsFromSleep).toBe(0);
    expect(reader.batches).toBe(0);
    expect(reader.recordsRead).toBe(0);
    // the rest of the pass (800) + switch out and epoll_wait (2300)
    expect(reader.agentCpuNs).toBe(800 + 2300);
    expect(reader.contextSwitches).toBe(1);
  });
});

describe("EpollReader: a worker woken on the reader's own CPU", () => {
  // A wakeup on the waker's own CPU sends no reschedule IPI (kernel/sched/core.c ttwu_queue: a
  // local wakeup is enqueued directly), so a pinned agent with one CPU pays no ipiSenderNs per batch
  // (it once did: the pass charged it before the worker's CPU was known).
  it("pays no IPI send for a worker on the reader's CPU", () => {
    const { env, reader, produce } = rig({ placement: { dedicatedCpu: 7, ownsCpu: true, dedicatedCpus: 1, channel: { workers: 1 } } });
    produce(0);
    env.run(1e6);
    expect(reader.workerWakeups).toBe(1);
    // switch in 1500; pass: epoll 800 + 500 + handoff 50 + ttwu 600 (no IPI); worker 2 x 1500 + 2 x 300 + 3000; sleep 2300
    expect(reader.agentCpuNs).toBe(1500 + (800 + 500 + 50 + 600) + (3000 + 600 + 3000) + 2300);
  });
});

describe("EpollReader: interrupt time on its CPU stretches the reader's wall-clock time", () => {
  it("dilated: ns / (1 - share), the share clamped to [0, MAX_INTERRUPT_SHARE]", () => {
    expect(dilated(1000, 0)).toBe(1000);
    expect(dilated(1000, 0.5)).toBe(2000);
    expect(dilated(1000, -1)).toBe(1000);
    expect(dilated(1000, Number.NaN)).toBe(1000);
    expect(dilated(1000, 1)).toBeCloseTo(1000 / (1 - MAX_INTERRUPT_SHARE), 9);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), (a, b) =>
        a <= b ? dilated(1, a) <= dilated(1, b) : true,
      ),
    );
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
        return {
          records: n,
          workNs: 10_000,
          remoteNs: 0,
          finish: (doneAt: number) => {
            buffered -= n;
            seen.push({ start: now, doneAt });
          },
        };
      },
    };
    const reader = new EpollReader(
      env,
      source,
      costs,
      { dedicatedCpu: -1, ownsCpu: false, quota: null, channel: null, interruptDilation: dilation },
      {} as Topology,
      ledger,
      () => 0,
    );
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

describe("EpollReader: the receive path's softirq on its CPU, and who is billed for interrupt time", () => {
  /** One record read by a reader on CPU 0 (woken locally) whose CPU spends `receive` of its time in the receive path's softirq. */
  function oneRecord(o: { receive: number; irqTimeAccounting?: boolean; quota?: CfsBandwidth }) {
    const { env, reader, produce } = rig({
      pick: () => 0,
      placement: { receiveInterruptShare: Float64Array.from([o.receive, 0, 0, 0, 0, 0, 0, 0]), irqTimeAccounting: o.irqTimeAccounting, quota: o.quota ?? null },
    });
    // the share is only estimated once some time has passed since the ledger's start
    env.schedule(1_000_000, () => produce(0));
    env.run(10_000_000);
    return reader;
  }

  it("adds the receive share to the agent's own interrupt share on that CPU, and nowhere else", () => {
    const r = oneRecord({ receive: 0.4 });
    expect(r.interruptShare(0)).toBeCloseTo(0.4, 9);
    expect(r.interruptShare(1)).toBe(0);
  });

  it("a run-queue wait in task time is stretched by the CPU's interrupt share; a measured wall-clock one is not", () => {
    const wokenAt = (wallClock: boolean) => {
      const { env, produce, passes } = rig({
        pick: () => 0,
        placement: { receiveInterruptShare: Float64Array.from([0.5, 0, 0, 0, 0, 0, 0, 0]) },
        runqueueWait: { draw: () => 10_000, wallClock },
      });
      env.schedule(1_000_000, () => produce(0));
      env.run(10_000_000);
      return passes[0]!.at - 1_000_000;
    };
    const none = rig({ pick: () => 0, placement: { receiveInterruptShare: Float64Array.from([0.5, 0, 0, 0, 0, 0, 0, 0]) } });
    none.env.schedule(1_000_000, () => none.produce(0));
    none.env.run(10_000_000);
    const switchOnly = none.passes[0]!.at - 1_000_000;
    expect(wokenAt(false)).toBeCloseTo(switchOnly + 10_000 / (1 - 0.5), 6);
    expect(wokenAt(true)).toBeCloseTo(switchOnly + 10_000, 6);
  });

  it("without IRQ time accounting the stretch is billed to the reader; with it, only its own work is", () => {
    const calm = oneRecord({ receive: 0 });
    const billed = oneRecord({ receive: 0.5 });
    const accounted = oneRecord({ receive: 0.5, irqTimeAccounting: true });
    // its own work is the same in all three: switch in 1500 + pass (800 + 500) + switch out 1500 + epoll_wait 800
    expect(calm.agentCpuNs).toBe(5100);
    expect(billed.agentCpuNs).toBe(5100);
    expect(accounted.agentCpuNs).toBe(5100);
    expect(calm.agentBilledNs).toBe(5100);
    // at half the CPU in interrupts every ns of its own work took two on its clock
    expect(billed.agentBilledNs).toBeCloseTo(2 * 5100, 6);
    expect(accounted.agentBilledNs).toBe(5100);
  });

  it("under a quota the interrupt stretch comes out of the quota only without IRQ time accounting", () => {
    const period = 100_000_000;
    const q1 = new CfsBandwidth(10_000_000, period);
    const q2 = new CfsBandwidth(10_000_000, period);
    oneRecord({ receive: 0.5, quota: q1 });
    oneRecord({ receive: 0.5, irqTimeAccounting: true, quota: q2 });
    const used1 = q1.usedAfter(0);
    const used2 = q2.usedAfter(0);
    expect(used2).toBeCloseTo(5100, 6);
    expect(used1).toBeCloseTo(2 * 5100, 6);
  });
});
