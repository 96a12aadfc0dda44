/**
 * NET_RX softirq on a receive CPU, and what happens when it cannot keep up: ksoftirqd.
 *
 * Kernel: kernel/softirq.c `__do_softirq` runs pending softirqs at interrupt exit for at most
 * MAX_SOFTIRQ_TIME (2 ms) or MAX_SOFTIRQ_RESTART (10) rounds, then `wakeup_softirqd()` hands the
 * rest to the per-CPU thread ksoftirqd/N, an ordinary SCHED_OTHER task. From v4.9 (commit
 * 4cd13c21b207, Eric Dumazet, "softirq: Let ksoftirqd do its job") to v6.4, `invoke_softirq` and
 * `do_softirq` skip inline processing while ksoftirqd is runnable (`ksoftirqd_running`), so a CPU
 * whose receive work exceeds what it can do inline processes ALL of its NET_RX from ksoftirqd, which
 * the fair scheduler gives one share against the other runnable tasks there. Commit d15121be7485
 * (Paolo Abeni, "Revert 'softirq: Let ksoftirqd do its job'", v6.5) restores inline processing at
 * every interrupt exit, so from v6.5 (and before v4.9) a saturated receive CPU keeps running its
 * softirq ahead of tasks and the tasks move away (the load balancer sees the CPU busy).
 *
 * The model: on the deferring kernels a receive CPU's sustained softirq capacity is the CFS share
 * 1 / (1 + n) of the CPU, n being the runnable application threads that share it with ksoftirqd. A
 * burst (a GRO batch, interrupt coalescing) that overruns one __do_softirq hands the queue to
 * ksoftirqd; while the demand exceeds ksoftirqd's share the backlog cannot drain, so the queue stays
 * there (packets wait in the NIC ring and the backlog, overflow is dropped, the flows on that queue
 * slow down) until its demand falls below the share. A receiver thread is runnable only while it has
 * data, so n falls as the node's throughput does. On the other kernels the capacity is the whole CPU.
 * Left out: how often bursts start a takeover below that share (taken as: whenever the demand
 * exceeds it), which makes this the pessimistic end for the deferring kernels. Left out: threaded NAPI (off by default), the budget's
 * jiffies granularity (2 ms is 0-4 ms at HZ=250), nice levels, SCHED_IDLE.
 */
import { atLeast, type KernelVersion } from "./version.ts";

/** True on the kernels whose softirq defers to ksoftirqd entirely once it runs (v4.9 to v6.4). */
export function ksoftirqdTakesOver(k: KernelVersion): boolean {
  return atLeast(k, 4, 9) && !atLeast(k, 6, 5);
}

/**
 * Share of a saturated receive CPU that its softirq work gets, where ksoftirqd takes over: the fair
 * share 1 / (1 + n) against the receiver threads runnable there. A receiver thread is runnable only
 * while it has data to process, so n = threadsPerCpu x the share of the node's CPU the
 * application's work uses (`appBusyShare`): a node whose receive CPUs starve the application hands
 * ksoftirqd most of their time. 1 where softirq stays inline. The result is a function of
 * appBusyShare, for the throughput solver's fixed point.
 */
export function saturatedSoftirqShare(k: KernelVersion, threadsPerCpu: number): ((appBusyShare: number) => number) | undefined {
  if (!ksoftirqdTakesOver(k)) return undefined;
  const n = Math.max(0, threadsPerCpu);
  return (appBusyShare) => 1 / (1 + n * Math.min(1, Math.max(0, appBusyShare)));
}

/**
 * skbs a receive CPU holds waiting for its softirq before it drops: the NIC's RX ring (1024
 * descriptors, the common driver default, e.g. mlx5's MLX5E_PARAMS_DEFAULT_LOG_RQ_SIZE = 10) plus the
 * per-CPU backlog (net.core.netdev_max_backlog = 1000, net/core/net-sysfs / sysctl_net_core.c).
 * Counted in skbs after GRO, an approximation (the ring counts descriptors).
 */
export const SKB_QUEUE_LIMIT = 1024 + 1000;
