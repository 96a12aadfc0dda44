/**
 * The many-core mechanisms a scenario can switch off one at a time (ablation: `reproduce --ablate`),
 * to see which one carries an overhead. Each names the file where it lives.
 */
export const MECHANISMS = {
  /** kernel/rx-channels.ts: the NIC driver's default channel count; off: one channel per vCPU. */
  rxChannelPool: "the RX channel pool (driver default channels; off: one per vCPU)",
  /** kernel/softirq.ts: a saturated receive CPU's softirq served from ksoftirqd at its fair share; off: inline. */
  ksoftirqd: "ksoftirqd taking over a saturated receive CPU (off: softirq stays inline)",
  /** kernel/eventpoll.ts + scheduler.ts idleCpuScanNs: contention on the epoll locks, ttwu's idle-CPU search. */
  epollLock: "the epoll wakeup chain's shared lock and idle-CPU search",
  /** agent/go-runtime.ts: GOMAXPROCS-sized scheduler searches and sched.lock contention; off: a native reader. */
  goRuntime: "the Go runtime sized by GOMAXPROCS (off: a native reader)",
  /** the cilium/ebpf reader's check of every ring after each wakeup; off: only the ready rings. */
  readerRingScan: "the reader's scan of every ring per wakeup",
  /** kernel/virtualisation.ts: VM exits on IPIs and irq_work self-IPIs; off: bare-metal costs. */
  vmExits: "VM exits on IPIs (off: bare metal)",
  /**
   * agent/epoll-reader.ts: the receive path's inline softirq on the reader's CPU stretches the
   * reader's time there and, without IRQ time accounting, its CPU bill and quota use; off: only the
   * agent's own interrupt work does.
   */
  readerInterruptTime: "the receive path's interrupt time on the reader's CPU (off: only the agent's own)",
} as const;

export type Mechanism = keyof typeof MECHANISMS;
export const MECHANISM_NAMES = Object.keys(MECHANISMS) as Mechanism[];

export function isMechanism(s: string): s is Mechanism {
  return Object.prototype.hasOwnProperty.call(MECHANISMS, s);
}
