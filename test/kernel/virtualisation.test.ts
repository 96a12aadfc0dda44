import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { wakeupPathCosts } from "../../src/kernel/virtualisation.ts";
import { loadCalibration, loadHardware } from "../../src/models/load.ts";
import type { Costs, HardwareProfile } from "../../src/models/types.ts";

/**
 * A reschedule IPI in a VM without IPI virtualisation: the sender's x2APIC ICR write exits
 * (KVM arch/x86/kvm/lapic.c kvm_x2apic_icr_write), the receiver takes an exit or posted-interrupt
 * notification; irq_work's self-IPI (arch_irq_work_raise -> apic->send_IPI_self) is one ICR write.
 * Expected values are by hand: one exit per ICR write and one per delivery.
 */
const hw = (virtualised: boolean, vmExitNs: number, ipiNs: number) => ({ ...loadHardware("azure-d32s-v5"), virtualised, vmExitNs, ipiNs }) as HardwareProfile;
const costs = { ...({} as Costs), irqWorkNs: 300, irqWorkLatencyNs: 200 } as Costs;

describe("wakeupPathCosts", () => {
  it("bare metal: no exits; the sender pays half the IPI", () => {
    expect(wakeupPathCosts(hw(false, 1200, 1000), costs, false)).toEqual({ irqWorkRaiseNs: 300, irqWorkLatencyNs: 200, ipiSenderNs: 500, ipiTotalNs: 1000 });
  });
  it("a VM, calibrated on bare metal: the self-IPI's exit on the raise and its latency, one exit per IPI side", () => {
    expect(wakeupPathCosts(hw(true, 1200, 1000), costs, false)).toEqual({
      irqWorkRaiseNs: 300 + 1200,
      irqWorkLatencyNs: 200 + 1200,
      ipiSenderNs: 500 + 1200,
      ipiTotalNs: 1000 + 2 * 1200,
    });
  });
  it("a VM, calibrated in a VM: irq_work's measured costs already hold the self-IPI exit (not added twice); the reschedule IPI's exits are", () => {
    expect(wakeupPathCosts(hw(true, 1200, 1000), costs, true)).toEqual({ irqWorkRaiseNs: 300, irqWorkLatencyNs: 200, ipiSenderNs: 1700, ipiTotalNs: 3400 });
  });
  it("a VM calibrated in a VM whose exit cost is known: the self-IPI's exit in the raise is swapped for the node's (by hand: 300 - 1200 + 2500)", () => {
    // the raise's CPU time moves; its latency (fitted) does not: the CPU runs no guest code during the exit
    expect(wakeupPathCosts(hw(true, 2500, 1000), costs, true, 1200)).toMatchObject({ irqWorkRaiseNs: 300 + 1300, irqWorkLatencyNs: 200 });
    expect(wakeupPathCosts(hw(true, 1200, 1000), costs, true, 1200)).toMatchObject({ irqWorkRaiseNs: 300, irqWorkLatencyNs: 200 });
    // a cheaper exit than the measuring host's takes the difference off, never below 0
    expect(wakeupPathCosts(hw(true, 600, 1000), costs, true, 1200)).toMatchObject({ irqWorkRaiseNs: 0, irqWorkLatencyNs: 200 });
    expect(wakeupPathCosts(hw(true, 1000, 1000), { ...costs, irqWorkNs: 6000 }, true, 1200).irqWorkRaiseNs).toBe(5800);
    // on bare metal the measured costs stay as they are (the host's exit is only an estimate)
    expect(wakeupPathCosts(hw(false, 0, 1000), costs, true, 1200)).toMatchObject({ irqWorkRaiseNs: 300, irqWorkLatencyNs: 200 });
  });
  it("a bare-metal node ignores its profile's vmExitNs", () => {
    expect(wakeupPathCosts(hw(false, 99_999, 1000), costs, true).ipiTotalNs).toBe(1000);
  });
  it("property: sender and receiver pay the same (half the IPI and one exit each), and every cost grows with the exit cost", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
        (virt, inVm, exit, extra, ipi, hostExit) => {
          const a = wakeupPathCosts(hw(virt, exit, ipi), costs, inVm, hostExit);
          const b = wakeupPathCosts(hw(virt, exit + extra, ipi), costs, inVm, hostExit);
          expect(a.ipiTotalNs).toBeCloseTo(2 * a.ipiSenderNs, 9);
          for (const k of ["irqWorkRaiseNs", "irqWorkLatencyNs", "ipiSenderNs", "ipiTotalNs"] as const) expect(b[k]).toBeGreaterThanOrEqual(a[k]);
        },
      ),
    );
  });
  it("works on the shipped profiles and calibration", () => {
    const cal = loadCalibration("kvm-2vcpu-amd-epyc");
    const c = Object.fromEntries(Object.entries(cal.constants).map(([k, v]) => [k, v.value])) as unknown as Costs;
    const h = loadHardware("azure-d32s-v5");
    const w = wakeupPathCosts(h, c, true);
    expect(w.ipiTotalNs).toBe(h.ipiNs + (h.virtualised ? 2 * h.vmExitNs : 0));
  });
});
