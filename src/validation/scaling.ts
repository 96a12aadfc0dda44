/**
 * Predicted overhead against node size: retina-perf and retina-ringbuf on every shipped cloud
 * hardware profile (models/hardware, those named after a provider: azure-*, aws-*), under the
 * saturating closed-loop receiver (tcp-receiver-saturating: the node carries all it can, up to its
 * NIC bandwidth), or that receiver "observed" at the NIC bandwidth (receive CPUs saturated exactly at
 * line rate), and the default placement (Kubernetes CPU limit). Nothing of the seed is an input.
 */
import { listProfiles, loadHardware } from "../models/load.ts";
import { buildScenario, DEFAULT_CALIBRATION } from "../node/scenario.ts";
import { simulate, type SimulateOptions, type SimulationResult } from "../node/simulate.ts";

export interface ScalingOptions extends SimulateOptions {
  /** @defaultValue DEFAULT_CALIBRATION (the measured host calibration) */
  calibration?: string;
  /** @defaultValue ["retina-perf", "retina-ringbuf"] */
  tools?: string[];
  /** @defaultValue "tcp-receiver-saturating" */
  workload?: string;
  /** @defaultValue "limited" */
  placement?: string;
  /** Hardware profiles to use. @defaultValue every profile whose name starts with azure- or aws- */
  hardware?: string[];
  /**
   * Run the workload in mode "observed" at each shape's NIC bandwidth: the receive CPUs are exactly
   * saturated at line rate, so the agent's CPU comes out of throughput. @defaultValue false
   */
  observedAtNic?: boolean;
}

export interface ScalingPoint {
  hardware: string;
  vcpus: number;
  tool: string;
  result: SimulationResult;
}

export function scalingSweep(o: ScalingOptions = {}): ScalingPoint[] {
  const {
    calibration = DEFAULT_CALIBRATION,
    tools = ["retina-perf", "retina-ringbuf"],
    workload = "tcp-receiver-saturating",
    placement = "limited",
    hardware,
    observedAtNic = false,
    ...sim
  } = o;
  const names = hardware ?? listProfiles("hardware").filter((n) => /^(azure|aws)-/.test(n));
  const shapes = names.map((n) => loadHardware(n)).sort((a, b) => a.vcpus - b.vcpus || a.name.localeCompare(b.name));
  const out: ScalingPoint[] = [];
  for (const hw of shapes) {
    for (const tool of tools) {
      const result = simulate(
        buildScenario({ hardware: hw.name, tool, placement, workload, calibration, observedGbps: observedAtNic ? hw.nic.bandwidthGbps : undefined }),
        sim,
      );
      out.push({ hardware: hw.name, vcpus: hw.vcpus, tool, result });
    }
  }
  return out;
}
