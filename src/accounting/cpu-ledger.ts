/**
 * Where every nanosecond of agent-caused work lands: per CPU and per mechanism.
 *
 * The node model charges each cost to the CPU that pays it (the producing CPU for BPF output and
 * irq_work, the CPU the reader happens to run on for its wakeups and reads) and to one category, so
 * the throughput solver can see which CPUs lose capacity and the report can say why.
 */

export const COST_CATEGORIES = [
  "bpfProgram", // running the parser at each TC hook
  "recordOutput", // copying the record into the buffer and publishing it
  "lockSpin", // waiting for and holding the ring buffer's spinlock (incl. lock handoffs)
  "wakeups", // irq_work, perf_event_wakeup / notify, try_to_wake_up, IPIs and their VM exits
  "cacheLines", // producer/consumer position lines bouncing between CPUs (same NUMA node)
  "remoteNuma", // the same, across NUMA nodes, and remote reads of ring pages
  "readerCpu", // the reader and its workers running on a CPU that had other work (incl. context switches)
  "cachePollution", // cache refill paid by the task the reader displaced
  "epollLock", // spinning on the eventpoll locks in ep_poll_callback, and ttwu's idle-CPU search under them
] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

export class CpuLedger {
  /** ns charged, indexed [category * cpus + cpu]. */
  readonly ns: Float64Array;
  constructor(readonly cpus: number) {
    this.ns = new Float64Array(COST_CATEGORIES.length * cpus);
  }
  charge(cpu: number, category: number, ns: number): void {
    this.ns[category * this.cpus + cpu] += ns;
  }
  /** Total ns charged to one CPU (all categories). */
  cpuTotal(cpu: number): number {
    let s = 0;
    for (let k = 0; k < COST_CATEGORIES.length; k++) s += this.ns[k * this.cpus + cpu];
    return s;
  }
  categoryOn(cpu: number, category: number): number {
    return this.ns[category * this.cpus + cpu];
  }
  reset(): void {
    this.ns.fill(0);
  }
}

/** Category indices, for hot paths. */
export const CAT = Object.fromEntries(COST_CATEGORIES.map((c, i) => [c, i])) as Record<CostCategory, number>;
