/**
 * The agent's buffer as the producing CPUs and the reader see it: a perf event array or a ring
 * buffer, with its irq_work items, the CPU each cost lands on, and the reader's drain.
 *
 * Shared by the node run (node-run.ts: records from TC hooks on the RX queues' CPUs) and the
 * ring-buffer microbenchmark (ringbuf-bench.ts: producers emitting back to back). The kernel rules
 * live in src/kernel/ (perf-event-array.ts, ringbuf.ts, irq-work.ts); this file composes them with
 * the topology's cache-line costs and the wakeup path, and charges each cost to the CPU that pays it.
 *
 * Two plain classes behind one interface (AgentBuffer): PerfAgentBuffer (one perf ring per CPU) and
 * RingbufAgentBuffer (shared rings, whose reservation lock is src/kernel/ringbuf.ts's RingbufLock).
 * `emit` and the other members the node model takes detached are arrow-function properties.
 */
import type { Environment } from "../engine/index.ts";
import type { PerfBufferSettings, RingbufSettings, ToolProfile } from "../models/types.ts";
import { CAT, type CpuLedger } from "../accounting/cpu-ledger.ts";
import type { Topology } from "../hardware/topology.ts";
import { PerfEventArray, LOST, STORED_WAKEUP } from "../kernel/perf-event-array.ts";
import { checkReservationLines, Ringbuf, RingbufLock, type ReservationLines, type RingbufLockKind } from "../kernel/ringbuf.ts";
import { IrqWork } from "../kernel/irq-work.ts";
import type { DrainSource, ReaderCosts } from "../agent/epoll-reader.ts";
import type { WakeupPathCosts } from "../kernel/virtualisation.ts";
import type { Costs } from "./costs.ts";
import reservationFile from "../../models/benchmarks/ringbuf-reservation.json" with { type: "json" };

/** The reservation's line counts shipped in models/benchmarks/ringbuf-reservation.json. */
export const SHIPPED_RESERVATION_LINES: ReservationLines = checkReservationLines(reservationFile, "models/benchmarks/ringbuf-reservation.json");

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
  /** Called once as a reader pass that consumes records begins, before its first onRecord. */
  onPass?: () => void;
  /** Whether the measured window is open (counters below only count inside it). */
  windowOn: () => boolean;
  /** ep_poll_callback: tells the reader, from CPU `wakerCpu`, that a buffer fd is ready. */
  notify: (wakerCpu: number) => void;
  /** Ring buffer only: the reservation lock. @defaultValue rqspinlock (v6.15 on) with the shipped line counts */
  ringbufLock?: { kind: RingbufLockKind; lines: ReservationLines; pendingLoop?: boolean };
  /** Ring buffer only: the selftest's sampled mode (see RingbufOptions.forceWhenAvailRecords). */
  forceWhenAvailRecords?: number;
}

export interface AgentBuffer {
  /** One bpf_*_output on `cpu` at time `at` (>= now); returns the ns the producing CPU spent. */
  readonly emit: (cpu: number, at: number) => number;
  /** What the reader drains. */
  readonly source: DrainSource;
  /** When the irq_work that a record from `cpu` would queue is due to run, or -1 if none is pending. */
  readonly irqDueAt: (cpu: number) => number;
  /** Records still buffered, and lost since the start (whole run). */
  readonly buffered: () => number;
  readonly lostTotal: () => number;
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
  readonly irqWakeupNsWindow: Float64Array;
}

export function agentBuffer(ctx: AgentBufferContext): AgentBuffer {
  return ctx.buffer.kind === "perf" ? new PerfAgentBuffer(ctx, ctx.buffer) : new RingbufAgentBuffer(ctx, ctx.buffer);
}

/** A cache-line transfer from `from` to `cpu`, charged to `cpu` as local or remote-NUMA traffic. */
function chargeLine(ctx: AgentBufferContext, cpu: number, from: number, ns: number): void {
  if (ns > 0) ctx.ledger.charge(cpu, ctx.topo.isRemote(from, cpu) ? CAT.remoteNuma : CAT.cacheLines, ns);
}

/** Per-CPU perf rings (kernel/perf-event-array.ts), each with its own irq_work. */
export class PerfAgentBuffer implements AgentBuffer {
  attempted = 0;
  consumed = 0;
  outputsWindow = 0;
  lostWindow = 0;
  wakeupsWindow = 0;
  readonly irqWakeupNsWindow: Float64Array;
  readonly source: DrainSource;
  private readonly perf: PerfEventArray;
  private readonly irq: IrqWork;
  private readonly dueAt: Float64Array;
  private readonly ready: number[] = [];
  private readerCpuNow = 0;

  constructor(
    private readonly ctx: AgentBufferContext,
    settings: PerfBufferSettings,
  ) {
    const cpus = ctx.topo.cpus;
    this.irqWakeupNsWindow = new Float64Array(cpus);
    this.perf = new PerfEventArray(cpus, settings, ctx.recordBytes);
    this.irq = new IrqWork(cpus); // one pending_irq per CPU's perf event
    this.dueAt = new Float64Array(cpus).fill(-1);
    this.source = { anyReady: this.anyReady, drain: this.drain };
  }

  readonly irqDueAt = (cpu: number): number => (this.irq.pending[cpu] === 1 ? this.dueAt[cpu] : -1);

  readonly buffered = (): number => {
    let s = 0;
    for (let c = 0; c < this.ctx.topo.cpus; c++) s += this.perf.buffered(c);
    return s;
  };

  readonly lostTotal = (): number => this.perf.lost.reduce((a, b) => a + b, 0);

  // perf_pending_irq on the producing CPU: perf_event_wakeup -> ep_poll_callback
  private readonly irqRun = (cpu: number): void => {
    const { ctx } = this;
    this.irq.run(cpu);
    if (ctx.windowOn()) {
      this.wakeupsWindow++;
      this.irqWakeupNsWindow[cpu] += ctx.costs.wakeupNs;
    }
    ctx.ledger.charge(cpu, CAT.wakeups, ctx.costs.wakeupNs);
    ctx.notify(cpu);
  };

  readonly emit = (cpu: number, at: number): number => {
    const { ctx, perf, irq, dueAt } = this;
    const { env, topo, ledger, costs, path } = ctx;
    this.attempted++;
    if (ctx.windowOn()) this.outputsWindow++;
    // a record that finds its ring full costs perfLostOutputNs: perf_output_begin reads data_tail,
    // finds no room and counts the loss (no copy; no wakeup, as wakeup_events counts stored samples)
    const r = perf.output(cpu, at);
    const outputNs = r === LOST ? costs.perfLostOutputNs : costs.perfOutputNs;
    let ns = outputNs;
    ledger.charge(cpu, CAT.recordOutput, outputNs);
    if (perf.lineAtReader[cpu] === 1) {
      // the reader wrote data_tail last: the control line comes back to the producer
      const t = topo.transferNs(this.readerCpuNow, cpu);
      chargeLine(ctx, cpu, this.readerCpuNow, t);
      ns += t;
      perf.lineAtReader[cpu] = 0;
    }
    if (r === LOST) {
      if (ctx.windowOn()) this.lostWindow++;
      return ns;
    }
    if (r === STORED_WAKEUP) {
      if (perf.pollReady[cpu] === 0) {
        perf.pollReady[cpu] = 1; // perf_output_wakeup: rb->poll = EPOLLIN
        this.ready.push(cpu);
      }
      if (irq.queue(cpu)) {
        ledger.charge(cpu, CAT.wakeups, path.irqWorkRaiseNs);
        ns += path.irqWorkRaiseNs;
        dueAt[cpu] = at + ns + path.irqWorkLatencyNs;
        env.schedule(dueAt[cpu] - env.now, this.irqRun, cpu);
      }
    }
    return ns;
  };

  private anyBuffered(): boolean {
    for (let c = 0; c < this.ctx.topo.cpus; c++) if (this.perf.buffered(c) > 0) return true;
    return false;
  }

  private readonly anyReady = (): boolean => this.ready.length > 0 || (this.ctx.scanAllRings && this.anyBuffered());

  private readonly drain = (readerCpu: number) => {
    const { ctx, perf } = this;
    const { topo, costs } = ctx;
    const cpus = topo.cpus;
    this.readerCpuNow = readerCpu;
    const rings: number[] = [];
    if (ctx.scanAllRings) for (let c = 0; c < cpus; c++) rings.push(c);
    else rings.push(...this.ready);
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
        if (records > 0) ctx.onPass?.();
        for (const c of rings) {
          perf.pollReady[c] = 0;
          perf.lineAtReader[c] = 1; // data_tail written
          this.consumed += perf.consumeAll(c, doneAt, ctx.onRecord);
        }
        this.ready.length = 0;
      },
    };
  };
}

/** Shared BPF ring buffers (kernel/ringbuf.ts): the reservation lock, one irq_work per ring. */
export class RingbufAgentBuffer implements AgentBuffer {
  attempted = 0;
  consumed = 0;
  outputsWindow = 0;
  lostWindow = 0;
  wakeupsWindow = 0;
  readonly irqWakeupNsWindow: Float64Array;
  readonly source: DrainSource;
  readonly rb: Ringbuf;
  readonly lock: RingbufLock;
  private readonly irq: IrqWork;
  /** CPU that queued each ring's irq_work. */
  private readonly irqCpu: Int32Array;
  private readonly dueAt: Float64Array;
  private readonly lineBytes: number;

  constructor(
    private readonly ctx: AgentBufferContext,
    settings: RingbufSettings,
  ) {
    const { topo } = ctx;
    this.irqWakeupNsWindow = new Float64Array(topo.cpus);
    this.rb = new Ringbuf(topo.cpus, settings, ctx.recordBytes, { forceWhenAvailRecords: ctx.forceWhenAvailRecords });
    const lk = ctx.ringbufLock ?? { kind: "rqspinlock" as const, lines: SHIPPED_RESERVATION_LINES };
    this.lock = new RingbufLock(this.rb.rings, topo, lk.lines, ctx.costs.ringbufLockHoldNs, lk.kind, this.rb.recordBytes, lk.pendingLoop ?? true);
    this.lineBytes = lk.lines.cacheLineBytes;
    this.irq = new IrqWork(this.rb.rings); // one rb->work per ring
    this.irqCpu = new Int32Array(this.rb.rings);
    this.dueAt = new Float64Array(this.rb.rings).fill(-1);
    this.source = { anyReady: this.anyReady, drain: this.drain };
  }

  readonly irqDueAt = (cpu: number): number => {
    const r = this.rb.ringOf(cpu);
    return this.irq.pending[r] === 1 ? this.dueAt[r] : -1;
  };

  readonly buffered = (): number => {
    let s = 0;
    for (let r = 0; r < this.rb.rings; r++) s += this.rb.buffered(r);
    return s;
  };

  readonly lostTotal = (): number => this.rb.lost.reduce((a, b) => a + b, 0);

  private readonly irqRun = (r: number): void => {
    const { ctx } = this;
    this.irq.run(r);
    if (ctx.windowOn()) this.wakeupsWindow++;
    const cpu = this.irqCpu[r];
    if (ctx.windowOn()) this.irqWakeupNsWindow[cpu] += ctx.costs.wakeupNs;
    ctx.ledger.charge(cpu, CAT.wakeups, ctx.costs.wakeupNs);
    ctx.notify(cpu);
  };

  readonly emit = (cpu: number, at: number): number => {
    const { ctx, rb, lock } = this;
    const { env, topo, ledger, costs, path } = ctx;
    this.attempted++;
    if (ctx.windowOn()) this.outputsWindow++;
    const r = rb.ringOf(cpu);
    // cons_pos = smp_load_acquire(&rb->consumer_pos), before the lock: the reader wrote it since
    let consLine = 0;
    if (rb.consLineAt[r] >= 0) {
      consLine = topo.transferNs(rb.consLineAt[r], cpu);
      chargeLine(ctx, cpu, rb.consLineAt[r], consLine);
      rb.consLineAt[r] = -1;
    }
    // the lock, producer_pos and the previous header, moved from their last writers (RingbufLock)
    const g = lock.reserve(r, cpu, at + consLine);
    const local = g.holdNs - g.transferNs;
    ledger.charge(cpu, CAT.lockSpin, g.spinNs + local);
    if (g.transferNs > g.remoteTransferNs) ledger.charge(cpu, CAT.cacheLines, g.transferNs - g.remoteTransferNs);
    if (g.remoteTransferNs > 0) ledger.charge(cpu, CAT.remoteNuma, g.remoteTransferNs);
    const releasedAt = g.acquireAt + g.holdNs;
    const c = rb.commit(r, releasedAt);
    // a reservation that finds the ring full fails under the lock: no header, copy or commit
    const outputNs = c < 0 ? costs.ringbufLostOutputNs : costs.ringbufOutputNs;
    ledger.charge(cpu, CAT.recordOutput, outputNs);
    let ns = consLine + g.spinNs + g.holdNs + outputNs;
    if (c < 0) {
      if (ctx.windowOn()) this.lostWindow++;
      return ns;
    }
    if (c === 1 && this.irq.queue(r)) {
      this.irqCpu[r] = cpu;
      ledger.charge(cpu, CAT.wakeups, path.irqWorkRaiseNs);
      ns += path.irqWorkRaiseNs;
      this.dueAt[r] = at + ns + path.irqWorkLatencyNs;
      env.schedule(this.dueAt[r] - env.now, this.irqRun, r);
    }
    return ns;
  };

  private readonly anyReady = (): boolean => {
    for (let r = 0; r < this.rb.rings; r++) if (this.rb.buffered(r) > 0) return true; // ringbuf_map_poll
    return false;
  };

  private readonly drain = (readerCpu: number) => {
    const { ctx, rb, lock } = this;
    const { topo, costs } = ctx;
    let work = 0;
    let remote = 0;
    let records = 0;
    for (let r = 0; r < rb.rings; r++) {
      const n = rb.buffered(r);
      work += costs.ringCheckNs;
      if (n === 0) continue;
      const from = lock.lastOwner[r] < 0 ? readerCpu : lock.lastOwner[r];
      const t = topo.transferNs(from, readerCpu);
      // producer_pos line + the record lines from their writer (records sharing a line move together)
      const perLine = lock.recordsShareLines ? Math.floor(this.lineBytes / rb.recordBytes) : 1;
      const moved = t + Math.ceil(n / perLine) * t;
      work += moved + n * ctx.readerNsPerRecord;
      if (topo.isRemote(from, readerCpu)) remote += moved;
      records += n;
    }
    return {
      records,
      workNs: work,
      remoteNs: remote,
      finish: (doneAt: number) => {
        if (records > 0) ctx.onPass?.();
        for (let r = 0; r < rb.rings; r++) {
          if (rb.buffered(r) === 0) continue;
          this.consumed += rb.consumeAll(r, doneAt, ctx.onRecord);
          rb.consLineAt[r] = readerCpu;
        }
      },
    };
  };
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
