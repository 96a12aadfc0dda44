// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * wakeups.bpf.c - counts, per CPU, how often the kernel functions behind a perf event array's
 * (and a BPF ring buffer's) reader wakeups run, with fentry programs (BPF_PROG_TYPE_TRACING,
 * attached through BTF; no kprobes needed). Loaded by `bpfsim-loader --count-wakeups` for the
 * duration of a run, so that the irq_work coalescing ratio wakeups/outputs can be measured:
 *
 *   perf_event_output   one call per bpf_perf_event_output that reaches a perf ring
 *                       (kernel/trace/bpf_trace.c __bpf_perf_event_output -> perf_event_output);
 *                       the record is written, and when wakeup_events/watermark say so,
 *                       perf_output_wakeup() sets pending_wakeup and irq_work_queue()s
 *                       event->pending_irq, which is a no-op while that irq_work is still pending
 *                       (kernel/events/ring_buffer.c, kernel/irq_work.c).
 *   perf_pending_irq    the irq_work handler for a perf event: runs once per queued irq_work.
 *   perf_event_wakeup   called from perf_pending_irq when pending_wakeup was set: one wake_up_all
 *                       of the reader's wait queue (kernel/events/core.c).
 *   bpf_ringbuf_notify  the ring buffer's irq_work handler: one wake_up_all per run
 *                       (kernel/bpf/ringbuf.c).
 *   irq_work_entry      raw tracepoint (irq_vectors:irq_work_entry, arch/x86 sysvec_irq_work):
 *                       one per irq_work self-IPI, which runs every irq_work pending on that CPU.
 *                       It needs no fentry, so it is the fallback where fentry programs cannot be
 *                       loaded (some kernels refuse BPF_TRACE_FENTRY with EPERM, e.g. under a
 *                       hardened/lockdown build). With one perf event per CPU and wakeup_events or
 *                       a watermark, each perf irq_work run is one perf_event_wakeup, so on an
 *                       otherwise quiet host irq_work IPIs ~ perf_event_wakeup calls (other
 *                       irq_work users count too: measure the background with mode none).
 *
 * These counts are system-wide: any other perf_event user on the host counts too (check with
 * the loader stopped). The programs only increment a PERCPU_ARRAY slot; they never read
 * their arguments.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

enum { WK_PERF_OUTPUT = 0, WK_PERF_PENDING_IRQ = 1, WK_PERF_WAKEUP = 2, WK_RINGBUF_NOTIFY = 3, WK_IRQ_WORK_IPI = 4, WK_N = 5 };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WK_N);
	__type(key, __u32);
	__type(value, __u64);
} wakeup_counts SEC(".maps");

static __always_inline void bump(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&wakeup_counts, &k);
	if (v)
		*v += 1; /* per-CPU slot: no atomics needed */
}

SEC("fentry/perf_event_output")
int BPF_PROG(count_perf_event_output)
{
	bump(WK_PERF_OUTPUT);
	return 0;
}

SEC("fentry/perf_pending_irq")
int BPF_PROG(count_perf_pending_irq)
{
	bump(WK_PERF_PENDING_IRQ);
	return 0;
}

SEC("fentry/perf_event_wakeup")
int BPF_PROG(count_perf_event_wakeup)
{
	bump(WK_PERF_WAKEUP);
	return 0;
}

SEC("fentry/bpf_ringbuf_notify")
int BPF_PROG(count_bpf_ringbuf_notify)
{
	bump(WK_RINGBUF_NOTIFY);
	return 0;
}

SEC("raw_tp/irq_work_entry")
int count_irq_work_entry(void *ctx)
{
	bump(WK_IRQ_WORK_IPI);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
