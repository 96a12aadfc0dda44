/**
 * One discrete-event run of a node with an agent: traffic arrives on each RX queue's CPU, crosses
 * the TC hooks, the parser emits records into perf buffers or a ring buffer, irq_work defers the
 * wakeups, and the reader drains. The run is driven at given per-queue throughputs; it measures what
 * the agent costs each CPU per second and what the buffers and the reader did.
 *
 * Modelling choices (for speed, documented): one engine event per skb arrival on each queue (the
 * skb's records are emitted in a plain loop inside it, resumed by an event only where an irq_work
 * must run between two of its records), one per irq_work and one per reader pass.
 * Softirq queueing of skbs is not simulated: CPU capacity is the throughput solver's job
 * (throughput.ts), this run measures costs and timing. Records of one skb reserve the ring buffer
 * lock back to back, as one softirq pass does.
 */
import { Environment, Histogram, RandomStreams, Timeline, binned, exponential, burstyOnOff, type Distribution, type RandomStream } from "../engine/index.ts";
import type { HardwareProfile, ToolProfile, Workload } from "../models/types.ts";
import { CAT, CpuLedger } from "../accounting/cpu-ledger.ts";
import { Topology } from "../hardware/topology.ts";
import { CfsBandwidth, throttledWithin } from "../kernel/cfs-bandwidth.ts";
import { EpollReader, NO_RUNQUEUE_WAIT, SLEEPING, type RunqueueWait } from "../agent/epoll-reader.ts";
import { EventpollLock, eventpollEra } from "../kernel/eventpoll.ts";
import { idleCpuScanNs } from "../kernel/scheduler.ts";
import { SKB_QUEUE_LIMIT } from "../kernel/softirq.ts";
import { atLeast, type KernelVersion } from "../kernel/version.ts";
import { EVENTPOLL_LOCK } from "../models/mechanisms.ts";
import { agentBuffer, readerCosts } from "./agent-buffer.ts";
import { wakeTargetPicker } from "../kernel/scheduler.ts";
import type { RxQueues } from "../kernel/rx-queues.ts";
import { wakeupPathCosts } from "../kernel/virtualisation.ts";
import type { Costs } from "./costs.ts";
import type { AgentPlacement } from "./placement.ts";
import { goSchedulerSearchNs } from "../agent/go-runtime.ts";

export interface NodeRunInput {
  hw: HardwareProfile;
  tool: ToolProfile;
  placement: AgentPlacement;
  workload: Workload;
  costs: Costs;
  /** The calibration's wakeup costs already include VM exits (measured in a VM). @defaultValue false */
  calibratedInVm?: boolean;
  /** The VM exit cost those wakeup costs hold (node/costs.ts calibrationVmExitNs); undefined: unknown. */
  calibrationVmExitNs?: number;
  queues: RxQueues;
  /** Throughput carried by each queue, bytes per second. */
  queueBytesPerS: Float64Array;
  /** Share of each CPU busy with other work (receive path, application); omitted: all idle. */
  cpuBusy?: Float64Array;
  /**
   * Share of each CPU the receive path spends in interrupt context (inline softirq,
   * throughput.ts cpuSoftirqShare): it thins out the reader's time there like the agent's own
   * interrupt work does. Omitted: none.
   */
  cpuSoftirq?: Float64Array;
  seed: number;
  durationNs: number;
  warmupNs: number;
  /**
   * The node's kernel: picks the epoll lock's era and the idle-CPU search (SIS_PROP / SIS_UTIL).
   * null: no epoll lock contention or idle-CPU search is modelled. @defaultValue null
   */
  kernel?: KernelVersion | null;
  /** A measured wakeup-to-run histogram in place of the exponential runqueue wait (Scenario.runqueueWaitUs). */
  runqueueWaitUs?: RunqueueWaitHistogram;
  /** Preemptions of the running reader (Scenario.readerPreemption). */
  readerPreemption?: ReaderPreemption;
}

/** A running reader preempted at `perRunningS` a second of its running time, each stall drawn from `stallUs` (µs bins). */
export interface ReaderPreemption {
  perRunningS: number;
  stallUs: RunqueueWaitHistogram;
}

/** Draws ns from a measured histogram in µs bins. */
function binnedNs(rng: RandomStream, binsUs: RunqueueWaitHistogram): Distribution {
  return binned(
    rng,
    binsUs.map(([lo, hi, n]) => [lo * 1000, hi * 1000, n] as const),
  );
}

/** Wall-clock ns a pass of `wallNs` loses: Poisson preemptions over the pass, each stall a draw. */
function preemptionStalls(p: ReaderPreemption, rng: RandomStream): (wallNs: number) => number {
  const gap = exponential(rng, 1e9 / p.perRunningS);
  const stall = binnedNs(rng, p.stallUs);
  return (wallNs) => {
    let lost = 0;
    for (let t = gap.sample(); t < wallNs; t += gap.sample()) lost += stall.sample();
    return lost;
  };
}

/** Wakeup-to-run waits as [low µs, high µs, count] bins: each bin drawn with its count's share, uniform on [low, high). */
export type RunqueueWaitHistogram = readonly (readonly [low: number, high: number, count: number])[];

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
  /** agentCpuNs plus the interrupt time the kernel billed the agent's threads (epoll-reader.ts agentBilledNs). */
  agentBilledNs: number;
  throttledNs: number;
  latency: Histogram;
  /** Delivery latency of each reader pass's first record (ns), in the measured window. */
  firstLatency: Histogram;
  /**
   * Per skb arriving in the window: ns from its arrival until its TC hooks were done (their programs,
   * outputs and irq_work raises, after the agent work of earlier skbs on that CPU). The delay the
   * agent adds to the skb's softirq processing, before the rest of the stack sees it.
   */
  skbDelay: Histogram;
  /**
   * Per CPU, the share of the skbs that arrived in the window whose hooks the agent got through: 1
   * unless the agent's work on that CPU needs more than the whole CPU, so its backlog grew. The
   * ledger holds the cost of the work done; divided by this share it is the cost of the work asked.
   */
  servedFraction: Float64Array;
  /**
   * Per CPU, ns of the measured window spent on the hooks of the skbs that CPU received (programs,
   * outputs, irq_work): the part of its agent cost that follows its own queue's traffic rather than
   * the node's. Included in `ledger`. Hooks of ACKs sent from the receiving thread's CPU
   * (Workload.acksFromReceiverShare) follow the thread and are left out, as is everything on a CPU
   * that runs no queue.
   */
  hookNs: Float64Array;
  /** skbs dropped in the window because the receive CPU's queue (NIC ring + backlog) was full. */
  droppedSkbs: number;
  /** skbs that arrived in the window. */
  arrivedSkbs: number;
  /** epoll lock over the window: callbacks, the share that spun, mean spin ns of those. */
  epollLock: { callbacks: number; contendedShare: number; meanSpinNs: number };
  /** Over the whole run, for conservation: attempted = consumed + lost + buffered. */
  totals: { attempted: number; consumed: number; lost: number; buffered: number };
}

/**
 * A woken thread waits Exp(mean) for a CPU that is busy (with that CPU's busy probability), else not
 * at all, in task time; or, given a measured wakeup-to-run histogram (µs bins), a wall-clock draw from
 * it at every wakeup (the measurement already mixes busy and idle CPUs and holds the interrupts).
 */
function runqueueWaiter(busy: Float64Array | undefined, meanNs: number, rng: RandomStream, histogramUs: RunqueueWaitHistogram | undefined): RunqueueWait {
  if (histogramUs !== undefined) {
    const d = binnedNs(rng, histogramUs);
    return { draw: () => d.sample(), wallClock: true };
  }
  if (busy === undefined || !(meanNs > 0)) return NO_RUNQUEUE_WAIT;
  const wait = exponential(rng, meanNs);
  return { draw: (cpu) => (rng.next() < busy[cpu] ? wait.sample() : 0), wallClock: false };
}

export function runNode(input: NodeRunInput): NodeRunOutput {
  const { hw, tool, placement, workload, costs, queues } = input;
  const env = new Environment({ initialCapacity: 4096 });
  const streams = new RandomStreams(input.seed);
  const topo = new Topology(hw);
  const cpus = hw.vcpus;
  const ledger = new CpuLedger(cpus);
  const latency = new Histogram(64);
  const firstLatency = new Histogram(64);
  const skbDelay = new Histogram(64);
  const path = wakeupPathCosts(hw, costs, input.calibratedInVm ?? false, input.calibrationVmExitNs);

  const progNs = costs.bpfProgramNs * tool.programCostFactor;
  // with a channel, the reader only consumes and the workers decode; without, the reader does both
  const decodeNs = costs.consumeNs * tool.reader.decodeCostFactor;
  const readerNsPerRecord = tool.reader.channel ? costs.consumeNs : decodeNs;
  const sampling = tool.sampling;
  const skbBytes = workload.mssBytes * workload.groSegments;
  const quota = placement.kind === "limited" ? new CfsBandwidth(placement.cpuLimit * placement.cfsPeriodNs, placement.cfsPeriodNs) : null;
  // A pinned agent keeps to its CPU. Without a NIC (hw.nic.receiveFollowsSender: veth, loopback) the
  // receive softirq follows the sending task, and sender and receiver move between the CPUs, while
  // this model keeps each role on one CPU: an affinity-only pin fixes the reader's CPU but not which
  // role shares it, so relative to the roles its CPU moves as an unpinned reader's does (measured:
  // validation/data/placement/kvm-2vcpu-amd-epyc-2026-12-02.jsonl). It still scans no idle CPUs.
  const pinRoams = placement.kind === "pinned" && !placement.exclusive && hw.nic.receiveFollowsSender === true;
  const pinnedAffinity = placement.kind === "pinned";
  const dedicatedCpu = placement.kind === "pinned" && !pinRoams ? placement.dedicatedCpu : -1;

  let windowOn = input.warmupNs === 0;
  // A record of an skb still being processed when the reader drains (its stamp is later than the
  // drain's start, as the skb's records are emitted in one loop) counts as delivered at once.
  // The first record of each pass: the one whose wakeup the reader answered (or the oldest left
  // when it went round again without sleeping), what the loader's first-of-poll latency measures.
  let passFirst = false;
  const onPass = () => {
    passFirst = true;
  };
  const onRecord = (lat: number) => {
    if (windowOn) {
      latency.add(lat > 0 ? lat : 0);
      if (passFirst) firstLatency.add(lat > 0 ? lat : 0);
    }
    passFirst = false;
  };

  // ---- the epoll wakeup chain's lock (kernel/eventpoll.ts), taken by every wakeup's ep_poll_callback ----
  const kernel = input.kernel ?? null;
  const epLock = kernel !== null ? new EventpollLock(EVENTPOLL_LOCK.fit.eras[eventpollEra(kernel)].holdNs) : null;
  const sisUtil = kernel !== null && atLeast(kernel, 6, 0);
  const llcBusy = new Float64Array(cpus);
  {
    const sum = new Map<number, { s: number; n: number }>();
    for (let c = 0; c < cpus; c++) {
      const l = topo.llcOf(c);
      const e = sum.get(l) ?? { s: 0, n: 0 };
      e.s += input.cpuBusy?.[c] ?? 0;
      e.n++;
      sum.set(l, e);
    }
    for (let c = 0; c < cpus; c++) {
      const e = sum.get(topo.llcOf(c))!;
      llcBusy[c] = e.s / e.n;
    }
  }
  const epNs = new Float64Array(cpus); // measured window: spin and idle-CPU search on each waker CPU
  let epCallbacksW = 0;
  let epContendedW = 0;
  let epSpinW = 0;
  const epCallback = (wakerCpu: number): void => {
    let extra = 0;
    let scan = 0;
    if (theReader.state === SLEEPING) {
      // ttwu under ep->wq.lock: the wakeup's own work, the idle-CPU search, the IPI send
      scan = pinnedAffinity ? 0 : idleCpuScanNs(sisUtil, hw.cpusPerLlc, llcBusy[wakerCpu], hw.cacheLineTransferNs.sameLlc);
      extra = costs.wakeupNs + scan + path.ipiSenderNs;
    }
    const spin = epLock!.callback(env.now, extra);
    const ns = spin + scan;
    if (ns > 0) ledger.charge(wakerCpu, CAT.epollLock, ns);
    if (windowOn) {
      epNs[wakerCpu] += ns;
      epCallbacksW++;
      if (spin > 0) {
        epContendedW++;
        epSpinW += spin;
      }
    }
  };

  // ---- the buffer, its irq_work items and the reader's view of it ----
  let reader: EpollReader | null = null; // set below: the buffer's notify reaches it
  const buffer = agentBuffer({
    env,
    topo,
    ledger,
    costs,
    path,
    buffer: tool.buffer,
    recordBytes: tool.recordBytes,
    scanAllRings: tool.reader.scanAllRings,
    readerNsPerRecord,
    onRecord,
    onPass,
    windowOn: () => windowOn,
    notify: (wakerCpu) => {
      if (epLock !== null) epCallback(wakerCpu);
      reader!.notify(wakerCpu);
    },
  });
  const emit = buffer.emit;

  const theReader = new EpollReader(
    env,
    buffer.source,
    readerCosts(costs, path, {
      channelHandoffNs: costs.channelHandoffNs,
      workerNsPerRecord: decodeNs,
      runtimeSearchNs: goSchedulerSearchNs(tool, placement, topo),
    }),
    {
      dedicatedCpu,
      ownsCpu: placement.kind === "pinned" && placement.exclusive,
      quota,
      channel: tool.reader.channel ? { workers: tool.reader.channel.workers } : null,
      dedicatedCpus: dedicatedCpu >= 0 && placement.kind === "pinned" ? placement.dedicatedCpus : undefined,
      receiveInterruptShare: input.cpuSoftirq,
      irqTimeAccounting: hw.irqTimeAccounting ?? false,
    },
    topo,
    ledger,
    wakeTargetPicker(topo, streams.stream("scheduler"), dedicatedCpu),
    runqueueWaiter(input.cpuBusy, costs.runqueueWaitNs, streams.stream("scheduler/runqueue"), input.runqueueWaitUs),
    input.readerPreemption === undefined ? null : preemptionStalls(input.readerPreemption, streams.stream("scheduler/preemption")),
  );
  reader = theReader;

  // ---- traffic: skb arrivals on each queue's CPU ----
  const hooksIn = tool.hooksPerPacket.ingress;
  const hooksOut = tool.hooksPerPacket.egress;
  const nq = queues.cpuOf.length;
  const gaps: (Distribution | null)[] = [];
  const ackAcc = new Float64Array(nq);
  // Where each queue's ACKs leave (Workload.acksFromReceiverShare): from the receive CPU's softirq, or
  // from the receiving thread's context on its CPU (the next CPU). Split by a deterministic
  // accumulator, so that no random stream changes and a share of 0 is today's model exactly.
  const ackShare = workload.acksFromReceiverShare ?? 0;
  const receiverAcc = new Float64Array(nq);
  const receiverCpuOf = new Int32Array(nq);
  for (let q = 0; q < nq; q++) receiverCpuOf[q] = (queues.cpuOf[q] + 1) % cpus;
  const queueCpu = new Uint8Array(cpus); // CPUs that run a receive queue
  for (let q = 0; q < nq; q++) queueCpu[queues.cpuOf[q]] = 1;
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
  // One skb's walk through its TC hooks, as a plain loop in the common case. A record whose output
  // would come after an irq_work that is pending on this CPU but due before that output waits for the
  // work to run first: the walk is resumed by an event at the output's time, after the irq_work's.
  // (Emitting it in the same loop would coalesce it into a wakeup that has logically already run.)
  interface SkbWalk {
    cpu: number;
    t: number; // time the next step starts (while in the backlog: when the skb arrived)
    step: number; // hook crossings done
    steps: number; // hook crossings of this skb (ingress, plus egress when it sends an ACK)
    outputDue: boolean; // the program of the current step ran and its record is still to be output
    arrivedAt: number; // when the skb arrived; -1 if before the measured window
    /** An ACK sent from the receiving thread's CPU: its hooks follow the thread, not a queue (not in hookNs, no skbDelay). */
    ack: boolean;
  }
  // The agent's work on a CPU is serial: an skb's hooks start once the previous skb's hooks on that CPU
  // (their programs, outputs and irq_work raises) are done; skbs arriving meanwhile wait in order. Each
  // CPU's agent work is a Timeline (engine/timeline.ts): a walk acquires it when it starts and releases
  // it when its last hook is done. The rest of the receive path is left to the throughput solver, so it
  // delays nothing here.
  const agentCpu = Array.from({ length: cpus }, () => new Timeline());
  const hookNs = new Float64Array(cpus); // measured window: programs and outputs of the skbs received there
  const walking = new Uint8Array(cpus); // a walk on this CPU is waiting for an irq_work to run
  const backlog: SkbWalk[][] = Array.from({ length: cpus }, () => []);
  const walk = (w: SkbWalk): void => {
    const cpu = w.cpu;
    for (;;) {
      while (w.step < w.steps) {
        if (!w.outputDue) {
          // one TC program run; a sampled packet emits one record
          ledger.charge(cpu, CAT.bpfProgram, progNs);
          if (windowOn && !w.ack) hookNs[cpu] += progNs;
          w.t += progNs;
          if (++sampleCount[cpu] >= sampling) {
            sampleCount[cpu] = 0;
            w.outputDue = true;
          } else {
            w.step++;
            continue;
          }
        }
        const due = buffer.irqDueAt(cpu);
        if (due >= env.now && due <= w.t) {
          walking[cpu] = 1;
          env.schedule(w.t - env.now, walk, w);
          return;
        }
        const ns = emit(cpu, w.t);
        w.t += ns;
        if (windowOn && !w.ack) hookNs[cpu] += ns;
        w.outputDue = false;
        w.step++;
      }
      agentCpu[cpu].release(w.t);
      if (w.arrivedAt >= 0 && !w.ack) skbDelay.add(w.t - w.arrivedAt);
      const next = backlog[cpu].shift();
      if (next === undefined) {
        walking[cpu] = 0;
        return;
      }
      next.t = agentCpu[cpu].acquire(next.t);
      w = next;
    }
  };
  const arrivedInWindow = new Float64Array(cpus);
  const droppedInWindow = new Float64Array(cpus);
  const pendingAtWindow = new Float64Array(cpus);
  const pending = (cpu: number) => backlog[cpu].length + walking[cpu];
  // An ACK the receiving thread sends on its own CPU: its egress hooks run there, in order with that
  // CPU's other hook work (the ACK's ingress on loopback/veth runs from the same CPU's backlog). Not
  // subject to the receive queue limit (the thread sends it; it is not a received skb).
  const sendAck = (ackCpu: number): void => {
    const w: SkbWalk = { cpu: ackCpu, t: env.now, step: 0, steps: hooksOut, outputDue: false, arrivedAt: -1, ack: true };
    if (walking[ackCpu] === 1) backlog[ackCpu].push(w);
    else {
      w.t = agentCpu[ackCpu].acquire(w.t);
      walk(w);
    }
  };
  const arrive = (q: number) => {
    const cpu = queues.cpuOf[q];
    if (windowOn) arrivedInWindow[cpu]++;
    let steps = hooksIn;
    ackAcc[q] += 1;
    if (ackAcc[q] >= workload.skbsPerAck) {
      ackAcc[q] -= workload.skbsPerAck;
      receiverAcc[q] += ackShare;
      if (receiverAcc[q] >= 1 && receiverCpuOf[q] !== cpu) {
        receiverAcc[q] -= 1;
        sendAck(receiverCpuOf[q]);
      } else steps += hooksOut;
    }
    // the NIC ring and the backlog hold a bounded number of skbs; beyond it the skb is dropped
    // before any hook sees it (kernel/softirq.ts SKB_QUEUE_LIMIT)
    if (walking[cpu] === 1 && backlog[cpu].length >= SKB_QUEUE_LIMIT) {
      if (windowOn) droppedInWindow[cpu]++;
    } else {
      const w: SkbWalk = { cpu, t: env.now, step: 0, steps, outputDue: false, arrivedAt: windowOn ? env.now : -1, ack: false };
      if (walking[cpu] === 1) backlog[cpu].push(w);
      else {
        w.t = agentCpu[cpu].acquire(w.t);
        walk(w);
      }
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
      for (let c = 0; c < cpus; c++) pendingAtWindow[c] = pending(c);
      theReader.resetCounters();
      // a throttle in progress at the end of warm-up counts from here on
      if (quota) throttledAtWarmup = quota.throttledNs - quota.throttledAfter(env.now);
    });
  }
  env.run(input.durationNs);
  const servedFraction = new Float64Array(cpus).fill(1);
  for (let c = 0; c < cpus; c++) {
    const grew = Math.max(0, pending(c) - pendingAtWindow[c]) + droppedInWindow[c];
    if (grew > 0 && arrivedInWindow[c] > 0) servedFraction[c] = Math.max(1e-6, 1 - grew / arrivedInWindow[c]);
  }

  return {
    windowNs: input.durationNs - input.warmupNs,
    ledger,
    outputs: buffer.outputsWindow,
    lost: buffer.lostWindow,
    wakeups: buffer.wakeupsWindow,
    readerWakeups: theReader.wakeupsFromSleep,
    contextSwitches: theReader.contextSwitches,
    agentCpuNs: theReader.agentCpuNs,
    agentBilledNs: theReader.agentBilledNs,
    throttledNs: quota ? throttledWithin(quota, throttledAtWarmup, input.durationNs) : 0,
    latency,
    firstLatency,
    skbDelay,
    servedFraction,
    // a CPU that runs no receive queue has no queue traffic for its hook work to follow (its hooks
    // are ACKs sent by the receiving thread there): all of its agent work counts with the node's
    hookNs: hookNs.map((ns, c) => (queueCpu[c] === 1 ? ns + buffer.irqWakeupNsWindow[c] + epNs[c] : 0)),
    droppedSkbs: droppedInWindow.reduce((a, b) => a + b, 0),
    arrivedSkbs: arrivedInWindow.reduce((a, b) => a + b, 0),
    epollLock: {
      callbacks: epCallbacksW,
      contendedShare: epCallbacksW > 0 ? epContendedW / epCallbacksW : 0,
      meanSpinNs: epContendedW > 0 ? epSpinW / epContendedW : 0,
    },
    totals: { attempted: buffer.attempted, consumed: buffer.consumed, lost: buffer.lostTotal(), buffered: buffer.buffered() },
  };
}
