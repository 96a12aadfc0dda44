/**
 * The agent's reader thread: blocked in epoll_wait on the buffers' fds, woken by the producers'
 * wakeups, draining what is there, and going back to sleep when nothing is left.
 *
 * Kernel/user space (v6.x, libbpf 1.x, cilium/ebpf 0.1x): fs/eventpoll.c `ep_poll_callback` (a
 * wakeup on a watched fd wakes the epoll waiter only if it sleeps), kernel/sched/core.c
 * `try_to_wake_up` (a task already runnable, or runnable but throttled, is not woken again: no IPI,
 * no context switch); libbpf `perf_buffer__poll` / `ring_buffer__poll` consume every ready ring
 * after one epoll_wait. Life cycle of the thread here:
 *   SLEEPING --wakeup--> WAKING --(IPI + switch in)--> RUNNING --drain--> RUNNING (more is ready)
 *                                                          |--> SLEEPING (switch out, nothing ready)
 *                                                          |--> THROTTLED (CFS quota spent) --> RUNNING
 * A reader woken on a CPU that is busy with other runnable work waits for it (kernel/sched/fair.c
 * `check_preempt_wakeup_fair`: no preemption until the running task reaches its 0-lag point with
 * RUN_TO_PARITY): an exponential wait of mean runqueueWaitNs, with the probability that the CPU is busy,
 * in task time; or (a what-if, Scenario.runqueueWaitUs) a wall-clock draw from a measured
 * wakeup-to-run histogram at every wakeup. A reader preempted while it runs: only as a what-if
 * (Scenario.readerPreemption, measured rates and stall lengths); by default it never is.
 * Costs: on the waker, try_to_wake_up and the reschedule IPI (VM exits when virtualised); on the
 * CPU the reader runs on, both context switches, the cache refill of the task it displaced, epoll
 * and per-ring checks, per-record consume, and pulling the producers' cache lines to itself.
 * Optionally records go through a channel to worker threads, each batch waking one sleeping worker;
 * in a Go agent the worker goroutine's wakeup wakes an OS thread (runtime/proc.go `ready` → `wakep`
 * → futex wake) that searches all Ps before running it, and searches again before parking when the
 * channel is drained.
 * Capacity: a pinned agent's threads (reader and workers) run only on its dedicated CPUs, one thread
 * per CPU at a time: a pass waits for a free one, and a worker batch takes the CPU that frees first,
 * so with the workers' share the reader's passes come later, bigger, and the buffers fill and drop
 * (the agent falls behind instead of using more CPUs than it has). Under a CFS quota every thread's
 * work is run through the quota (cfs-bandwidth.ts `run`): throttled mid-work, never over the quota.
 * Interrupt time on the reader's CPU: the producers' hooks run in softirq context and their irq_work
 * self-IPIs in hardirq context (with the VM exits of a virtualised self-IPI), and both run before
 * any task on that CPU (kernel/softirq.c `irq_exit_rcu` -> `invoke_softirq`). A CPU that spends a
 * share `a` of its time there gives its tasks only 1 - a of its time, so the reader's wait to run,
 * its passes and its switches there take 1 / (1 - a) as long in wall-clock time. `a` is the agent's
 * own interrupt-context work charged to that CPU so far (bpfProgram, recordOutput, lockSpin, wakeups
 * less what the reader itself caused there, cacheLines, epollLock) over the time it was charged in,
 * plus the receive path's own inline softirq share there (`receiveInterruptShare`, from the
 * throughput solver; a queue served by ksoftirqd is a task and waits in `runqueueWait` instead).
 * Whether that stretch is the reader's runtime depends on the kernel: without
 * CONFIG_IRQ_TIME_ACCOUNTING (the Kconfig default; the measuring host) the interrupt time taken while
 * a task runs is on its clock (kernel/sched/core.c update_rq_clock_task), so it is billed to the
 * reader (getrusage, cgroup cpu.stat: `agentBilledNs`) and comes out of its CFS quota; with it, only
 * the reader's own work does. With perf wakeup_events=1 every record costs its CPU an
 * irq_work (6 us on the measuring KVM guest), so this share, not the reader, sets how often the
 * reader sleeps: measured there, readers of perf and ring buffer sleep once per 6 and per 4.4 records
 * (validation/data/kvm-2vcpu-amd-epyc-2026-11-25-wakeups.jsonl, voluntary_ctxt_switches / records).
 * Agent CPU is counted as it is used: work decided ahead of time (a pass's end, a queued worker batch,
 * a throttled remainder) counts only once its time has come. Left out: the reader's own page faults, sysmon's retake of a P from a
 * thread blocked in epoll_wait (it only parks the P when no goroutine is runnable).
 */
import { Timeline, type Environment } from "../engine/index.ts";
import { CAT, type CpuLedger } from "../accounting/cpu-ledger.ts";

/** Cost categories charged in interrupt context (softirq hooks, hardirq irq_work) on the producing CPU. */
const INTERRUPT_CATEGORIES = [CAT.bpfProgram, CAT.recordOutput, CAT.lockSpin, CAT.wakeups, CAT.cacheLines, CAT.epollLock];
/**
 * At most this share of a CPU is taken as interrupt time (the stretch is at most 4x): a numerical
 * bound, not a kernel figure; above it the throughput fixed point of an agent whose hook work
 * saturates its CPUs stops settling. The measured host's configurations stay below it.
 */
export const MAX_INTERRUPT_SHARE = 0.75;
/** Below this much elapsed time since the ledger's start the share is not estimated (taken as 0). */
const MIN_SHARE_WINDOW_NS = 100_000;

/**
 * Wall-clock time a task needs for `ns` of its own work on a CPU that spends `share` of its time in
 * interrupt context: ns / (1 - share), share clamped to [0, MAX_INTERRUPT_SHARE].
 */
export function dilated(ns: number, share: number): number {
  const a = Math.min(MAX_INTERRUPT_SHARE, Math.max(0, Number.isFinite(share) ? share : 0));
  return ns / (1 - a);
}
import type { CfsBandwidth } from "../kernel/cfs-bandwidth.ts";
import type { Topology } from "../hardware/topology.ts";

export const SLEEPING = 0;
export const WAKING = 1;
export const RUNNING = 2;
export const THROTTLED = 3;

/** What the reader needs from the buffer it drains (perf event array or ring buffer). */
export interface DrainSource {
  /** Is anything ready for epoll_wait to report? */
  anyReady(): boolean;
  /**
   * Plans draining every ready ring for a reader on `readerCpu` at `now`: returns the records, the
   * ns of reader work (ring checks, records, line transfers) and the part of it spent on remote
   * NUMA traffic. `finish(doneAt)` then consumes them, stamping latencies at the work's end.
   */
  drain(readerCpu: number, now: number): { records: number; workNs: number; remoteNs: number; finish: (doneAt: number) => void };
}

export interface ReaderCosts {
  contextSwitchNs: number;
  cachePollutionNs: number;
  epollWaitNs: number;
  wakeupNs: number;
  /** IPI send + receive, including VM exits when virtualised. */
  ipiTotalNs: number;
  /** Part of ipiTotalNs paid by the sender. */
  ipiSenderNs: number;
  channelHandoffNs: number;
  workerNsPerRecord: number;
  /**
   * A Go runtime's scheduler search on a thread that was woken for a goroutine or is about to park:
   * findRunnable's stealTries passes over all GOMAXPROCS run queues, each a cache-line read from the
   * CPU that last wrote it (0 for a native reader).
   */
  runtimeSearchNs: number;
}

export interface ReaderPlacement {
  /** CPU the reader is pinned to, or -1 to run wherever the scheduler puts it. */
  dedicatedCpu: number;
  /** The pinned CPU is the agent's alone (its time is taken from nobody); false for a shared affinity. */
  ownsCpu: boolean;
  quota: CfsBandwidth | null;
  channel: { workers: number } | null;
  /**
   * Stretch the reader's time on a CPU by that CPU's share of agent interrupt-context work (see the
   * file comment). @defaultValue true
   */
  interruptDilation?: boolean;
  /**
   * How many CPUs a pinned agent has (dedicatedCpu and the ones below it, the last CPUs of the
   * node); its threads never use more. @defaultValue 1 when dedicatedCpu >= 0
   */
  dedicatedCpus?: number;
  /**
   * Per CPU, the share of its time the receive path spends in interrupt context (inline softirq):
   * added to the agent's own interrupt share when stretching the reader's time there. Omitted: none.
   */
  receiveInterruptShare?: Float64Array;
  /**
   * The kernel takes interrupt time out of the task's clock (CONFIG_IRQ_TIME_ACCOUNTING). Without it
   * the stretch is the reader's runtime: billed to it (agentBilledNs) and run through its quota.
   * @defaultValue false
   */
  irqTimeAccounting?: boolean;
}

/** The CPUs a pinned agent owns: when each is next free. */
class DedicatedCpus {
  /** One engine Timeline per CPU: when each is next free of the agent's work. */
  readonly cpus: Timeline[];
  constructor(
    readonly first: number,
    count: number,
  ) {
    this.cpus = Array.from({ length: count }, () => new Timeline());
  }
  /** When CPU j is next free. */
  freeAt(j: number): number {
    return this.cpus[j].freeAt;
  }
  /** Index (0-based) of the CPU that is free first. */
  earliest(): number {
    let j = 0;
    for (let k = 1; k < this.cpus.length; k++) if (this.cpus[k].freeAt < this.cpus[j].freeAt) j = k;
    return j;
  }
  cpuOf(j: number): number {
    return this.first - j;
  }
  /** Occupies CPU j with `ns` of work runnable from `from`; returns when it is done. */
  occupy(j: number, ns: number, from: number): number {
    return this.cpus[j].claim(from, ns) + ns;
  }
  /** Work already placed on the CPUs that runs after `t`. */
  busyAfter(t: number): number {
    let s = 0;
    for (const c of this.cpus) s += Math.max(0, c.freeAt - t);
    return s;
  }
}

/** What a woken reader waits for its CPU: a draw per wakeup, in task time (dilated by the CPU's interrupt share) or wall-clock. */
export interface RunqueueWait {
  draw(cpu: number): number;
  /** The draw is wall-clock from wakeup to run (a measured wakeup-to-run time): interrupts already in it. */
  wallClock: boolean;
}

export const NO_RUNQUEUE_WAIT: RunqueueWait = { draw: () => 0, wallClock: false };

export class EpollReader {
  state = SLEEPING;
  cpu = 0;
  /** Counters over the measured window. */
  wakeupsFromSleep = 0;
  contextSwitches = 0;
  /** ns of agent thread work accounted for since the last reset (some of it may lie ahead: see agentCpuNs). */
  private agentNsCounted = 0;
  /** End of the reader's current pass when it has neither pinned CPUs nor a quota. */
  private passEnd = 0;
  private readonly pool: DedicatedCpus | null;
  batches = 0;
  recordsRead = 0;
  workerWakeups = 0;
  private readonly runBound: () => void;
  /** When the ledger last started counting (its reset), and what the reader itself charged since in interrupt categories, per CPU. */
  private ledgerSince = 0;
  private readonly ownInterruptNs: Float64Array;
  /** Interrupt time billed to the agent's threads since the last reset (none with IRQ time accounting). */
  private billedInterruptNs = 0;

  constructor(
    private readonly env: Environment,
    private readonly source: DrainSource,
    private readonly costs: ReaderCosts,
    private readonly placement: ReaderPlacement,
    private readonly topo: Topology,
    private readonly ledger: CpuLedger,
    private readonly pickCpu: (wakerCpu: number) => number,
    /** ns a thread woken on `cpu` waits before it runs there (0 on a CPU it owns or an idle one). */
    private readonly runqueueWait: RunqueueWait = NO_RUNQUEUE_WAIT,
    /** Wall-clock ns a pass of `wallNs` on a CPU it does not own loses to preemptions (a what-if); omitted: none. */
    private readonly preemptedNs: ((wallNs: number) => number) | null = null,
  ) {
    this.runBound = () => this.run();
    this.ownInterruptNs = new Float64Array(ledger.cpus);
    if (placement.dedicatedCpu >= 0) this.cpu = placement.dedicatedCpu;
    const n = placement.dedicatedCpu >= 0 ? (placement.dedicatedCpus ?? 1) : 0;
    if (placement.dedicatedCpu >= 0 && !(Number.isInteger(n) && n >= 1 && n <= placement.dedicatedCpu + 1)) {
      throw new RangeError(`EpollReader: dedicatedCpus = ${n}: must be an integer in [1, ${placement.dedicatedCpu + 1}]`);
    }
    this.pool = n > 0 ? new DedicatedCpus(placement.dedicatedCpu, n) : null;
  }

  /**
   * Share of CPU `cpu`'s time since the ledger's start spent on the agent's interrupt-context work,
   * less what this reader caused there (its reschedule IPIs); 0 with interruptDilation off.
   */
  interruptShare(cpu: number): number {
    if (this.placement.interruptDilation === false) return 0;
    const span = this.env.now - this.ledgerSince;
    if (!(span >= MIN_SHARE_WINDOW_NS)) return 0;
    let ns = -this.ownInterruptNs[cpu];
    for (const c of INTERRUPT_CATEGORIES) ns += this.ledger.categoryOn(cpu, c);
    const receive = this.placement.receiveInterruptShare?.[cpu] ?? 0;
    return Math.min(MAX_INTERRUPT_SHARE, Math.max(0, ns / span + receive));
  }

  /**
   * ns of CPU the agent's threads used in the measured window up to now: what was accounted for,
   * less what is placed after now (on the pinned CPUs, under the quota, or the current pass).
   */
  get agentCpuNs(): number {
    return this.agentNsCounted - this.aheadOf(this.env.now);
  }

  /**
   * ns of CPU the kernel billed the agent's threads in the measured window: agentCpuNs plus, without
   * IRQ time accounting, the interrupt time taken while they ran (what getrusage and cgroup cpu.stat
   * report; the loader's reader_cpu_s).
   */
  get agentBilledNs(): number {
    return this.agentCpuNs + this.billedInterruptNs;
  }

  /** The interrupt share that reaches the agent's bill and quota on `cpu`: none with IRQ time accounting (not even looked up). */
  private billedShare(cpu: number): number {
    return this.placement.irqTimeAccounting === true ? 0 : this.interruptShare(cpu);
  }

  /** Bills the interrupt time that stretched `ns` of the agent's work on a CPU with interrupt share `share`. */
  private billInterrupts(ns: number, share: number): void {
    if (this.placement.irqTimeAccounting !== true) this.billedInterruptNs += dilated(ns, share) - ns;
  }

  /** What `ns` of the agent's work on a CPU with interrupt share `share` takes from its quota: the stretch too unless IRQ time is accounted apart. */
  private quotaNs(ns: number, share: number): number {
    return this.placement.irqTimeAccounting === true ? ns : dilated(ns, share);
  }

  private aheadOf(t: number): number {
    if (this.pool !== null) return this.pool.busyAfter(t);
    if (this.placement.quota !== null) return this.placement.quota.usedAfter(t);
    return Math.max(0, this.passEnd - t);
  }

  /** Charge the agent's own thread time on the CPU it runs on (stolen from nobody when pinned). */
  private chargeRun(cpu: number, category: number, ns: number): void {
    this.agentNsCounted += ns;
    if (!this.placement.ownsCpu) this.ledger.charge(cpu, category, ns);
  }

  /**
   * Charge work the agent causes on a CPU but that is not its threads' time: taking an IPI, the cache
   * refill of the task it displaced. Nothing to charge on a CPU the agent owns.
   */
  private chargeSide(cpu: number, category: number, ns: number): void {
    if (this.placement.ownsCpu) return;
    this.ledger.charge(cpu, category, ns);
    if (category === CAT.wakeups) this.ownInterruptNs[cpu] += ns;
  }

  /**
   * ep_poll_callback on `wakerCpu`: a buffer fd became ready. Wakes the reader if it sleeps;
   * otherwise the readiness is simply seen at its next epoll_wait. Returns ns the waker paid.
   */
  notify(wakerCpu: number): number {
    if (this.state !== SLEEPING) return 0;
    this.state = WAKING;
    this.wakeupsFromSleep++;
    const target = this.placement.dedicatedCpu >= 0 ? this.placement.dedicatedCpu : this.pickCpu(wakerCpu);
    this.cpu = target;
    let wakerNs = 0;
    let latency = this.costs.contextSwitchNs;
    if (target !== wakerCpu) {
      wakerNs += this.costs.ipiSenderNs;
      latency += this.costs.ipiTotalNs;
      this.ledger.charge(wakerCpu, CAT.wakeups, this.costs.ipiSenderNs);
      // the target takes the reschedule IPI
      const recv = this.costs.ipiTotalNs - this.costs.ipiSenderNs;
      this.chargeSide(target, CAT.wakeups, recv);
    }
    // on a CPU busy with other runnable work the woken reader waits for its turn (CFS/EEVDF); records
    // keep arriving meanwhile, so its next pass drains a bigger batch
    const wait = this.placement.ownsCpu ? 0 : this.runqueueWait.draw(target);
    if (!this.runqueueWait.wallClock) latency += wait;
    // the wait and the switch in run on the target's task time, which its interrupt work thins out
    // (a wall-clock wait, measured from wakeup to run, already holds the interrupts in it)
    const targetShare = this.interruptShare(target);
    latency = dilated(latency, targetShare);
    if (this.runqueueWait.wallClock) latency += wait;
    this.billInterrupts(this.costs.contextSwitchNs, targetShare);
    this.contextSwitches++;
    this.chargeRun(target, CAT.readerCpu, this.costs.contextSwitchNs);
    this.chargeSide(target, CAT.cachePollution, this.costs.cachePollutionNs);
    const now = this.env.now;
    // the switch in is the agent's time too: on its CPU (pinned) or out of its quota
    if (this.pool !== null) {
      const j = this.pool.earliest();
      latency = Math.max(latency, this.pool.occupy(j, this.costs.contextSwitchNs, now) - now);
    }
    if (this.placement.quota !== null) latency = Math.max(latency, this.placement.quota.run(this.quotaNs(this.costs.contextSwitchNs, targetShare), now) - now);
    this.env.schedule(latency, this.runBound);
    return wakerNs;
  }

  /** One pass: epoll_wait returns, the ready rings are drained, then sleep, throttle or go again. */
  private run(): void {
    const now = this.env.now;
    this.state = RUNNING;
    // a pinned reader needs one of its CPUs: while its workers hold them all, it waits (runnable)
    let j = -1;
    if (this.pool !== null) {
      j = this.pool.earliest();
      if (this.pool.freeAt(j) > now) {
        this.env.scheduleAt(this.pool.freeAt(j), this.runBound);
        return;
      }
      this.cpu = this.pool.cpuOf(j);
    }
    const quota = this.placement.quota;
    if (quota !== null && quota.throttledUntil > now) {
      // throttled by its workers' use of the quota: back at the refill
      this.state = THROTTLED;
      this.env.scheduleAt(quota.throttledUntil, this.runBound);
      return;
    }
    if (!this.source.anyReady()) {
      this.sleep(now);
      return;
    }
    const cpu = this.cpu;
    const d = this.source.drain(cpu, now);
    let work = this.costs.epollWaitNs + d.workNs;
    const ch = this.placement.channel;
    const share = this.interruptShare(cpu);
    // the batch's worker: woken on another CPU it costs the reader an IPI send; on the reader's own
    // CPU none (kernel/sched/core.c ttwu_queue: a local wakeup sends no IPI)
    let worker: { cpu: number; slot: number } | null = null;
    if (ch !== null && d.records > 0) {
      work += d.records * this.costs.channelHandoffNs + this.costs.wakeupNs;
      worker = this.workerPlace(cpu, j, now + dilated(work, share));
      if (worker.cpu !== cpu) work += this.costs.ipiSenderNs;
    }
    this.chargeRun(cpu, CAT.readerCpu, work - d.remoteNs);
    this.chargeRun(cpu, CAT.remoteNuma, d.remoteNs);
    this.batches++;
    this.recordsRead += d.records;
    // the pass's wall-clock time on this CPU (and what it takes from the quota): its work stretched by the CPU's interrupt time
    const wall = dilated(work, share);
    this.billInterrupts(work, share);
    // preempted while it runs (a what-if): the other task's time holds the batch's records, not the agent's CPU
    let doneAt = now + wall + (this.preemptedNs !== null && !this.placement.ownsCpu ? this.preemptedNs(wall) : 0);
    if (j >= 0) this.pool!.occupy(j, wall, now);
    if (quota !== null) {
      const before = quota.throttleCount;
      // the quota is charged what the task's clock counts: with IRQ time accounting its own work
      // (the interrupts still take wall-clock time), without it the whole stretch
      doneAt = this.placement.irqTimeAccounting === true ? quota.run(work, now) + (wall - work) : quota.run(wall, now);
      const throttles = quota.throttleCount - before;
      if (throttles > 0) {
        // throttled mid-pass: switched out, back in at each refill (the kernel's time, not the agent's)
        this.state = THROTTLED;
        this.contextSwitches += 2 * throttles;
        this.chargeSide(cpu, CAT.readerCpu, 2 * throttles * this.costs.contextSwitchNs);
      }
    }
    this.passEnd = doneAt;
    d.finish(doneAt);
    // the batch goes to a worker once the reader has handed it over
    if (worker !== null) this.wakeWorker(cpu, worker, d.records, doneAt);
    this.env.scheduleAt(doneAt, this.runBound);
  }

  private sleep(now: number): void {
    this.state = SLEEPING;
    this.contextSwitches++;
    const ns = this.costs.contextSwitchNs + this.costs.epollWaitNs;
    this.chargeRun(this.cpu, CAT.readerCpu, ns);
    const share = this.billedShare(this.cpu);
    this.billInterrupts(ns, share);
    if (this.pool !== null) this.pool.occupy(this.pool.earliest(), ns, now);
    if (this.placement.quota !== null) this.placement.quota.run(this.quotaNs(ns, share), now);
  }

  /**
   * Where the batch's worker will run, decided before the pass is costed: on pinned CPUs, the one
   * that frees first once the reader's pass (slot j, ending at passEnd) is placed; otherwise where
   * the scheduler puts a thread woken from the reader's CPU.
   */
  private workerPlace(readerCpu: number, j: number, passEnd: number): { cpu: number; slot: number } {
    if (this.pool === null) return { cpu: this.pickCpu(readerCpu), slot: -1 };
    let slot = j;
    let free = passEnd;
    for (let k = 0; k < this.pool.cpus.length; k++) {
      if (k !== j && this.pool.freeAt(k) < free) {
        slot = k;
        free = this.pool.freeAt(k);
      }
    }
    return { cpu: this.pool.cpuOf(slot), slot };
  }

  /**
   * A batch goes through the channel; a sleeping worker is woken and processes it elsewhere: on the
   * pinned CPU that frees first (after the work already placed there), or out of the quota.
   */
  private wakeWorker(readerCpu: number, worker: { cpu: number; slot: number }, records: number, from: number): void {
    this.workerWakeups++;
    const ns = 2 * this.costs.contextSwitchNs + 2 * this.costs.runtimeSearchNs + records * this.costs.workerNsPerRecord;
    const workerCpu = worker.cpu;
    if (this.pool !== null) this.pool.occupy(worker.slot, ns, from);
    this.contextSwitches += 2;
    this.chargeRun(workerCpu, CAT.readerCpu, ns);
    const share = this.billedShare(workerCpu);
    this.billInterrupts(ns, share);
    this.chargeSide(workerCpu, CAT.cachePollution, this.costs.cachePollutionNs);
    if (workerCpu !== readerCpu) this.chargeSide(workerCpu, CAT.wakeups, this.costs.ipiTotalNs - this.costs.ipiSenderNs);
    if (this.placement.quota !== null) this.placement.quota.run(this.quotaNs(ns, share), from);
  }

  resetCounters(): void {
    // the ledger is reset with these counters (node-run's warm-up end): the interrupt share restarts
    this.ledgerSince = this.env.now;
    this.ownInterruptNs.fill(0);
    this.billedInterruptNs = 0;
    this.wakeupsFromSleep = 0;
    this.contextSwitches = 0;
    // work placed before the reset that runs after it belongs to the window
    this.agentNsCounted = this.aheadOf(this.env.now);
    this.batches = 0;
    this.recordsRead = 0;
    this.workerWakeups = 0;
  }
}
