import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { agentPlacement } from "../../src/node/placement.ts";
import { ScenarioError } from "../../src/node/costs.ts";
import { loadHardware, loadPlacement } from "../../src/models/load.ts";
import type { HardwareProfile, Placement } from "../../src/models/types.ts";

const hw32 = loadHardware("azure-d32s-v5");

describe("agentPlacement: the placement as the node model uses it", () => {
  it("limited: cpu.max = cpuLimit x period, the period in ns (kubelet's 100 ms default = 100000 us)", () => {
    expect(agentPlacement(loadPlacement("limited"), hw32)).toEqual({ kind: "limited", cpuLimit: 0.5, cfsPeriodNs: 100_000_000 });
  });
  it("unlimited: no quota, no pin", () => {
    expect(agentPlacement(loadPlacement("unlimited"), hw32)).toEqual({ kind: "unlimited" });
  });
  it("pinned: the node's last CPU(s), exclusive unless the profile says otherwise (CPUManager static policy)", () => {
    expect(agentPlacement(loadPlacement("pinned"), hw32)).toEqual({ kind: "pinned", dedicatedCpu: 31, dedicatedCpus: 1, exclusive: true });
    const shared: Placement = { name: "taskset", kind: "pinned", description: "", dedicatedCpus: 2, exclusive: false };
    expect(agentPlacement(shared, hw32)).toEqual({ kind: "pinned", dedicatedCpu: 31, dedicatedCpus: 2, exclusive: false });
  });
  it("refuses to pin the agent to every CPU of the node, naming the placement and the count", () => {
    const all: Placement = { name: "greedy", kind: "pinned", description: "", dedicatedCpus: 32 };
    expect(() => agentPlacement(all, hw32)).toThrow(ScenarioError);
    expect(() => agentPlacement(all, hw32)).toThrow(/placement greedy: dedicatedCpus = 32: must be below the node's 32 vCPUs/);
  });
  it("refuses an unknown kind as a user error", () => {
    expect(() => agentPlacement({ name: "x", kind: "floating" } as unknown as Placement, hw32)).toThrow(/kind = floating/);
  });
  it("property: a pinned agent's CPUs [dedicatedCpu - dedicatedCpus + 1, dedicatedCpu] lie inside the node and leave a CPU free", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 512 }).chain((v) => fc.tuple(fc.constant(v), fc.integer({ min: 1, max: v - 1 }))),
        ([vcpus, n]) => {
          const hw = { ...hw32, vcpus } as HardwareProfile;
          const p = agentPlacement({ name: "p", kind: "pinned", description: "", dedicatedCpus: n }, hw);
          if (p.kind !== "pinned") throw new Error("kind");
          expect(p.dedicatedCpu).toBe(vcpus - 1);
          expect(p.dedicatedCpu - p.dedicatedCpus + 1).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });
});
