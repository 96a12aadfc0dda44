/**
 * A simulated twin of the kernel's BPF ring buffer selftest benchmark
 * (tools/testing/selftests/bpf/benchs/bench_ringbufs.c): N producer CPUs emit records back to back
 * through one shared ring buffer or their per-CPU perf buffers, while one consumer on another CPU
 * drains them; the answer is records per second through each.
 *
 * As in the selftest: a 512 KiB ring buffer and 128 pages per CPU of perf buffer by default; without
 * `sampled`, the ring buffer notifies by its default rule (only when the consumer has caught up) and
 * the perf buffer wakes on every record (wakeup_events = 1); with `sampled` = n, the ring buffer
 * outputs with BPF_RB_NO_WAKEUP and forces a wakeup every n records, the perf buffer sets
 * wakeup_events = n. Producers pay only the output path (the selftest's program loops on output in
 * batches, so its trigger is amortised); the consumer is pinned to its own CPU (it steals from
 * nobody). Costs come from the calibration, the topology from the hardware profile. Nothing in it is
 * random (producers start together and run back to back), so one run is the answer: no interval.
 */
import { Environment } from "../engine/index.ts";
import type { CalibrationFile, HardwareProfile, ToolProfile } from "../models/types.ts";
import { CpuLedger } from "../kernel/cpu-ledger.ts";
import { Topology } from "../kernel/topology.ts";
import { EpollReader } from "../kernel/epoll-reader.ts";
import { wakeupPathCosts } from "../kernel/virtualisation.ts";
import { agentBuffer, readerCosts } from "./agent-buffer.ts";
import { calibratedInVm, costsFrom, ScenarioError, type Costs } from "./costs.ts";

export interface RingbufBenchOptions {
  /** Producer CPUs (1 ..< the node's vCPUs: one more CPU runs the consumer). */
  producers: number;
  /**
   * Notify every this many records (ring buffer: NO_WAKEUP + FORCE_WAKEUP every n; perf:
   * wakeup_events = n). Omitted: the default notification rules.
   */
  sampled?: number;
  /** @defaultValue 524288 (the selftest's ringbuf_sz) */
  ringbufBytes?: number;
  /** @defaultValue 128 (the selftest's perfbuf_sz) */
  perfPagesPerCpu?: number;
  /** Simulated seconds of the run, the first 10% discarded as warm-up. @defaultValue 0.005 */
  durationS?: number;
}

export interface BufferBenchResult {
  /** Records the consumer received per second (the selftest's "consumer" rate). */
  recordsPerS: number;
  /** Records the producers emitted per second, lost ones included. */
  producedPerS: number;
  lostPerS: number;
  wakeupsPerS: number;
  /** Mean ns a producer spent per record (output path, spinning and wakeups included). */
  producerNsPerRecord: number;
}

export interface RingbufBenchResult {
  hardware: string;
  calibration: string;
  producers: number;
  sampled: number | null;
  ringbuf: BufferBenchResult;
  perfbuf: BufferBenchResult;
  options: { durationS: number; ringbufBytes: number; perfPagesPerCpu: number };
}

const RECORD_BYTES = 120;

function checkInt(field: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new ScenarioError(`ringbuf-bench: ${field} = ${v}: must be an integer in [${lo}, ${hi}]`);
  }
}

function benchTool(kind: "ringbuf" | "perf", o: { sampled?: number; ringbufBytes: number; perfPagesPerCpu: number }): ToolProfile {
  const buffer: ToolProfile["buffer"] =
    kind === "ringbuf"
      ? { kind: "ringbuf", bytes: o.ringbufBytes, wakeup: o.sampled === undefined ? "default" : { forceEvery: o.sampled } }
      : { kind: "perf", pagesPerCpu: o.perfPagesPerCpu, wakeupEvents: o.sampled ?? 1 };
  return {
    name: `bench-${kind}`,
    description: "selftest-style producer",
    buffer,
    recordBytes: RECORD_BYTES,
    hooksPerPacket: { ingress: 1, egress: 0 },
    programCostFactor: 0,
    sampling: 1,
    reader: { scanAllRings: false, decodeCostFactor: 1 },
    sources: [{ what: "bench_ringbufs.c defaults", ref: "tools/testing/selftests/bpf/benchs/bench_ringbufs.c" }],
  };
}

interface RunOut {
  consumed: number;
  produced: number;
  lost: number;
  wakeups: number;
  producerNs: number;
  windowNs: number;
}

function runOnce(hw: HardwareProfile, cal: CalibrationFile, costs: Costs, tool: ToolProfile, producers: number, durationNs: number): RunOut {
  const env = new Environment();
  const topo = new Topology(hw);
  const ledger = new CpuLedger(hw.vcpus);
  const path = wakeupPathCosts(hw, costs, calibratedInVm(cal));
  const warmupNs = durationNs / 10;
  let windowOn = false;
  let consumedInWindow = 0;
  let reader: EpollReader | null = null;
  const buffer = agentBuffer({
    env,
    topo,
    ledger,
    costs,
    path,
    buffer: tool.buffer,
    recordBytes: tool.recordBytes,
    scanAllRings: false,
    readerNsPerRecord: costs.consumeNs,
    onRecord: () => {
      if (windowOn) consumedInWindow++;
    },
    windowOn: () => windowOn,
    notify: (cpu) => reader!.notify(cpu),
  });
  const consumerCpu = producers; // the CPU after the producers'
  reader = new EpollReader(
    env,
    buffer.source,
    readerCosts(costs, path, { channelHandoffNs: 0, workerNsPerRecord: 0, runtimeSearchNs: 0 }),
    { dedicatedCpu: consumerCpu, ownsCpu: true, quota: null, channel: null },
    topo,
    ledger,
    () => consumerCpu,
  );
  let producerNs = 0;
  const produce = (cpu: number) => {
    // back to back: the next record starts when this one's output path is done
    const ns = buffer.emit(cpu, env.now);
    if (windowOn) producerNs += ns;
    env.schedule(ns > 0 ? ns : 1, produce, cpu);
  };
  for (let p = 0; p < producers; p++) env.schedule(0, produce, p);
  env.schedule(warmupNs, () => {
    windowOn = true;
  });
  env.run(durationNs);
  return {
    consumed: consumedInWindow,
    produced: buffer.outputsWindow,
    lost: buffer.lostWindow,
    wakeups: buffer.wakeupsWindow,
    producerNs,
    windowNs: durationNs - warmupNs,
  };
}

/**
 * Runs the microbenchmark on `hw` (it needs producers + 1 vCPUs) with the calibration's costs.
 */
export function ringbufBench(hw: HardwareProfile, cal: CalibrationFile, options: RingbufBenchOptions): RingbufBenchResult {
  checkInt("producers", options.producers, 1, hw.vcpus - 1);
  if (options.sampled !== undefined) checkInt("sampled", options.sampled, 1, 1_000_000);
  const o = {
    producers: options.producers,
    sampled: options.sampled,
    ringbufBytes: options.ringbufBytes ?? 512 * 1024,
    perfPagesPerCpu: options.perfPagesPerCpu ?? 128,
    durationS: options.durationS ?? 0.005,
  };
  if (!(o.durationS > 0 && o.durationS <= 10)) {
    throw new ScenarioError(`ringbuf-bench: durationS = ${o.durationS}: must be in (0, 10] seconds`);
  }
  const costs = costsFrom(cal);
  const one = (kind: "ringbuf" | "perf"): BufferBenchResult => {
    const r = runOnce(hw, cal, costs, benchTool(kind, o), o.producers, o.durationS * 1e9);
    const perS = (n: number) => (n / r.windowNs) * 1e9;
    return {
      recordsPerS: perS(r.consumed),
      producedPerS: perS(r.produced),
      lostPerS: perS(r.lost),
      wakeupsPerS: perS(r.wakeups),
      producerNsPerRecord: r.produced > 0 ? r.producerNs / r.produced : 0,
    };
  };
  return {
    hardware: hw.name,
    calibration: cal.hostClass,
    producers: o.producers,
    sampled: o.sampled ?? null,
    ringbuf: one("ringbuf"),
    perfbuf: one("perf"),
    options: { durationS: o.durationS, ringbufBytes: o.ringbufBytes, perfPagesPerCpu: o.perfPagesPerCpu },
  };
}
