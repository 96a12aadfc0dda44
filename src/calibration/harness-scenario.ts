/**
 * The node model's scenario for one configuration of our harness (bpf/ loader settings): the
 * harness tool profile with the run's buffer, wakeup and sampling settings, and the reader's
 * placement (CPU limit or affinity). Used by the calibration's fits and by the held-out validation.
 */
import type { TrafficShape } from "../measure/grid.ts";
import type { LoaderSettings } from "../measure/loader.ts";
import { loadTool } from "../models/load.ts";
import type { CalibrationConstantName, CalibrationFile, Placement, ToolProfile } from "../models/types.ts";
import { toolWithOverrides } from "../node/overrides.ts";
import { buildScenario } from "../node/scenario.ts";
import { simulate, type Scenario, type SimulateOptions, type SimulationResult } from "../node/simulate.ts";

/**
 * Mode none (the parser runs on every packet and emits nothing) as the harness tool sampling one
 * packet in 10^6, the tool schema's bound: the program's cost on every packet, and at most one record
 * per million program runs (none at all in a replication of under a million program runs), whose
 * output, wakeup and reader costs are far below the replication interval.
 */
export const NO_OUTPUT_SAMPLING = 1_000_000;

/**
 * The harness tool (harness-perf or harness-ringbuf) with a run's loader settings: the perf settings
 * apply to perf mode and the ring buffer's to ring buffer mode, the others are ignored (the loader
 * ignores them too); a watermark wins over wakeup_events, as in the loader. Mode none: see
 * NO_OUTPUT_SAMPLING.
 */
export function toolForSettings(s: LoaderSettings): ToolProfile {
  if (s.mode === "none") return toolWithOverrides("harness-perf", { sampling: NO_OUTPUT_SAMPLING }, loadTool);
  const common = { sampling: s.sample };
  if (s.mode === "perf") {
    const wakeup = s.watermarkBytes !== undefined ? { watermarkBytes: s.watermarkBytes } : { wakeupEvents: s.wakeupEvents };
    return toolWithOverrides("harness-perf", { ...common, perfPages: s.perfPages, ...wakeup }, loadTool);
  }
  return toolWithOverrides("harness-ringbuf", { ...common, ringbufBytes: s.ringbufBytes, ringbufWakeup: s.rbWakeup }, loadTool);
}

export function placementFor(s: LoaderSettings, cpuLimit: number | undefined, cfsPeriodUs = 100000): { placement: Placement; notes: string[] } {
  if (s.readerCpu !== undefined) {
    return {
      placement: {
        name: "pinned-shared",
        kind: "pinned",
        description: "reader pinned (affinity shared with the application)",
        dedicatedCpus: 1,
        exclusive: false,
      },
      notes: [
        `reader pinned to CPU ${s.readerCpu} by affinity only (iperf3 may run there too): modelled as a non-exclusive pin` +
          (cpuLimit !== undefined ? `; the CPU limit ${cpuLimit} is not modelled together with pinning` : ""),
      ],
    };
  }
  if (cpuLimit !== undefined) {
    return { placement: { name: `limited-${cpuLimit}`, kind: "limited", description: `cgroup cpu.max ${cpuLimit} CPU`, cpuLimit, cfsPeriodUs }, notes: [] };
  }
  return { placement: { name: "unlimited", kind: "unlimited", description: "no limit, not pinned" }, notes: [] };
}

/**
 * The hardware, workload and baseline configuration of one traffic shape of our harness
 * (measure/grid.ts TrafficShape; a configuration without a shape is the veth pair):
 * - veth: one iperf3 stream over the veth pair: workload iperf3-veth (every ACK from the receive
 *   CPU, the model the calibration was fitted with), baseline tp-baseline;
 * - lo-p2: iperf3 -P 2 over a namespace's loopback, the parser on lo ingress and egress: workload
 *   iperf3-lo-p2 (64 KiB skbs, the data path on the one sending thread's CPU, ACKs from the
 *   receiving thread's CPU), baseline tp-lo-p2-baseline.
 * Both run on dev-kvm-2vcpu: veth and loopback alike put a sent skb on the sending CPU's backlog,
 * so each has one receive 'queue' (see the workloads' sources).
 */
export interface HarnessShape {
  shape: TrafficShape;
  hardware: string;
  workload: string;
  baselineConfig: string;
}

export function harnessShape(shape: TrafficShape | undefined): HarnessShape {
  if (shape === undefined || shape === "veth") return { shape: "veth", hardware: "dev-kvm-2vcpu", workload: "iperf3-veth", baselineConfig: "tp-baseline" };
  if (shape === "lo-p2") return { shape, hardware: "dev-kvm-2vcpu", workload: "iperf3-lo-p2", baselineConfig: "tp-lo-p2-baseline" };
  throw new RangeError(`harnessShape: unknown traffic shape ${String(shape)}`);
}

/** The traffic shape of a configuration id: `tp-lo-p2-*` / `tpw-lo-p2-*` are lo-p2, the rest veth. */
export function shapeOfConfigId(configId: string): TrafficShape {
  return /^tp[wd]?-lo-p2-/.test(configId) ? "lo-p2" : "veth";
}

/**
 * One harness configuration run through the node model with no CPU limit (its placement from the
 * loader settings): hardware dev-kvm-2vcpu and workload iperf3-veth unless given, observed at
 * `baselineGbps`, the harness tool with the run's settings. The calibration's fits ask it for wakeups
 * and reader cycles per output.
 */
/**
 * Simulation options of a harness run: the simulation's, the host's hardware and workload profiles,
 * and optionally the what-ifs of measured reader waits (Scenario.runqueueWaitUs, readerPreemption).
 */
export type HarnessSimOptions = SimulateOptions & {
  hardware?: string;
  workload?: string;
  runqueueWaitUs?: Scenario["runqueueWaitUs"];
  readerPreemption?: Scenario["readerPreemption"];
};

export function simulateHarness(cal: CalibrationFile, settings: LoaderSettings, baselineGbps: number, sim: HarnessSimOptions = {}): SimulationResult {
  const { hardware = "dev-kvm-2vcpu", workload = "iperf3-veth", runqueueWaitUs, readerPreemption, ...opts } = sim;
  const scenario = buildScenario({ hardware, tool: "none", workload, observedGbps: baselineGbps });
  const { placement } = placementFor(settings, undefined);
  return simulate({ ...scenario, calibration: cal, tool: toolForSettings(settings), placement, runqueueWaitUs, readerPreemption }, opts);
}

/** A copy of `cal` with one constant's value replaced (what a fit tries at each step). */
export function withConstant(cal: CalibrationFile, name: CalibrationConstantName, value: number): CalibrationFile {
  const c = structuredClone(cal);
  c.constants[name] = { ...c.constants[name], value };
  return c;
}
