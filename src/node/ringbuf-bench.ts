/**
 * A simulated twin of the kernel's BPF ring buffer benchmark
 * (tools/testing/selftests/bpf/benchs/bench_ringbufs.c, run by run_bench_ringbufs.sh): N producer CPUs
 * emit records back to back through one shared ring buffer or their per-CPU perf buffers, while one
 * consumer drains them; the answer is records per second through each.
 *
 * As in the selftest (models/benchmarks/ringbuf-selftest.json): an 8-byte sample (a 16-byte record),
 * a 512 KiB ring buffer and 128 pages per CPU of perf buffer; the consumer on CPU 0 and the producers
 * on CPUs 1..N (`-a`); each producer's program emits `batchCnt` records per trigger (one getpgid
 * syscall). Without `sampled` the ring buffer notifies by its default rule (only when the consumer
 * has caught up) and the perf buffer wakes on every record (wakeup_events = 1). With `sampled` = n
 * the ring buffer outputs with BPF_RB_NO_WAKEUP and forces a wakeup when n records are available
 * (the program's get_flags()), the perf buffer sets wakeup_events = n.
 *
 * The consumer is rb-libbpf's (libbpf's ring_buffer manager), as in the multi-producer sweep. Not
 * modelled: the difference between rb-libbpf (consumer_pos published after every record) and rb-custom
 * (once per batch). Per-record publication would make every reservation during a drain pull the
 * consumer_pos line back, yet T3 shows rb-libbpf's producers no slower for it (parallel: rb-libbpf
 * 43.1 M/s, rb-custom 20.3 M/s), so the model charges producers that line once per drain for both,
 * and the consumers' own loops, which T3 shows do differ, are one cost per record (consumeNs).
 *
 * A producer's own cost per record is `producerRecordNs` (default: the calibration's ringbufOutputNs,
 * i.e. the output path measured on the calibration's host) plus `triggerNs` per batch; the lock's
 * critical section and the cache lines it moves come from src/kernel/ringbuf.ts with the hardware
 * profile's transfer times. Nothing in it is random, so one run is the answer: no interval.
 */
import { Environment } from "../engine/index.ts";
import type { CalibrationFile, HardwareProfile, ToolProfile } from "../models/types.ts";
import { CpuLedger } from "../accounting/cpu-ledger.ts";
import { Topology } from "../hardware/topology.ts";
import { EpollReader } from "../agent/epoll-reader.ts";
import type { RingbufLockKind } from "../kernel/ringbuf.ts";
import { wakeupPathCosts } from "../kernel/virtualisation.ts";
import { agentBuffer, readerCosts, SHIPPED_RESERVATION_LINES } from "./agent-buffer.ts";
import { calibratedInVm, calibrationVmExitNs, costsFrom, ScenarioError, type Costs } from "./costs.ts";
import selftestFile from "../../models/benchmarks/ringbuf-selftest.json" with { type: "json" };

/** The selftest's parameters (models/benchmarks/ringbuf-selftest.json). */
export const SELFTEST = {
  sampleBytes: selftestFile.sampleBytes,
  ringbufBytes: selftestFile.ringbufBytes,
  perfPagesPerCpu: selftestFile.perfPagesPerCpu,
  batchCnt: selftestFile.batchCnt,
  multiProducerBatchCnt: selftestFile.multiProducerBatchCnt,
  sampleRate: selftestFile.sampleRate,
  consumerCpu: selftestFile.consumerCpu,
} as const;

export interface RingbufBenchOptions {
  /** Producer CPUs (1 ..< the node's vCPUs: CPU 0 runs the consumer). */
  producers: number;
  /**
   * Sample rate n (ring buffer: NO_WAKEUP, FORCE_WAKEUP once n records are available; perf:
   * wakeup_events = n). Omitted: the default notification rules.
   */
  sampled?: number;
  /** Records per trigger (--rb-batch-cnt). @defaultValue 500 (the multi-producer sweep uses 50) */
  batchCnt?: number;
  /** Sample bytes per record. @defaultValue 8 */
  sampleBytes?: number;
  /** @defaultValue 524288 (the selftest's ringbuf_sz) */
  ringbufBytes?: number;
  /** @defaultValue 128 (the selftest's perfbuf_sz) */
  perfPagesPerCpu?: number;
  /** ns a producer spends per record outside the lock. @defaultValue the calibration's ringbufOutputNs */
  producerRecordNs?: number;
  /** ns per trigger (syscall + program entry), once per batch. @defaultValue 0 (folded into producerRecordNs) */
  triggerNs?: number;
  /** @defaultValue "rqspinlock" (kernels from v6.15) */
  lockKind?: RingbufLockKind;
  /**
   * Whether the kernel's reservation has the pending loop (cfa1a2329a69, v6.10 and the July 2024
   * stable backports) or predates it (kernel/ringbuf.ts, step 3). @defaultValue true
   */
  pendingLoop?: boolean;
  /** Also run the perf buffer. @defaultValue true */
  perf?: boolean;
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
  lockKind: RingbufLockKind;
  pendingLoop: boolean;
  sampled: number | null;
  ringbuf: BufferBenchResult;
  perfbuf: BufferBenchResult | null;
  options: {
    durationS: number;
    ringbufBytes: number;
    perfPagesPerCpu: number;
    sampleBytes: number;
    batchCnt: number;
    producerRecordNs: number;
    triggerNs: number;
  };
}

function checkInt(field: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new ScenarioError(`ringbuf-bench: ${field} = ${v}: must be an integer in [${lo}, ${hi}]`);
  }
}

function checkNs(field: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0 && v <= 1e9)) throw new ScenarioError(`ringbuf-bench: ${field} = ${v}: must be ns in [0, 1e9]`);
}

type Resolved = Required<Omit<RingbufBenchOptions, "sampled">> & { sampled: number | undefined };

function benchTool(kind: "ringbuf" | "perf", o: Resolved): ToolProfile {
  const buffer: ToolProfile["buffer"] =
    kind === "ringbuf"
      ? { kind: "ringbuf", bytes: o.ringbufBytes, wakeup: o.sampled === undefined ? "default" : "no_wakeup" }
      : { kind: "perf", pagesPerCpu: o.perfPagesPerCpu, wakeupEvents: o.sampled ?? 1 };
  return {
    name: `bench-${kind}`,
    description: "selftest-style producer",
    buffer,
    recordBytes: o.sampleBytes,
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

function runOnce(hw: HardwareProfile, cal: CalibrationFile, costs: Costs, tool: ToolProfile, o: Resolved): RunOut {
  const env = new Environment();
  const topo = new Topology(hw);
  const ledger = new CpuLedger(hw.vcpus);
  const path = wakeupPathCosts(hw, costs, calibratedInVm(cal), calibrationVmExitNs(cal));
  const durationNs = o.durationS * 1e9;
  const warmupNs = durationNs / 10;
  let windowOn = false;
  let consumedInWindow = 0;
  let reader: EpollReader | null = null;
  const ringbuf = tool.buffer.kind === "ringbuf";
  // the ring buffer's output path is producerRecordNs in all: the calibration's ringbufOutputNs is replaced
  const benchCosts: Costs = ringbuf ? { ...costs, ringbufOutputNs: o.producerRecordNs } : costs;
  const buffer = agentBuffer({
    env,
    topo,
    ledger,
    costs: benchCosts,
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
    ringbufLock: { kind: o.lockKind, lines: SHIPPED_RESERVATION_LINES, pendingLoop: o.pendingLoop },
    forceWhenAvailRecords: o.sampled,
  });
  const consumerCpu = SELFTEST.consumerCpu;
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
  const inBatch = new Int32Array(hw.vcpus);
  const produce = (cpu: number) => {
    // back to back: the next record starts when this one's output path is done; a trigger per batch
    let ns = buffer.emit(cpu, env.now);
    if (++inBatch[cpu] >= o.batchCnt) {
      inBatch[cpu] = 0;
      ns += o.triggerNs;
    }
    if (windowOn) producerNs += ns;
    env.schedule(ns > 0 ? ns : 1, produce, cpu);
  };
  for (let p = 1; p <= o.producers; p++) env.schedule(0, produce, consumerCpu + p);
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
 * Runs the benchmark on `hw` (it needs producers + 1 vCPUs) with the calibration's costs.
 * @throws ScenarioError naming the option and its value when one is out of range.
 */
export function ringbufBench(hw: HardwareProfile, cal: CalibrationFile, options: RingbufBenchOptions): RingbufBenchResult {
  checkInt("producers", options.producers, 1, hw.vcpus - 1);
  if (options.sampled !== undefined) checkInt("sampled", options.sampled, 1, 1_000_000);
  if (options.pendingLoop !== undefined && typeof options.pendingLoop !== "boolean") {
    throw new ScenarioError(`ringbuf-bench: pendingLoop = ${JSON.stringify(options.pendingLoop)}: must be true or false`);
  }
  if (options.lockKind !== undefined && options.lockKind !== "qspinlock" && options.lockKind !== "rqspinlock") {
    throw new ScenarioError(`ringbuf-bench: lockKind = ${JSON.stringify(options.lockKind)}: must be "qspinlock" or "rqspinlock"`);
  }
  const costs = costsFrom(cal);
  const o: Resolved = {
    producers: options.producers,
    sampled: options.sampled,
    batchCnt: options.batchCnt ?? SELFTEST.batchCnt,
    sampleBytes: options.sampleBytes ?? SELFTEST.sampleBytes,
    ringbufBytes: options.ringbufBytes ?? SELFTEST.ringbufBytes,
    perfPagesPerCpu: options.perfPagesPerCpu ?? SELFTEST.perfPagesPerCpu,
    producerRecordNs: options.producerRecordNs ?? costs.ringbufOutputNs,
    triggerNs: options.triggerNs ?? 0,
    lockKind: options.lockKind ?? "rqspinlock",
    pendingLoop: options.pendingLoop ?? true,
    perf: options.perf ?? true,
    durationS: options.durationS ?? 0.005,
  };
  checkInt("batchCnt", o.batchCnt, 1, 1_000_000);
  checkInt("sampleBytes", o.sampleBytes, 1, 1 << 20);
  checkInt("ringbufBytes", o.ringbufBytes, 4096, 2 ** 32);
  if ((o.ringbufBytes & (o.ringbufBytes - 1)) !== 0) {
    throw new ScenarioError(`ringbuf-bench: ringbufBytes = ${o.ringbufBytes}: must be a power of two`);
  }
  checkInt("perfPagesPerCpu", o.perfPagesPerCpu, 1, 1 << 16);
  checkNs("producerRecordNs", o.producerRecordNs);
  checkNs("triggerNs", o.triggerNs);
  if (!(o.durationS > 0 && o.durationS <= 10)) {
    throw new ScenarioError(`ringbuf-bench: durationS = ${o.durationS}: must be in (0, 10] seconds`);
  }
  const one = (kind: "ringbuf" | "perf"): BufferBenchResult => {
    const r = runOnce(hw, cal, costs, benchTool(kind, o), o);
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
    lockKind: o.lockKind,
    pendingLoop: o.pendingLoop,
    sampled: o.sampled ?? null,
    ringbuf: one("ringbuf"),
    perfbuf: o.perf ? one("perf") : null,
    options: {
      durationS: o.durationS,
      ringbufBytes: o.ringbufBytes,
      perfPagesPerCpu: o.perfPagesPerCpu,
      sampleBytes: o.sampleBytes,
      batchCnt: o.batchCnt,
      producerRecordNs: o.producerRecordNs,
      triggerNs: o.triggerNs,
    },
  };
}

export interface LoaderTestRunResult {
  hardware: string;
  calibration: string;
  producers: number;
  /** Mean ns per BPF_PROG_TEST_RUN run, over the producers (the loader's ns_per_run_mean). */
  nsPerRunMean: number;
  /** Records per second through the ring buffer, all producers together. */
  recordsPerS: number;
}

/**
 * The twin of `bpfsim-loader --test-run --mode ringbuf --producers P` (bpf/loader.c): P threads, thread
 * i pinned to CPU i, each running the parser program back to back on one synthetic packet with
 * BPF_PROG_TEST_RUN; each run is the program (the calibration's bpfProgramNs) plus one
 * bpf_ringbuf_output of the parser's record (ringbufOutputNs, and the lock). No consumer runs, so
 * consumer_pos never moves: the ring must hold every record (`ringbufBytes`).
 */
export function loaderTestRun(
  hw: HardwareProfile,
  cal: CalibrationFile,
  o: { producers: number; recordBytes: number; ringbufBytes: number; durationS?: number; lockKind?: RingbufLockKind },
): LoaderTestRunResult {
  checkInt("producers", o.producers, 1, hw.vcpus);
  checkInt("recordBytes", o.recordBytes, 1, 1 << 20);
  const durationS = o.durationS ?? 0.002;
  if (!(durationS > 0 && durationS <= 10)) throw new ScenarioError(`loaderTestRun: durationS = ${durationS}: must be in (0, 10] seconds`);
  const costs = costsFrom(cal);
  const env = new Environment();
  const topo = new Topology(hw);
  const ledger = new CpuLedger(hw.vcpus);
  const path = wakeupPathCosts(hw, costs, calibratedInVm(cal), calibrationVmExitNs(cal));
  const durationNs = durationS * 1e9;
  const warmupNs = durationNs / 10;
  let windowOn = false;
  const buffer = agentBuffer({
    env,
    topo,
    ledger,
    costs,
    path,
    buffer: { kind: "ringbuf", bytes: o.ringbufBytes, wakeup: "default" },
    recordBytes: o.recordBytes,
    scanAllRings: false,
    readerNsPerRecord: costs.consumeNs,
    onRecord: () => {},
    windowOn: () => windowOn,
    notify: () => {},
    ringbufLock: { kind: o.lockKind ?? "rqspinlock", lines: SHIPPED_RESERVATION_LINES },
  });
  let runs = 0;
  let runNs = 0;
  const run = (cpu: number) => {
    // the program parses the packet, then outputs its record
    const ns = costs.bpfProgramNs + buffer.emit(cpu, env.now + costs.bpfProgramNs);
    if (windowOn) {
      runs++;
      runNs += ns;
    }
    env.schedule(ns, run, cpu);
  };
  for (let p = 0; p < o.producers; p++) env.schedule(0, run, p);
  env.schedule(warmupNs, () => {
    windowOn = true;
  });
  env.run(durationNs);
  if (buffer.lostTotal() > 0) {
    throw new ScenarioError(`loaderTestRun: ringbufBytes = ${o.ringbufBytes}: too small, the ring filled (no consumer runs)`);
  }
  return {
    hardware: hw.name,
    calibration: cal.hostClass,
    producers: o.producers,
    nsPerRunMean: runNs / runs,
    recordsPerS: (runs / (durationNs - warmupNs)) * 1e9,
  };
}
