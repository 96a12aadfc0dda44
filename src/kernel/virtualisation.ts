/**
 * What the wakeup path costs on this node, bare metal or virtualised.
 *
 * In a VM without IPI virtualisation (most cloud shapes today), writing the x2APIC ICR to send an
 * IPI traps to the hypervisor (a VM exit on the sender), and delivering it to a halted or running
 * vCPU costs the receiver an exit or a posted-interrupt notification; irq_work's self-IPI
 * (`arch_irq_work_raise` → `apic->send_IPI_self`) is such an ICR write too. Sources: Intel SDM vol. 3
 * ch. 29 (APIC virtualisation), KVM's arch/x86/kvm/lapic.c `kvm_x2apic_icr_write`. The VM exit cost
 * itself comes from the hardware profile; the kernel-side costs from calibration. A calibration
 * measured inside a VM already contains the exits of the irq_work self-IPI and of the wakeup (its
 * `irqWorkNs` and `wakeupNs` are what the guest saw): those exits are then not added again. On a
 * virtualised node, the self-IPI's exit in them is replaced by the node's own: the raise's cost moves
 * by the node's vmExitNs less the measuring host's (`calibrationExitNs`, the estimate of the hardware
 * profile that describes that host; never below 0), its fitted latency does not. Applied to a bare-metal profile,
 * such a calibration overestimates the wakeup path (left as measured: the host's exit cost is an
 * estimate, and the bare-metal benchmark profiles are compared against published tables).
 */
import type { HardwareProfile } from "../models/types.ts";
import type { Costs } from "../models/types.ts";

export interface WakeupPathCosts {
  /** irq_work_queue + self-IPI, paid by the producing CPU. */
  irqWorkRaiseNs: number;
  /** Delay until the irq_work runs. */
  irqWorkLatencyNs: number;
  /** A reschedule IPI: what the sender pays, and sender + receiver together. */
  ipiSenderNs: number;
  ipiTotalNs: number;
}

export function wakeupPathCosts(hw: HardwareProfile, costs: Costs, calibratedInVm: boolean, calibrationExitNs?: number): WakeupPathCosts {
  const exit = hw.virtualised ? hw.vmExitNs : 0;
  const selfIpiExit = calibratedInVm ? 0 : exit;
  // the swap moves the raise's CPU time only: during the exit the producing CPU runs no guest code,
  // so no further record can arrive to share the pending irq_work, and the latency stays as fitted
  // on the measuring host (a bare-metal calibration applied to a VM still adds the exit to both, the
  // simpler rule this file started with; no shipped scenario uses that path)
  const swap = calibratedInVm && hw.virtualised && calibrationExitNs !== undefined ? hw.vmExitNs - calibrationExitNs : 0;
  return {
    irqWorkRaiseNs: Math.max(0, costs.irqWorkNs + selfIpiExit + swap),
    irqWorkLatencyNs: costs.irqWorkLatencyNs + selfIpiExit,
    ipiSenderNs: hw.ipiNs / 2 + exit,
    ipiTotalNs: hw.ipiNs + 2 * exit,
  };
}
