import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODELS_DIR } from "../../src/models/paths.ts";
import { DEFAULT_CALIBRATION } from "../../src/models/default-calibration.ts";
import { judgeClaim, loadClaim, validateClaim, type Claim } from "../../src/queries/claim.ts";
import { predict } from "../../src/queries/predict.ts";
import { bandsOf, modelErrorFor, readModelError, type ModelErrorFile } from "../../src/validation/model-error.ts";
import { loadSeed } from "../../src/validation/seed.ts";

const QUICK = { replications: 2, durationS: 0.05 };
const base: Omit<Claim, "claimedOverheadPct"> = {
  name: "test",
  description: "constructed for a test",
  source: "illustrative",
  tool: { profile: "retina-perf" },
  node: { hardware: "azure-d16s-v5" },
  traffic: { observedGbps: 5 },
};

/** A model-error file with a small, known error everywhere: for the verdict logic alone. */
const small = (pp: number, rel: number): ModelErrorFile => ({
  description: "test",
  provenance: { command: "test", date: "2026-01-01", calibration: "test", heldOutCalibration: null, options: {} },
  rows: [],
  bands: (["perf", "ringbuf"] as const).map((kind) => ({ kind, minVcpus: 1, maxVcpus: 1024, errorPp: pp, relativeError: rel, rows: 1, extrapolated: false })),
});

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

  it("a much lower overhead is optimistic, a much higher one pessimistic (model error 0.5 pp)", () => {
    const o = { ...QUICK, modelError: small(0.5, 0.1) };
    expect(judgeClaim({ ...base, claimedOverheadPct: 0 }, o).verdict).toBe("optimistic");
    expect(judgeClaim({ ...base, claimedOverheadPct: 3 * p.overheadPct.high + 1 }, o).verdict).toBe("pessimistic");
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
    const thr = judgeClaim({ ...offered, claimedOverheadPct: q.nodeCpuPct.mean }, { ...QUICK, modelError: small(0.5, 0.1) });
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
    expect(() => validateClaim({ ...base }, "c.json")).toThrow(/c.json: \/claimedOverheadPct = \(missing\): needs claimedOverheadPct or claimedAgentCpuCores/);
    expect(() => validateClaim({ ...base, claimedOverheadPct: -3 }, "c.json")).toThrow(/\/claimedOverheadPct = -3/);
  });
});

describe("claim verdicts carry the model's validated error (validation/model-error.json)", () => {
  const file = readModelError();

  it("the file is generated data with its provenance: the command and the date", () => {
    expect(file.provenance.command).toMatch(/model-error/);
    expect(Number.isNaN(Date.parse(file.provenance.date))).toBe(false);
    expect(file.rows.length).toBeGreaterThan(0);
    // its bands are what its rows give (nothing set by hand)
    expect(bandsOf(file.rows)).toEqual(file.bands);
  });

  it("accepted = predicted 95% interval ± the band's error; consistent exactly inside it", () => {
    const a = judgeClaim({ ...base, claimedOverheadPct: 1 }, QUICK);
    const band = modelErrorFor(file, "perf", 16);
    expect(a.modelError.errorPp).toBe(band.errorPp);
    expect(a.overhead!.accepted.low).toBeCloseTo(Math.max(0, a.overhead!.predicted.low - band.errorPp), 9); // a cost is never below 0
    expect(a.overhead!.accepted.high).toBeCloseTo(a.overhead!.predicted.high + band.errorPp, 9);
    const inside = 1 >= a.overhead!.accepted.low && 1 <= a.overhead!.accepted.high;
    expect(a.verdict === "consistent").toBe(inside);
  });

  it("the field study's own measured ring-buffer overhead at 32 cores comes back consistent, not pessimistic", () => {
    const seed = loadSeed();
    const row = seed.scenarios_32_cores.find((x) => /ring buffer/i.test(x.scenario))!;
    const baseline = seed.scenarios_32_cores.find((x) => x.reduction_pct === 0)!;
    const a = judgeClaim(
      {
        ...base,
        tool: { profile: "retina-ringbuf" },
        node: { hardware: "azure-d32s-v5" },
        traffic: { observedGbps: baseline.gbps },
        placement: "limited",
        claimedOverheadPct: row.reduction_pct,
      },
      { replications: 3 },
    );
    expect(a.modelError.kind).toBe("ringbuf");
    expect(a.overhead!.verdict).toBe("consistent");
  }, 60_000);
});
