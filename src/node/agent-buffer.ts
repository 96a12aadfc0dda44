/**
 * The agent's buffer as the producing CPUs and the reader see it: a perf event array or a ring
 * buffer, with its irq_work items, the CPU each cost lands on, and the reader's drain.
 *
 * Shared by the node run (node-run.ts: records from TC hooks on the RX queues' CPUs) and the
 * ring-buffer microbenchmark (ringbuf-bench.ts: producers emitting back to back). The kernel rules
 * live in src/kernel/ (perf-event-array.ts, ringbuf.ts, irq-work.ts); this file composes them with
 * the topology's cache-line costs and the wakeup path, and charges each cost to the CPU that pays it.
 */
import type { Environment } from "../engine/index.ts";
import type { PerfBufferSettings, RingbufSettings, ToolProfile } from "../models/types.ts";
import { CAT, type CpuLedger } from "../kernel/cpu-ledger.ts";
import type { Topology } from "../kernel/topology.ts";
import { PerfEventArray, LOST, STORED_WAKEUP } from "../kernel/perf-event-array.ts";
import { Ringbuf } from "../kernel/ringbuf.ts";
import { IrqWork } from "../kernel/irq-work.ts";
import type { DrainSource, ReaderCosts } from "../kernel/epoll-reader.ts";
import type { WakeupPathCosts } from "../kernel/virtualisation.ts";
import type { Costs } from "./costs.ts";

export interface AgentBufferContext {
  env: Environment;
  topo: Topology;
  ledger: CpuLedger;
  costs: Costs;
  path: WakeupPathCosts;
  buffer: ToolProfile["buffer"];
  recordBytes: number;
  /** cilium/ebpf style: check every ring on each wakeup (perf only). */
  scanAllRings: boolean;
  /** Reader ns per record consumed. */
  readerNsPerRecord: number;
  /** Called for every consumed record with its delivery latency (ns, >= 0). */
  onRecord: (latencyNs: number) => void;
  /** Whether the measured window is open (counters below only count inside it). */
  windowOn: () => boolean;
  /** ep_poll_callback: tells the reader, from CPU `wakerCpu`, that a buffer fd is ready. */
  notify: (wakerCpu: number) => void;
}

export interface AgentBuffer {
  /** One bpf_*_output on `cpu` at time `at` (>= now); returns the ns the producing CPU spent. */
  emit(cpu: number, at: number): number;
  /** What the reader drains. */
  source: DrainSource;
  /** When the irq_work that a record from `cpu` would queue is due to run, or -1 if none is pending. */
  irqDueAt(cpu: number): number;
  /** Records still buffered, and lost since the start (whole run). */
  buffered(): number;
  lostTotal(): number;
  /** Whole run: output calls and records consumed. Measured window: outputs, lost, wakeups. */
  attempted: number;
  consumed: number;
  outputsWindow: number;
  lostWindow: number;
  wakeupsWindow: number;
  /**
   * Measured window, per CPU: ns of the wakeups its irq_work ran there (perf_event_wakeup / ringbuf
   * notify) for records produced there. With the ns `emit` returns, the agent's work that grows with
   * that CPU's own traffic.
   */
  irqWakeupNsWindow: Float64Array;
}

export function agentBuffer(ctx: AgentBufferContext): AgentBuffer {
  return ctx.buffer.kind === "perf" ? perfBuffer(ctx, ctx.buffer) : ringBuffer(ctx, ctx.buffer);
}

/** An AgentBuffer with zeroed counters; emit and source are filled in by the buffer kind. */
function emptyBuffer(cpus: number, irqDueAt: AgentBuffer["irqDueAt"], buffered: () => number, lostTotal: () => number): AgentBuffer {
  return {
    irqWakeupNsWindow: new Float64Array(cpus),
    emit: () => 0,
    source: null as unknown as DrainSource,
    irqDueAt,
    buffered,
    lostTotal,
    attempted: 0,
    consumed: 0,
    outputsWindow: 0,
    lostWindow: 0,
    wakeupsWindow: 0,
  };
}

/** A cache-line transfer from `from` to `cpu`, charged to `cpu` as local or remote-NUMA traffic. */
function chargeLine(ctx: AgentBufferContext, cpu: number, from: number, ns: number): void {
  if (ns > 0) ctx.ledger.charge(cpu, ctx.topo.isRemote(from, cpu) ? CAT.remoteNuma : CAT.cacheLines, ns);
}

function perfBuffer(ctx: AgentBufferContext, settings: PerfBufferSettings): AgentBuffer {
  const { env, topo, ledger, costs, path } = ctx;
  const cpus = topo.cpus;
  const perf = new PerfEventArray(cpus, settings, ctx.recordBytes);
  const irq = new IrqWork(cpus); // one pending_irq per CPU's perf event
  const dueAt = new Float64Array(cpus).fill(-1);
  const ready: number[] = [];
  let readerCpuNow = 0;
  const out = emptyBuffer(
    cpus,
    (cpu) => (irq.pending[cpu] === 1 ? dueAt[cpu] : -1),
    () => {
      let s = 0;
      for (let c = 0; c < cpus; c++) s += perf.buffered(c);
      return s;
    },
    () => perf.lost.reduce((a, b) => a + b, 0),
  );
  // perf_pending_irq on the producing CPU: perf_event_wakeup -> ep_poll_callback
  const irqRun = (cpu: number) => {
    irq.run(cpu);
    if (ctx.windowOn()) {
      out.wakeupsWindow++;
      out.irqWakeupNsWindow[cpu] += costs.wakeupNs;
    }
    ledger.charge(cpu, CAT.wakeups, costs.wakeupNs);
    ctx.notify(cpu);
  };
  out.emit = (cpu, at) => {
    out.attempted++;
    if (ctx.windowOn()) out.outputsWindow++;
    let ns = costs.perfOutputNs;
    ledger.charge(cpu, CAT.recordOutput, costs.perfOutputNs);
    if (perf.lineAtReader[cpu] === 1) {
      // the reader wrote data_tail last: the control line comes back to the producer
      const t = topo.transferNs(readerCpuNow, cpu);
      chargeLine(ctx, cpu, readerCpuNow, t);
      ns += t;
      perf.lineAtReader[cpu] = 0;
    }
    const r = perf.output(cpu, at);
    if (r === LOST) {
      if (ctx.windowOn()) out.lostWindow++;
      return ns;
    }
    if (r === STORED_WAKEUP) {
      if (perf.pollReady[cpu] === 0) {
        perf.pollReady[cpu] = 1; // perf_output_wakeup: rb->poll = EPOLLIN
        ready.push(cpu);
      }
      if (irq.queue(cpu)) {
        ledger.charge(cpu, CAT.wakeups, path.irqWorkRaiseNs);
        ns += path.irqWorkRaiseNs;
        dueAt[cpu] = at + ns + path.irqWorkLatencyNs;
        env.schedule(dueAt[cpu] - env.now, irqRun, cpu);
      }
    }
    return ns;
  };
  const anyBuffered = () => {
    for (let c = 0; c < cpus; c++) if (perf.buffered(c) > 0) return true;
    return false;
  };
  out.source = {
    anyReady: () => ready.length > 0 || (ctx.scanAllRings && anyBuffered()),
    drain: (readerCpu) => {
      readerCpuNow = readerCpu;
      const rings: number[] = [];
      if (ctx.scanAllRings) for (let c = 0; c < cpus; c++) rings.push(c);
      else rings.push(...ready);
      let work = 0;
      let remote = 0;
      let records = 0;
      for (const c of rings) {
        work += costs.ringCheckNs;
        const line = perf.lineAtReader[c] === 1 ? 0 : topo.transferNs(c, readerCpu);
        const n = perf.buffered(c);
        const data = n * topo.transferNs(c, readerCpu);
        work += line + data + n * ctx.readerNsPerRecord;
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
            out.consumed += perf.consumeAll(c, doneAt, ctx.onRecord);
          }
          ready.length = 0;
        },
      };
    },
  };
  return out;
}

function ringBuffer(ctx: AgentBufferContext, settings: RingbufSettings): AgentBuffer {
  const { env, topo, ledger, costs, path } = ctx;
  const rb = new Ringbuf(topo.cpus, settings, ctx.recordBytes);
  const irq = new IrqWork(rb.rings); // one rb->work per ring
  const irqCpu = new Int32Array(rb.rings); // CPU that queued each ring's irq_work
  const dueAt = new Float64Array(rb.rings).fill(-1);
  const out = emptyBuffer(
    topo.cpus,
    (cpu) => {
      const r = rb.ringOf(cpu);
      return irq.pending[r] === 1 ? dueAt[r] : -1;
    },
    () => {
      let s = 0;
      for (let r = 0; r < rb.rings; r++) s += rb.buffered(r);
      return s;
    },
    () => rb.lost.reduce((a, b) => a + b, 0),
  );
  const irqRun = (r: number) => {
    irq.run(r);
    if (ctx.windowOn()) out.wakeupsWindow++;
    const cpu = irqCpu[r];
    if (ctx.windowOn()) out.irqWakeupNsWindow[cpu] += costs.wakeupNs;
    ledger.charge(cpu, CAT.wakeups, costs.wakeupNs);
    ctx.notify(cpu);
  };
  out.emit = (cpu, at) => {
    out.attempted++;
    if (ctx.windowOn()) out.outputsWindow++;
    const r = rb.ringOf(cpu);
    // spin until the queued lock reaches us; the lock and producer_pos lines come to this CPU
    const acquire = Math.max(at, rb.lockFreeAt[r]);
    const spin = acquire - at;
    const prev = rb.lastOwner[r];
    const handoff = prev === cpu ? 0 : 2 * topo.transferNs(prev, cpu);
    let consLine = 0;
    if (rb.consLineAt[r] >= 0) {
      // consumer_pos was written by the reader since: read it back under the lock
      consLine = topo.transferNs(rb.consLineAt[r], cpu);
      chargeLine(ctx, cpu, rb.consLineAt[r], consLine);
      rb.consLineAt[r] = -1;
    }
    const hold = costs.ringbufLockHoldNs + handoff + consLine;
    rb.lockFreeAt[r] = acquire + hold;
    rb.lastOwner[r] = cpu;
    ledger.charge(cpu, CAT.lockSpin, spin + costs.ringbufLockHoldNs);
    chargeLine(ctx, cpu, prev < 0 ? cpu : prev, handoff);
    ledger.charge(cpu, CAT.recordOutput, costs.ringbufOutputNs);
    let ns = spin + hold + costs.ringbufOutputNs;
    const c = rb.commit(r, acquire + hold);
    if (c < 0) {
      if (ctx.windowOn()) out.lostWindow++;
      return ns;
    }
    if (c === 1 && irq.queue(r)) {
      irqCpu[r] = cpu;
      ledger.charge(cpu, CAT.wakeups, path.irqWorkRaiseNs);
      ns += path.irqWorkRaiseNs;
      dueAt[r] = at + ns + path.irqWorkLatencyNs;
      env.schedule(dueAt[r] - env.now, irqRun, r);
    }
    return ns;
  };
  out.source = {
    anyReady: () => {
      for (let r = 0; r < rb.rings; r++) if (rb.buffered(r) > 0) return true; // ringbuf_map_poll
      return false;
    },
    drain: (readerCpu) => {
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
        work += moved + n * ctx.readerNsPerRecord;
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
            out.consumed += rb.consumeAll(r, doneAt, ctx.onRecord);
            rb.consLineAt[r] = readerCpu;
          }
        },
      };
    },
  };
  return out;
}

/**
 * The reader's cost constants: the calibration's and the wakeup path's, plus what its user space
 * adds (channel handoff, worker decode, runtime search; zero for a bare C reader).
 */
export function readerCosts(
  costs: Costs,
  path: WakeupPathCosts,
  userSpace: { channelHandoffNs: number; workerNsPerRecord: number; runtimeSearchNs: number },
): ReaderCosts {
  return {
    contextSwitchNs: costs.contextSwitchNs,
    cachePollutionNs: costs.cachePollutionNs,
    epollWaitNs: costs.epollWaitNs,
    wakeupNs: costs.wakeupNs,
    ipiTotalNs: path.ipiTotalNs,
    ipiSenderNs: path.ipiSenderNs,
    ...userSpace,
  };
}
