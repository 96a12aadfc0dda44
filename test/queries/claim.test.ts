import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODELS_DIR } from "../../src/models/paths.ts";
import { DEFAULT_CALIBRATION } from "../../src/models/default-calibration.ts";
import { judgeClaim, loadClaim, validateClaim, type Claim } from "../../src/queries/claim.ts";
import { predict } from "../../src/queries/predict.ts";

const QUICK = { replications: 2, durationS: 0.05 };
const base: Omit<Claim, "claimedOverheadPct"> = {
  name: "test",
  description: "constructed for a test",
  source: "illustrative",
  tool: { profile: "retina-perf" },
  node: { hardware: "azure-d16s-v5" },
  traffic: { observedGbps: 5 },
};

describe("claim", () => {
  const p = predict({ hardware: "azure-d16s-v5", tool: "retina-perf", observedGbps: 5 }, QUICK);

  it("a claim equal to the prediction is consistent", () => {
    const a = judgeClaim({ ...base, claimedOverheadPct: p.overheadPct.mean, claimedAgentCpuCores: p.agentCpuCores.mean + p.kernelCpuCores.mean }, QUICK);
    expect(a.overhead!.verdict).toBe("consistent");
    expect(a.agentCpu!.verdict).toBe("consistent");
    expect(a.verdict).toBe("consistent");
    expect(a.dominantMechanism).toBe(p.dominantMechanism);
    expect(a.calibration.file).toBe(`models/calibration/${DEFAULT_CALIBRATION}.json`);
  });

  it("claiming 0 CPU is impossible: the BPF programs alone need more", () => {
    const a = judgeClaim({ ...base, claimedAgentCpuCores: 0 }, QUICK);
    expect(a.agentCpu!.bpfLowerBoundCores).toBeGreaterThan(0);
    expect(a.agentCpu!.bpfLowerBoundCores).toBeLessThanOrEqual(p.kernelCpuCores.high);
    expect(a.verdict).toBe("impossible");
  });

  it("a much lower overhead is optimistic, a much higher one pessimistic", () => {
    expect(judgeClaim({ ...base, claimedOverheadPct: 0 }, QUICK).verdict).toBe("optimistic");
    expect(judgeClaim({ ...base, claimedOverheadPct: 3 * p.overheadPct.high + 1 }, QUICK).verdict).toBe("pessimistic");
  });

  it("overheadKind cpu compares the claimed % with the node CPU the agent takes, throughput (the default) with overheadPct", () => {
    const offered = { ...base, traffic: { offeredGbps: 4 } };
    const q = predict({ hardware: "azure-d16s-v5", tool: "retina-perf", trafficGbps: 4 }, QUICK);
    expect(q.overheadPct.mean).toBe(0); // the node still carries 4 Gb/s
    const cpu = judgeClaim({ ...offered, overheadKind: "cpu", claimedOverheadPct: q.nodeCpuPct.mean }, QUICK);
    expect(cpu.overheadKind).toBe("cpu");
    expect(cpu.overhead!.predicted).toEqual(q.nodeCpuPct);
    expect(cpu.verdict).toBe("consistent");
    expect(cpu.dominantMechanismBasis).toBe("cpu");
    expect(cpu.reason).toMatch(/^node CPU: /);
    const thr = judgeClaim({ ...offered, claimedOverheadPct: q.nodeCpuPct.mean }, QUICK);
    expect(thr.overheadKind).toBe("throughput");
    expect(thr.overhead!.predicted).toEqual(q.overheadPct);
    expect(thr.verdict).toBe("pessimistic");
    expect(() => validateClaim({ ...base, claimedOverheadPct: 1, overheadKind: "memory" }, "c.json")).toThrow(/overheadKind/);
  });

  it("the shipped example claims are valid and say they are illustrative", () => {
    const dir = join(MODELS_DIR, "claims");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(loadClaim(join(dir, f)).source).toMatch(/illustrative/);
  });

  it("a claim without a claimed quantity is rejected naming the field", () => {
    expect(() => validateClaim({ ...base }, "c.json")).toThrow(/needs claimedOverheadPct or claimedAgentCpuCores/);
    expect(() => validateClaim({ ...base, claimedOverheadPct: -3 }, "c.json")).toThrow(/\/claimedOverheadPct = -3/);
  });
});
