/**
 * One discrete-event run of a node with an agent: traffic arrives on each RX queue's CPU, crosses
 * the TC hooks, the parser emits records into perf buffers or a ring buffer, irq_work defers the
 * wakeups, and the reader drains. The run is driven at given per-queue throughputs; it measures what
 * the agent costs each CPU per second and what the buffers and the reader did.
 *
 * Modelling choices (for speed, documented): one engine event per skb arrival on each queue (the
 * skb's records are emitted in a plain loop inside it), one per irq_work and one per reader pass.
 * Softirq queueing of skbs is not simulated: CPU capacity is the throughput solver's job
 * (throughput.ts), this run measures costs and timing. Records of one skb reserve the ring buffer
 * lock back to back, as one softirq pass does.
 */
import { Environment, Histogram, RandomStreams, exponential, burstyOnOff, type Distribution } from "../engine/index.ts";
import type { HardwareProfile, PerfBufferSettings, RingbufSettings, ToolProfile, Workload } from "../models/types.ts";
import { CAT, CpuLedger } from "../kernel/cpu-ledger.ts";
import { Topology } from "../kernel/topology.ts";
import { PerfEventArray, LOST, STORED_WAKEUP } from "../kernel/perf-event-array.ts";
import { Ringbuf } from "../kernel/ringbuf.ts";
import { IrqWork } from "../kernel/irq-work.ts";
import { CfsBandwidth, throttledWithin } from "../kernel/cfs-bandwidth.ts";
import { EpollReader, type DrainSource } from "../kernel/epoll-reader.ts";
import { wakeTargetPicker } from "../kernel/scheduler.ts";
import type { RxQueues } from "../kernel/rx-queues.ts";
import { wakeupPathCosts } from "../kernel/virtualisation.ts";
import type { Costs } from "./costs.ts";
import type { AgentPlacement } from "./placement.ts";
import { goSchedulerSearchNs } from "../kernel/go-runtime.ts";

export interface NodeRunInput {
  hw: HardwareProfile;
  tool: ToolProfile;
  placement: AgentPlacement;
  workload: Workload;
  costs: Costs;
  /** The calibration's wakeup costs already include VM exits (measured in a VM). @defaultValue false */
  calibratedInVm?: boolean;
  queues: RxQueues;
  /** Throughput carried by each queue, bytes per second. */
  queueBytesPerS: Float64Array;
  seed: number;
  durationNs: number;
  warmupNs: number;
}

export interface NodeRunOutput {
  windowNs: number;
  ledger: CpuLedger;
  /** Over the measured window. */
  outputs: number; // bpf_*_output calls
  lost: number;
  wakeups: number; // perf_event_wakeup / ringbuf irq_work runs
  readerWakeups: number; // reader woken from sleep
  contextSwitches: number;
  agentCpuNs: number;
  throttledNs: number;
  latency: Histogram;
  /** Over the whole run, for conservation: attempted = consumed + lost + buffered. */
  totals: { attempted: number; consumed: number; lost: number; buffered: number };
}

export function runNode(input: NodeRunInput): NodeRunOutput {
  const { hw, tool, placement, workload, costs, queues } = input;
  const env = new Environment({ initialCapacity: 4096 });
  const streams = new RandomStreams(input.seed);
  const topo = new Topology(hw);
  const cpus = hw.vcpus;
  const ledger = new CpuLedger(cpus);
  const latency = new Histogram(64);
  const path = wakeupPathCosts(hw, costs, input.calibratedInVm ?? false);

  const progNs = costs.bpfProgramNs * tool.programCostFactor;
  // with a channel, the reader only consumes and the workers decode; without, the reader does both
  const decodeNs = costs.consumeNs * tool.reader.decodeCostFactor;
  const readerNsPerRecord = tool.reader.channel ? costs.consumeNs : decodeNs;
  const sampling = tool.sampling;
  const skbBytes = workload.mssBytes * workload.groSegments;
  const quota =
    placement.kind === "limited" ? new CfsBandwidth(placement.cpuLimit * placement.cfsPeriodNs, placement.cfsPeriodNs) : null;
  const dedicatedCpu = placement.kind === "pinned" ? placement.dedicatedCpu : -1;

  let windowOn = input.warmupNs === 0;
  let attempted = 0;
  let consumedTotal = 0;
  let outputs = 0;
  let lostWindow = 0;
  let wakeups = 0;
  // A record of an skb still being processed when the reader drains (its stamp is later than the
  // drain's start, as the skb's records are emitted in one loop) counts as delivered at once.
  const onRecord = (lat: number) => {
    if (windowOn) latency.add(lat > 0 ? lat : 0);
  };

  // ---- the buffer, its irq_work items and the reader's view of it ----
  let emit: (cpu: number, at: number) => number; // returns ns the producing CPU spent
  let source: DrainSource;
  let irq: IrqWork;
  let bufferedNow: () => number;
  let lostTotal: () => number;
  let reader: EpollReader;

  const charge = (cpu: number, from: number, ns: number) => {
    // a cache-line transfer: local or remote NUMA
    if (ns > 0) ledger.charge(cpu, topo.isRemote(from, cpu) ? CAT.remoteNuma : CAT.cacheLines, ns);
  };

  const irqRun = (item: number) => {
    irq.run(item);
    if (windowOn) wakeups++;
    const cpu = irqCpu[item];
    ledger.charge(cpu, CAT.wakeups, costs.wakeupNs);
    reader.notify(cpu);
  };
  const irqCpu = new Int32Array(cpus); // CPU on which each irq_work item was raised

  if (tool.buffer.kind === "perf") {
    const perf = new PerfEventArray(cpus, tool.buffer as PerfBufferSettings, tool.recordBytes);
    irq = new IrqWork(cpus);
    const ready: number[] = [];
    const scanAll = tool.reader.scanAllRings;
    const recNs = readerNsPerRecord;
    let readerCpuNow = 0;
    emit = (cpu, at) => {
      attempted++;
      if (windowOn) outputs++;
      let ns = costs.perfOutputNs;
      ledger.charge(cpu, CAT.recordOutput, costs.perfOutputNs);
      if (perf.lineAtReader[cpu] === 1) {
        const t = topo.transferNs(readerCpuNow, cpu);
        charge(cpu, readerCpuNow, t);
        ns += t;
        perf.lineAtReader[cpu] = 0;
      }
      const r = perf.output(cpu, at);
      if (r === LOST) {
        if (windowOn) lostWindow++;
        return ns;
      }
      if (r === STORED_WAKEUP) {
        if (perf.pollReady[cpu] === 0) {
          perf.pollReady[cpu] = 1;
          ready.push(cpu);
        }
        if (irq.queue(cpu)) {
          irqCpu[cpu] = cpu;
          ledger.charge(cpu, CAT.wakeups, path.irqWorkRaiseNs);
          ns += path.irqWorkRaiseNs;
          env.schedule(at - env.now + ns + path.irqWorkLatencyNs, irqRun, cpu);
        }
      }
      return ns;
    };
    source = {
      anyReady: () => ready.length > 0 || (scanAll && anyBuffered()),
      drain: (readerCpu, _now) => {
        readerCpuNow = readerCpu;
        const rings: number[] = [];
        if (scanAll) {
          for (let c = 0; c < cpus; c++) rings.push(c);
        } else rings.push(...ready);
        let work = 0;
        let remote = 0;
        let records = 0;
        for (const c of rings) {
          work += costs.ringCheckNs;
          const line = perf.lineAtReader[c] === 1 ? 0 : topo.transferNs(c, readerCpu);
          const n = perf.buffered(c);
          const data = n * topo.transferNs(c, readerCpu);
          work += line + data + n * recNs;
          if (topo.isRemote(c, readerCpu)) remote += line + data;
          records += n;
        }
        return {
          records,
          workNs: work,
          remoteNs: remote,
          finish: (doneAt: number) => {
            for (const c of rings) {
              perf.pollReady[c] = 0;
              perf.lineAtReader[c] = 1; // data_tail written
              consumedTotal += perf.consumeAll(c, doneAt, onRecord);
            }
            ready.length = 0;
          },
        };
      },
    };
    const anyBuffered = () => {
      for (let c = 0; c < cpus; c++) if (perf.buffered(c) > 0) return true;
      return false;
    };
    bufferedNow = () => {
      let s = 0;
      for (let c = 0; c < cpus; c++) s += perf.buffered(c);
      return s;
    };
    lostTotal = () => perf.lost.reduce((a, b) => a + b, 0);
  } else {
    const rb = new Ringbuf(cpus, tool.buffer as RingbufSettings, tool.recordBytes);
    irq = new IrqWork(rb.rings);
    const recNs = readerNsPerRecord;
    emit = (cpu, at) => {
      attempted++;
      if (windowOn) outputs++;
      const r = rb.ringOf(cpu);
      // spin until the queued lock reaches us; the lock and producer_pos lines come to this CPU
      const acquire = Math.max(at, rb.lockFreeAt[r]);
      const spin = acquire - at;
      const prev = rb.lastOwner[r];
      const handoff = prev === cpu ? 0 : 2 * topo.transferNs(prev, cpu);
      let consLine = 0;
      if (rb.consLineAt[r] >= 0) {
        consLine = topo.transferNs(rb.consLineAt[r], cpu);
        charge(cpu, rb.consLineAt[r], consLine);
        rb.consLineAt[r] = -1;
      }
      const hold = costs.ringbufLockHoldNs + handoff + consLine;
      rb.lockFreeAt[r] = acquire + hold;
      rb.lastOwner[r] = cpu;
      ledger.charge(cpu, CAT.lockSpin, spin + costs.ringbufLockHoldNs);
      charge(cpu, prev < 0 ? cpu : prev, handoff);
      ledger.charge(cpu, CAT.recordOutput, costs.ringbufOutputNs);
      let ns = spin + hold + costs.ringbufOutputNs;
      const c = rb.commit(r, acquire + hold);
      if (c < 0) {
        if (windowOn) lostWindow++;
        return ns;
      }
      if (c === 1 && irq.queue(r)) {
        irqCpu[r] = cpu;
        ledger.charge(cpu, CAT.wakeups, path.irqWorkRaiseNs);
        ns += path.irqWorkRaiseNs;
        env.schedule(at - env.now + ns + path.irqWorkLatencyNs, irqRun, r);
      }
      return ns;
    };
    source = {
      anyReady: () => {
        for (let r = 0; r < rb.rings; r++) if (rb.buffered(r) > 0) return true;
        return false;
      },
      drain: (readerCpu, _now) => {
        let work = 0;
        let remote = 0;
        let records = 0;
        for (let r = 0; r < rb.rings; r++) {
          const n = rb.buffered(r);
          work += costs.ringCheckNs;
          if (n === 0) continue;
          const from = rb.lastOwner[r] < 0 ? readerCpu : rb.lastOwner[r];
          const t = topo.transferNs(from, readerCpu);
          const moved = t + n * t; // producer_pos line + record lines from their writer
          work += moved + n * recNs;
          if (topo.isRemote(from, readerCpu)) remote += moved;
          records += n;
        }
        return {
          records,
          workNs: work,
          remoteNs: remote,
          finish: (doneAt: number) => {
            for (let r = 0; r < rb.rings; r++) {
              if (rb.buffered(r) === 0) continue;
              consumedTotal += rb.consumeAll(r, doneAt, onRecord);
              rb.consLineAt[r] = readerCpu;
            }
          },
        };
      },
    };
    bufferedNow = () => {
      let s = 0;
      for (let r = 0; r < rb.rings; r++) s += rb.buffered(r);
      return s;
    };
    lostTotal = () => rb.lost.reduce((a, b) => a + b, 0);
  }

  reader = new EpollReader(
    env,
    source,
    {
      contextSwitchNs: costs.contextSwitchNs,
      cachePollutionNs: costs.cachePollutionNs,
      epollWaitNs: costs.epollWaitNs,
      wakeupNs: costs.wakeupNs,
      ipiTotalNs: path.ipiTotalNs,
      ipiSenderNs: path.ipiSenderNs,
      channelHandoffNs: costs.channelHandoffNs,
      workerNsPerRecord: decodeNs,
      runtimeSearchNs: goSchedulerSearchNs(tool, placement, topo),
    },
    {
      dedicatedCpu,
      ownsCpu: placement.kind === "pinned" && placement.exclusive,
      quota,
      channel: tool.reader.channel ? { workers: tool.reader.channel.workers } : null,
    },
    topo,
    ledger,
    wakeTargetPicker(topo, streams.stream("scheduler"), dedicatedCpu),
  );

  // ---- traffic: skb arrivals on each queue's CPU ----
  const hooksIn = tool.hooksPerPacket.ingress;
  const hooksOut = tool.hooksPerPacket.egress;
  const nq = queues.cpuOf.length;
  const gaps: (Distribution | null)[] = [];
  const ackAcc = new Float64Array(nq);
  const sampleCount = new Int32Array(cpus);
  for (let q = 0; q < nq; q++) {
    const rate = input.queueBytesPerS[q] / skbBytes / 1e9; // skbs per ns
    if (!(rate > 0)) {
      gaps.push(null);
      continue;
    }
    const rng = streams.stream(`queue${q}/arrivals`);
    const a = workload.arrivals;
    if (a.kind === "poisson") gaps.push(exponential(rng, 1 / rate));
    else {
      const on = a.onMs * 1e6;
      const off = a.offMs * 1e6;
      gaps.push(burstyOnOff(rng, (rate * (on + off)) / on, on, off));
    }
  }
  const hook = (cpu: number, at: number): number => {
    // one TC program run; a sampled packet emits one record
    ledger.charge(cpu, CAT.bpfProgram, progNs);
    let ns = progNs;
    if (++sampleCount[cpu] >= sampling) {
      sampleCount[cpu] = 0;
      ns += emit(cpu, at + ns);
    }
    return ns;
  };
  const arrive = (q: number) => {
    const cpu = queues.cpuOf[q];
    let t = env.now;
    for (let h = 0; h < hooksIn; h++) t += hook(cpu, t);
    ackAcc[q] += 1;
    if (ackAcc[q] >= workload.skbsPerAck) {
      ackAcc[q] -= workload.skbsPerAck;
      for (let h = 0; h < hooksOut; h++) t += hook(cpu, t);
    }
    env.schedule(gaps[q]!.sample(), arrive, q);
  };
  for (let q = 0; q < nq; q++) if (gaps[q] !== null) env.schedule(gaps[q]!.sample(), arrive, q);

  // ---- warm-up removal, then the measured window ----
  let throttledAtWarmup = 0;
  if (input.warmupNs > 0) {
    env.schedule(input.warmupNs, () => {
      windowOn = true;
      ledger.reset();
      reader.resetCounters();
      // a throttle in progress at the end of warm-up counts from here on
      if (quota) throttledAtWarmup = quota.throttledNs - Math.max(0, quota.throttledUntil - env.now);
    });
  }
  env.run(input.durationNs);

  return {
    windowNs: input.durationNs - input.warmupNs,
    ledger,
    outputs,
    lost: lostWindow,
    wakeups,
    readerWakeups: reader.wakeupsFromSleep,
    contextSwitches: reader.contextSwitches,
    agentCpuNs: reader.agentCpuNs,
    throttledNs: quota ? throttledWithin(quota, throttledAtWarmup, input.durationNs) : 0,
    latency,
    totals: { attempted, consumed: consumedTotal, lost: lostTotal(), buffered: bufferedNow() },
  };
}
