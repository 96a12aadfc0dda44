import { describe, expect, it } from "vitest";
import { Environment } from "../../src/engine/index.ts";
import { CAT, CpuLedger } from "../../src/accounting/cpu-ledger.ts";
import { Topology } from "../../src/hardware/topology.ts";
import { perfRecordBytes } from "../../src/kernel/perf-event-array.ts";
import { wakeupPathCosts } from "../../src/kernel/virtualisation.ts";
import { loadCalibration, loadHardware } from "../../src/models/load.ts";
import type { ToolProfile } from "../../src/models/types.ts";
import { agentBuffer, PerfAgentBuffer, RingbufAgentBuffer, SHIPPED_RESERVATION_LINES, type AgentBufferContext } from "../../src/node/agent-buffer.ts";
import { costsFrom } from "../../src/node/costs.ts";

const hw = loadHardware("azure-d32s-v5");
const cal = loadCalibration("literature");
const costs = costsFrom(cal);

function ctx(buffer: ToolProfile["buffer"], over: Partial<AgentBufferContext> = {}) {
  const env = new Environment();
  const topo = new Topology(hw);
  const ledger = new CpuLedger(hw.vcpus);
  const notified: number[] = [];
  const c: AgentBufferContext = {
    env,
    topo,
    ledger,
    costs,
    path: wakeupPathCosts(hw, costs, false),
    buffer,
    recordBytes: 120,
    scanAllRings: false,
    readerNsPerRecord: costs.consumeNs,
    onRecord: () => {},
    windowOn: () => true,
    notify: (cpu) => notified.push(cpu),
    ...over,
  };
  return { c, env, topo, ledger, notified };
}

const RB: ToolProfile["buffer"] = { kind: "ringbuf", bytes: 1 << 20, wakeup: "no_wakeup" };
const PERF: ToolProfile["buffer"] = { kind: "perf", pagesPerCpu: 64, wakeupEvents: 1 << 20 };

describe("agentBuffer: two plain classes behind one interface", () => {
  it("picks the class by buffer kind", () => {
    expect(agentBuffer(ctx(PERF).c)).toBeInstanceOf(PerfAgentBuffer);
    expect(agentBuffer(ctx(RB).c)).toBeInstanceOf(RingbufAgentBuffer);
  });

  it("emit, irqDueAt, buffered and lostTotal work detached (the node model takes emit off the object)", () => {
    for (const b of [PERF, RB]) {
      const buf = agentBuffer(ctx(b).c);
      const { emit, buffered, lostTotal, irqDueAt } = buf;
      expect(emit(1, 0)).toBeGreaterThan(0);
      expect(buffered()).toBe(1);
      expect(lostTotal()).toBe(0);
      expect(irqDueAt(1)).toBe(-1); // no wakeup requested
      expect(buf.attempted).toBe(1);
      expect(buf.outputsWindow).toBe(1);
    }
  });
});

describe("RingbufAgentBuffer: what a producing CPU pays and where it is charged", () => {
  it("uncontended, same CPU: the output path plus the local critical section", () => {
    const { c, ledger } = ctx(RB);
    const b = new RingbufAgentBuffer(c, RB as never);
    b.emit(2, 0);
    const ns = b.emit(2, 1000);
    expect(ns).toBeCloseTo(costs.ringbufOutputNs + costs.ringbufLockHoldNs, 9);
    expect(ledger.categoryOn(2, CAT.lockSpin)).toBeCloseTo(2 * costs.ringbufLockHoldNs, 9);
  });

  it("the next CPU pays the lines it pulls from the last owner, charged as cache-line traffic", () => {
    const { c, ledger } = ctx(RB);
    const b = new RingbufAgentBuffer(c, RB as never);
    b.emit(2, 0);
    const ns = b.emit(3, 1000);
    const lines = b.lock.linesOnPath(0);
    expect(ns).toBeCloseTo(costs.ringbufOutputNs + costs.ringbufLockHoldNs + lines * hw.cacheLineTransferNs.sameLlc, 9);
    expect(ledger.categoryOn(3, CAT.cacheLines)).toBeCloseTo(lines * hw.cacheLineTransferNs.sameLlc, 9);
  });

  it("everything a producer is charged is what emit returns (no wakeups requested)", () => {
    const { c, ledger } = ctx(RB);
    const b = new RingbufAgentBuffer(c, RB as never);
    const spent = new Float64Array(hw.vcpus);
    let at = 0;
    for (let i = 0; i < 500; i++) {
      const cpu = (i * 7) % 12;
      at += (i * 13) % 40;
      spent[cpu] += b.emit(cpu, at);
    }
    for (let cpu = 0; cpu < 12; cpu++) expect(ledger.cpuTotal(cpu)).toBeCloseTo(spent[cpu], 6);
  });

  it("the default lock is the rqspinlock with the shipped line counts", () => {
    const b = new RingbufAgentBuffer(ctx(RB).c, RB as never);
    expect(b.lock.kind).toBe("rqspinlock");
    expect(b.lock.linesOnPath(0)).toBe(
      SHIPPED_RESERVATION_LINES.lines.lockWordUncontended + SHIPPED_RESERVATION_LINES.lines.producerPos + SHIPPED_RESERVATION_LINES.lines.previousHeader,
    );
  });

  it("a reservation that finds the ring full pays the lock and ringbufLostOutputNs, no output path", () => {
    const tiny = { kind: "ringbuf", bytes: 4096, wakeup: "no_wakeup" } as ToolProfile["buffer"];
    const { c, ledger } = ctx(tiny);
    const b = new RingbufAgentBuffer(c, tiny as never);
    const fits = b.rb.capacityRecords;
    let last = 0;
    for (let i = 0; i <= fits; i++) last = b.emit(2, i * 1000);
    expect(b.lostTotal()).toBe(1);
    expect(last).toBeCloseTo(costs.ringbufLostOutputNs + costs.ringbufLockHoldNs, 9);
    expect(ledger.categoryOn(2, CAT.recordOutput)).toBeCloseTo(fits * costs.ringbufOutputNs + costs.ringbufLostOutputNs, 6);
  });

  it("after a drain the next reservation reads consumer_pos back from the reader's CPU, once", () => {
    const { c } = ctx(RB);
    const b = new RingbufAgentBuffer(c, RB as never);
    for (let i = 0; i < 10; i++) b.emit(1, i * 1000);
    const d = b.source.drain(0, 20_000);
    d.finish(20_000 + d.workNs);
    const base = costs.ringbufOutputNs + costs.ringbufLockHoldNs;
    expect(b.emit(1, 30_000)).toBeCloseTo(base + hw.cacheLineTransferNs.sameLlc, 9);
    expect(b.emit(1, 31_000)).toBeCloseTo(base, 9);
  });
});

describe("PerfAgentBuffer: per-CPU rings", () => {
  it("no lock: a producer pays the output path only, whatever the other CPUs do", () => {
    const { c } = ctx(PERF);
    const b = new PerfAgentBuffer(c, PERF as never);
    for (let i = 0; i < 20; i++) expect(b.emit(i % 4, i)).toBe(costs.perfOutputNs);
  });

  it("an output that finds its ring full costs perfLostOutputNs and raises no wakeup", () => {
    const tiny = { kind: "perf", pagesPerCpu: 1, wakeupEvents: 1 } as ToolProfile["buffer"];
    const { c, ledger } = ctx(tiny);
    const b = new PerfAgentBuffer(c, tiny as never);
    const fits = Math.floor(4096 / perfRecordBytes(120));
    const spent: number[] = [];
    for (let i = 0; i < fits + 5; i++) spent.push(b.emit(1, i * 10));
    expect(b.lostTotal()).toBe(5);
    for (const ns of spent.slice(fits)) expect(ns).toBe(costs.perfLostOutputNs);
    expect(ledger.categoryOn(1, CAT.recordOutput)).toBeCloseTo(fits * costs.perfOutputNs + 5 * costs.perfLostOutputNs, 6);
    expect(costs.perfLostOutputNs).toBeLessThan(costs.perfOutputNs);
  });

  it("after a drain the control line comes back from the reader's CPU once", () => {
    const { c } = ctx({ ...PERF, wakeupEvents: 1 } as ToolProfile["buffer"]);
    const b = new PerfAgentBuffer(c, { ...PERF, wakeupEvents: 1 } as never);
    b.emit(1, 0);
    const d = b.source.drain(0, 10);
    d.finish(10 + d.workNs);
    const first = b.emit(1, 5000);
    expect(first).toBeGreaterThanOrEqual(costs.perfOutputNs + hw.cacheLineTransferNs.sameLlc);
  });
});
