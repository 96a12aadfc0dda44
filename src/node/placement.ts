/**
 * The agent's placement as the node model uses it: CFS quota in ns, or the CPU it owns.
 *
 * Kubernetes: a CPU limit becomes cpu.max (CFS bandwidth); with the CPUManager static policy a
 * Guaranteed pod with integer CPUs gets exclusive CPUs. Here a pinned agent owns the last CPU(s) of
 * the node, away from the RX queues' CPUs when there are fewer queues than CPUs, and its threads run
 * only there. A non-exclusive pin (an affinity, e.g. `taskset` on the reader) keeps the threads there
 * but leaves the CPU to the application too, so their time is taken from whatever runs there. An unlimited or limited agent runs wherever the scheduler wakes it (scheduler.ts).
 */
import type { HardwareProfile, Placement } from "../models/types.ts";
import { ScenarioError } from "./costs.ts";

export type AgentPlacement =
  | { kind: "unlimited" }
  | { kind: "limited"; cpuLimit: number; cfsPeriodNs: number }
  | { kind: "pinned"; dedicatedCpu: number; dedicatedCpus: number; exclusive: boolean };

export function agentPlacement(p: Placement, hw: HardwareProfile): AgentPlacement {
  switch (p.kind) {
    case "unlimited":
      return { kind: "unlimited" };
    case "limited":
      return { kind: "limited", cpuLimit: p.cpuLimit, cfsPeriodNs: p.cfsPeriodUs * 1000 };
    case "pinned":
      if (p.dedicatedCpus >= hw.vcpus) {
        throw new ScenarioError(`placement ${p.name}: dedicatedCpus = ${p.dedicatedCpus}: must be below the node's ${hw.vcpus} vCPUs`);
      }
      return { kind: "pinned", dedicatedCpu: hw.vcpus - 1, dedicatedCpus: p.dedicatedCpus, exclusive: p.exclusive ?? true };
    default:
      throw new ScenarioError(`placement: kind = ${String((p as { kind: unknown }).kind)}: must be unlimited, limited or pinned`);
  }
}
