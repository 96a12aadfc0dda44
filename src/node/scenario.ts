/**
 * Building a Scenario from profile names (or files) and a few overrides, the way the CLI and the
 * notebooks ask for one. Every override is checked and named in the error when it is wrong; a tool's
 * overrides are applied by node/overrides.ts (applyToolOverrides), which the notebooks share.
 */
import { loadCalibration, loadHardware, loadPlacement, loadTool, loadWorkload, validateProfile } from "../models/load.ts";
import type { ToolProfile, Workload } from "../models/types.ts";
import { ScenarioError } from "./costs.ts";
import { DEFAULT_CALIBRATION } from "../models/default-calibration.ts";
import type { Scenario } from "./simulate.ts";
import { isMechanism, MECHANISM_NAMES, type Mechanism } from "./mechanisms.ts";
import { applyToolOverrides } from "./overrides.ts";

export interface ScenarioSpec {
  /** Hardware profile name or JSON file. */
  hardware: string;
  /** Tool profile name or JSON file; "none" for a node without the agent. */
  tool: string;
  /** Placement name or file. @defaultValue "limited" */
  placement?: string;
  /** Workload name or file. @defaultValue "tcp-receiver-saturating" */
  workload?: string;
  /** Calibration host class or file. @defaultValue DEFAULT_CALIBRATION ("kvm-2vcpu-amd-epyc", measured by bpf/) */
  calibration?: string;
  /** Offered traffic in Gb/s: turns the workload into mode "offered". */
  trafficGbps?: number;
  /** Measured baseline in Gb/s: turns the workload into mode "observed". */
  observedGbps?: number;
  /** Overrides the tool's sampling (1 in N). */
  sampling?: number;
  /** Overrides a perf tool's pages per CPU. */
  perfPages?: number;
  /** Overrides a perf tool's wakeup_events (clears its watermark). */
  wakeupEvents?: number;
  /** Overrides a ring buffer tool's size in bytes. */
  ringbufBytes?: number;
  /** Overrides the node's kernel release ("5.15"). */
  kernel?: string;
  /** Fixes the receive channel count (as `ethtool -L combined N`). */
  rxChannels?: number;
  /** Overrides a Go agent's go line ("1.24", "1.25"): decides its GOMAXPROCS. */
  goVersion?: string;
  /** Overrides the hardware's VM exit cost, ns. */
  vmExitNs?: number;
  /** Overrides the node kernel's CONFIG_IRQ_TIME_ACCOUNTING (hardware irqTimeAccounting). */
  irqTimeAccounting?: boolean;
  /** Overrides the workload's processContextShare (0..1). */
  processContextShare?: number;
  /** Overrides the workload's receiverThreadsPerCpu. */
  receiverThreadsPerCpu?: number;
  /** Sets the workload's receiveCostScale (saturating/offered modes). */
  receiveCostScale?: number;
  /** Sets the workload's mobileCostScale. */
  mobileCostScale?: number;
  /**
   * The receiver's flows are window-limited, this many in parallel (Workload.windowLimited; the
   * window's rate is the workload's, else the node's baseline). Omitted: the workload's setting.
   */
  windowFlows?: number;
  /** Mechanisms switched off (ablation): names from node/mechanisms.ts. */
  disabled?: string[];
}

export { DEFAULT_CALIBRATION };

export function buildScenario(spec: ScenarioSpec): Scenario {
  const hardware = loadHardware(spec.hardware);
  let tool: ToolProfile | null = spec.tool === "none" ? null : loadTool(spec.tool);
  const placement = loadPlacement(spec.placement ?? "limited");
  let workload: Workload = loadWorkload(spec.workload ?? "tcp-receiver-saturating");
  const calibration = loadCalibration(spec.calibration ?? DEFAULT_CALIBRATION);
  if (spec.trafficGbps !== undefined && spec.observedGbps !== undefined) {
    throw new ScenarioError(`traffic and observed are exclusive: give one (traffic = ${spec.trafficGbps}, observed = ${spec.observedGbps})`);
  }
  if (spec.trafficGbps !== undefined) {
    const { observedGbps: _o, ...rest } = workload;
    workload = validateProfile("workload", { ...rest, mode: "offered", offeredGbps: spec.trafficGbps }, `--traffic ${spec.trafficGbps}`);
  }
  if (spec.observedGbps !== undefined) {
    const { offeredGbps: _o, ...rest } = workload;
    workload = validateProfile("workload", { ...rest, mode: "observed", observedGbps: spec.observedGbps }, `--observed ${spec.observedGbps}`);
  }
  if (tool !== null) {
    const t = applyToolOverrides(tool, {
      sampling: spec.sampling,
      perfPages: spec.perfPages,
      wakeupEvents: spec.wakeupEvents,
      ringbufBytes: spec.ringbufBytes,
    });
    tool = validateProfile("tool", t, `tool ${t.name} with overrides`);
  }
  let hw = hardware;
  if (spec.kernel !== undefined || spec.rxChannels !== undefined || spec.vmExitNs !== undefined || spec.irqTimeAccounting !== undefined) {
    const h = structuredClone(hw);
    if (spec.kernel !== undefined) h.kernel = spec.kernel;
    if (spec.rxChannels !== undefined) h.nic.rxQueues = spec.rxChannels;
    if (spec.vmExitNs !== undefined) h.vmExitNs = spec.vmExitNs;
    if (spec.irqTimeAccounting !== undefined) h.irqTimeAccounting = spec.irqTimeAccounting;
    hw = validateProfile("hardware", h, `hardware ${h.name} with overrides`);
  }
  if (
    spec.processContextShare !== undefined ||
    spec.receiverThreadsPerCpu !== undefined ||
    spec.receiveCostScale !== undefined ||
    spec.mobileCostScale !== undefined ||
    spec.windowFlows !== undefined
  ) {
    const w = { ...workload };
    if (spec.windowFlows !== undefined)
      w.windowLimited = { ...(workload.windowLimited?.gbps === undefined ? {} : { gbps: workload.windowLimited.gbps }), flows: spec.windowFlows };
    if (spec.processContextShare !== undefined) w.processContextShare = spec.processContextShare;
    if (spec.receiverThreadsPerCpu !== undefined) w.receiverThreadsPerCpu = spec.receiverThreadsPerCpu;
    if (spec.receiveCostScale !== undefined) w.receiveCostScale = spec.receiveCostScale;
    if (spec.mobileCostScale !== undefined) w.mobileCostScale = spec.mobileCostScale;
    workload = validateProfile("workload", w, `workload ${w.name} with overrides`);
  }
  if (spec.goVersion !== undefined) {
    if (tool === null) throw new ScenarioError(`goVersion = ${spec.goVersion}: tool none has no Go runtime`, "goVersion", spec.goVersion);
    const t = applyToolOverrides(tool, { goVersion: spec.goVersion });
    tool = validateProfile("tool", t, `tool ${t.name} with goVersion ${spec.goVersion}`);
  }
  const disabled: Mechanism[] = [];
  for (const d of spec.disabled ?? []) {
    if (!isMechanism(d)) throw new ScenarioError(`disabled mechanism = ${JSON.stringify(d)}: must be one of ${MECHANISM_NAMES.join(", ")}`);
    disabled.push(d);
  }
  return { hardware: hw, tool, placement, workload, calibration, ...(disabled.length > 0 ? { disabled } : {}) };
}
