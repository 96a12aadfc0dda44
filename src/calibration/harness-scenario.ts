/**
 * The node model's scenario for one configuration of our harness (bpf/ loader settings): the
 * harness tool profile with the run's buffer, wakeup and sampling settings, and the reader's
 * placement (CPU limit or affinity). Used by the calibration's fits and by the held-out validation.
 */
import type { LoaderSettings } from "../measure/loader.ts";
import { loadTool } from "../models/load.ts";
import type { Placement, ToolProfile } from "../models/types.ts";
import { toolWithOverrides } from "../node/overrides.ts";

/**
 * The harness tool (harness-perf or harness-ringbuf) with a run's loader settings: the perf settings
 * apply to perf mode and the ring buffer's to ring buffer mode, the others are ignored (the loader
 * ignores them too); a watermark wins over wakeup_events, as in the loader.
 */
export function toolForSettings(s: LoaderSettings): ToolProfile {
  if (s.mode === "none") throw new RangeError("toolForSettings: mode none has no output buffer");
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
      placement: { name: "pinned-shared", kind: "pinned", description: "reader pinned (affinity shared with the application)", dedicatedCpus: 1, exclusive: false },
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

