/**
 * The node model's scenario for one configuration of our harness (bpf/ loader settings): the
 * harness tool profile with the run's buffer, wakeup and sampling settings, and the reader's
 * placement (CPU limit or affinity). Used by the calibration's fits and by the held-out validation.
 */
import type { LoaderSettings } from "../measure/loader.ts";
import { validateProfile } from "../models/load.ts";
import type { Placement, ToolProfile } from "../models/types.ts";
import { buildScenario } from "../node/scenario.ts";

export function toolForSettings(s: LoaderSettings): ToolProfile {
  if (s.mode === "none") throw new RangeError("toolForSettings: mode none has no output buffer");
  const base = buildScenario({ hardware: "dev-kvm-2vcpu", tool: s.mode === "perf" ? "harness-perf" : "harness-ringbuf" }).tool!;
  const t = structuredClone(base);
  if (t.buffer.kind === "perf") {
    if (s.perfPages !== undefined) t.buffer.pagesPerCpu = s.perfPages;
    if (s.watermarkBytes !== undefined) {
      delete t.buffer.wakeupEvents;
      t.buffer.watermarkBytes = s.watermarkBytes;
    } else if (s.wakeupEvents !== undefined) t.buffer.wakeupEvents = s.wakeupEvents;
  } else {
    if (s.ringbufBytes !== undefined) t.buffer.bytes = s.ringbufBytes;
    if (s.rbWakeup !== undefined) t.buffer.wakeup = s.rbWakeup;
  }
  if (s.sample !== undefined) t.sampling = s.sample;
  return validateProfile("tool", t, `harness tool for ${JSON.stringify(s)}`);
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

