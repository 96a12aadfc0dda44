import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { budget } from "../../src/queries/budget.ts";
import { predict } from "../../src/queries/predict.ts";
import { kindDir } from "../../src/models/paths.ts";
import { DEFAULT_CALIBRATION } from "../../src/models/default-calibration.ts";

const QUICK = { replications: 2, durationS: 0.05 };

/** A 4-vCPU node with a 100 Gb/s NIC, so that CPU, not the NIC, binds and the budget can bind. */
function fastNicNode(): string {
  const h = JSON.parse(readFileSync(join(kindDir("hardware"), "azure-d4s-v5.json"), "utf8"));
  h.name = "fast-nic-4";
  h.nic.bandwidthGbps = 100;
  const file = join(mkdtempSync(join(tmpdir(), "bpfsim-budget-")), "fast-nic-4.json");
  writeFileSync(file, JSON.stringify(h));
  return file;
}

describe("budget", () => {
  it("answers a traffic within budget, and a bit more traffic exceeds it", () => {
    const hardware = fastNicNode();
    const a = budget({ hardware, tool: "retina-perf" }, 2, { ...QUICK, toleranceGbps: 1, metric: "throughput" });
    expect(a.metric).toBe("throughput");
    expect(a.binding).toBe(true);
    // narrowed to the tolerance, or as far as the simulation resolves (and it says so)
    if (a.stoppedBy === "tolerance") expect(a.exceededAtGbps! - a.maxTrafficGbps).toBeLessThanOrEqual(1);
    else expect(a.stoppedBy).toBe("resolution");
    // re-run predict at both ends with the same options: same seeds, same numbers
    const at = predict({ hardware, tool: "retina-perf", trafficGbps: a.maxTrafficGbps }, QUICK);
    const over = predict({ hardware, tool: "retina-perf", trafficGbps: a.exceededAtGbps! }, QUICK);
    expect(at.overheadPct.mean).toBeLessThanOrEqual(2);
    expect(over.overheadPct.mean).toBeGreaterThan(2);
    expect(a.atAnswer.overheadPct).toEqual(at.overheadPct);
    expect(a.atAnswer.calibration.file).toBe(`models/calibration/${DEFAULT_CALIBRATION}.json`);
  });

  it("does not bind when the NIC's bandwidth is within budget", () => {
    const a = budget({ hardware: "azure-d8s-v5", tool: "retina-ringbuf" }, 50, QUICK);
    expect(a.metric).toBe("cpu"); // the default: budget runs offered traffic
    expect(a.binding).toBe(false);
    expect(a.maxTrafficGbps).toBe(a.nicBandwidthGbps);
    expect(a.atAnswer.nodeCpuPct.mean).toBeLessThanOrEqual(50);
    expect(a.steps.every((s) => s.withinBudget && s.valuePct === s.nodeCpuPct)).toBe(true);
  });

  describe("metric cpu on shipped hardware (azure-d16s-v5, retina-perf), where the NIC binds first", () => {
    const spec = { hardware: "azure-d16s-v5", tool: "retina-perf" };
    const max = 4;
    const a = budget(spec, max, { ...QUICK, toleranceGbps: 0.5, metric: "cpu" });

    it("binds below the NIC's bandwidth, while the throughput budget does not", () => {
      expect(a.metric).toBe("cpu");
      expect(a.binding).toBe(true);
      expect(a.feasible).toBe(true);
      expect(a.maxTrafficGbps).toBeGreaterThan(0);
      expect(a.maxTrafficGbps).toBeLessThan(a.nicBandwidthGbps);
      const t = budget(spec, max, { ...QUICK, metric: "throughput", scanPoints: 2 });
      expect(t.binding).toBe(false);
      expect(t.atAnswer.overheadPct.mean).toBe(0);
    });

    it("answers a traffic where the agent takes at most the budget of the node's CPU, and a bit more traffic exceeds it", () => {
      expect(a.exceededAtGbps! - a.maxTrafficGbps).toBeLessThanOrEqual(0.5);
      expect(a.exceededAtGbps!).toBeGreaterThan(a.maxTrafficGbps);
      const at = predict({ ...spec, trafficGbps: a.maxTrafficGbps }, QUICK);
      const over = predict({ ...spec, trafficGbps: a.exceededAtGbps! }, QUICK);
      expect(at.nodeCpuPct.mean).toBeLessThanOrEqual(max);
      expect(over.nodeCpuPct.mean).toBeGreaterThan(max);
      expect(a.atAnswer.nodeCpuPct).toEqual(at.nodeCpuPct);
      expect(a.atExceeded!.nodeCpuPct).toEqual(over.nodeCpuPct);
    });

    it("every traffic evaluated below the answer is within budget (the scan guards against a non-monotone metric)", () => {
      for (const s of a.steps) {
        expect(s.valuePct).toBe(s.nodeCpuPct);
        expect(s.withinBudget).toBe(s.nodeCpuPct <= max);
        if (s.trafficGbps <= a.maxTrafficGbps) expect(s.withinBudget).toBe(true);
      }
    });
  });

  it("rejects an unknown metric naming the value", () => {
    expect(() => budget({ hardware: "azure-d8s-v5", tool: "retina-perf" }, 5, { metric: "latency" as never })).toThrow(/metric = "latency"/);
  });

  it("rejects a budget outside [0, 100) naming the value", () => {
    expect(() => budget({ hardware: "azure-d8s-v5", tool: "retina-perf" }, 120)).toThrow(/maxOverheadPct = 120/);
  });

  describe("--tolerance: every search bounded by iterations as well as tolerance", () => {
    const spec = { hardware: "azure-d16s-v5", tool: "retina-perf" };
    it("rejects a tolerance that maxBisections halvings of the scan bracket cannot reach, naming it", () => {
      expect(() => budget(spec, 4, { ...QUICK, toleranceGbps: 1e-7 })).toThrow(/toleranceGbps = 1e-7: below what 12 bisections/);
      expect(() => budget(spec, 4, { ...QUICK, maxBisections: -1 })).toThrow(/maxBisections = -1/);
    });
    it("stops at maxBisections, or where the simulation cannot resolve the bracket, and says which", () => {
      const a = budget(spec, 4, { ...QUICK, toleranceGbps: 0.001 });
      const bisections = a.steps.length - a.steps.findIndex((s) => !s.withinBudget) - 1;
      expect(bisections).toBeLessThanOrEqual(a.maxBisections + 1); // + the least-traffic point when nothing was within budget
      expect(["iterations", "resolution"]).toContain(a.stoppedBy);
      expect(a.exceededAtGbps! - a.maxTrafficGbps).toBeGreaterThan(0.001);
      if (a.stoppedBy === "resolution") expect(a.exceededAtGbps! - a.maxTrafficGbps).toBeLessThan(a.resolutionGbps! + 1e-9);
      const b = budget(spec, 4, { ...QUICK, toleranceGbps: 1 });
      if (b.stoppedBy === "tolerance") expect(b.exceededAtGbps! - b.maxTrafficGbps).toBeLessThanOrEqual(1);
    });
  });
});
