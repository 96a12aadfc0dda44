import { describe, expect, it } from "vitest";
import { buildScenario, DEFAULT_CALIBRATION } from "../../src/node/scenario.ts";
import { ScenarioError } from "../../src/node/costs.ts";
import { isUserError } from "../../src/errors.ts";
import { loadTool } from "../../src/models/load.ts";
import { MECHANISM_NAMES } from "../../src/node/mechanisms.ts";

const base = { hardware: "azure-d8s-v5", tool: "retina-perf" };
/** The error buildScenario throws, checked to be a user error. */
function userError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    expect(isUserError(e), String(e)).toBe(true);
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("buildScenario: the defaults README documents", () => {
  it("placement limited, workload tcp-receiver-saturating, the measured host's calibration, nothing disabled", () => {
    const s = buildScenario(base);
    expect(s.placement.name).toBe("limited");
    expect(s.workload.name).toBe("tcp-receiver-saturating");
    expect(DEFAULT_CALIBRATION).toBe("kvm-2vcpu-amd-epyc");
    expect(s.calibration.hostClass).toBe("kvm-2vcpu-amd-epyc");
    expect(s.disabled).toBeUndefined();
    expect(s.hardware.name).toBe("azure-d8s-v5");
    expect(s.tool!.name).toBe("retina-perf");
  });
  it('tool "none" is a node without the agent', () => {
    expect(buildScenario({ ...base, tool: "none" }).tool).toBeNull();
  });
});

describe("buildScenario: overrides", () => {
  it("traffic makes the workload offered at that rate, observed makes it observed; both at once is refused, naming both", () => {
    const off = buildScenario({ ...base, trafficGbps: 3 }).workload;
    expect(off.mode).toBe("offered");
    expect(off.offeredGbps).toBe(3);
    expect(off.observedGbps).toBeUndefined();
    const obs = buildScenario({ ...base, observedGbps: 7 }).workload;
    expect(obs.mode).toBe("observed");
    expect(obs.observedGbps).toBe(7);
    expect(userError(() => buildScenario({ ...base, trafficGbps: 3, observedGbps: 7 })).message).toMatch(/traffic = 3, observed = 7/);
  });
  it("perf settings on a perf tool; wakeup_events replaces the watermark (a perf event has one or the other)", () => {
    const t = buildScenario({ ...base, perfPages: 8, wakeupEvents: 4, sampling: 10 }).tool!;
    if (t.buffer.kind !== "perf") throw new Error("perf expected");
    expect(t.buffer.pagesPerCpu).toBe(8);
    expect(t.buffer.wakeupEvents).toBe(4);
    expect(t.buffer.watermarkBytes).toBeUndefined();
    expect(t.sampling).toBe(10);
  });
  it("buffer settings of the other kind are refused, naming the tool", () => {
    expect(userError(() => buildScenario({ ...base, ringbufBytes: 1 << 20 })).message).toMatch(/retina-perf uses perf buffers/);
    expect(userError(() => buildScenario({ ...base, tool: "retina-ringbuf", perfPages: 8 })).message).toMatch(/retina-ringbuf uses a ring buffer/);
    expect(buildScenario({ ...base, tool: "retina-ringbuf", ringbufBytes: 1 << 22 }).tool!.buffer).toMatchObject({ kind: "ringbuf", bytes: 1 << 22 });
  });
  it("hardware overrides: kernel, channels (ethtool -L combined N), VM exit cost", () => {
    const h = buildScenario({ ...base, kernel: "6.8", rxChannels: 4, vmExitNs: 0 }).hardware;
    expect(h.kernel).toBe("6.8");
    expect(h.nic.rxQueues).toBe(4);
    expect(h.vmExitNs).toBe(0);
  });
  it("workload overrides", () => {
    const w = buildScenario({ ...base, processContextShare: 0.25, receiverThreadsPerCpu: 2, receiveCostScale: 3, mobileCostScale: 0.5 }).workload;
    expect(w).toMatchObject({ processContextShare: 0.25, receiverThreadsPerCpu: 2, receiveCostScale: 3, mobileCostScale: 0.5 });
  });
  it("a go line applies only to a tool with a Go runtime", () => {
    expect(buildScenario({ ...base, goVersion: "1.25" }).tool!.reader.runtime!.goVersion).toBe("1.25");
    expect(userError(() => buildScenario({ ...base, tool: "none", goVersion: "1.25" })).message).toMatch(/goVersion = 1.25: tool none has no Go runtime/);
  });
  it("disabled mechanisms: known names kept in order, an unknown one refused with the list", () => {
    expect(buildScenario({ ...base, disabled: ["vmExits", "epollLock"] }).disabled).toEqual(["vmExits", "epollLock"]);
    const e = userError(() => buildScenario({ ...base, disabled: ["warpDrive"] }));
    expect(e).toBeInstanceOf(ScenarioError);
    expect(e.message).toContain(MECHANISM_NAMES.join(", "));
  });
  it("overrides are checked against the profile schema and refused as user errors", () => {
    userError(() => buildScenario({ ...base, sampling: 0 }));
    userError(() => buildScenario({ ...base, processContextShare: 2 }));
    userError(() => buildScenario({ ...base, rxChannels: -1 }));
  });
  it("overrides never change the loaded profiles (a later scenario sees the originals)", () => {
    const before = structuredClone(loadTool("retina-perf"));
    buildScenario({ ...base, perfPages: 2, wakeupEvents: 9, sampling: 7, goVersion: "1.25" });
    expect(loadTool("retina-perf")).toEqual(before);
    expect(buildScenario(base).tool).toEqual(before);
  });
});
