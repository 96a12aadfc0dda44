/**
 * irq_work: work queued from a context that cannot wake tasks (NMI, a BPF program holding locks),
 * run shortly after from a self-interrupt on the same CPU.
 *
 * Kernel (read at v6.18; version differences are named where they matter): kernel/irq_work.c `irq_work_queue` / `irq_work_claim`: queuing an item that is
 * still pending does nothing and returns false, so wakeups requested while one is in flight
 * coalesce into it; `arch_irq_work_raise` sends a self-IPI (x86: an APIC write, which in a VM
 * without IPI virtualisation is a VM exit). This file keeps one pending flag per work item
 * (a perf event's `pending_irq`, or a ring buffer's `rb->work`).
 */

export class IrqWork {
  readonly pending: Uint8Array;
  /** Items queued (irq_work_queue returned true) and requests that coalesced into a pending one. */
  raised = 0;
  coalesced = 0;
  constructor(items: number) {
    this.pending = new Uint8Array(items);
  }
  /** irq_work_queue: true if this call raised the work, false if it coalesced into a pending one. */
  queue(item: number): boolean {
    if (this.pending[item] === 1) {
      this.coalesced++;
      return false;
    }
    this.pending[item] = 1;
    this.raised++;
    return true;
  }
  /** The work runs: it is no longer pending. */
  run(item: number): void {
    this.pending[item] = 0;
  }
}
