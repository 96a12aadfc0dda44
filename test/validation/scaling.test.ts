import { describe, expect, it } from "vitest";
import { scalingSweep } from "../../src/validation/scaling.ts";
import { listProfiles, loadHardware } from "../../src/models/load.ts";

const SHORT = { replications: 1, durationS: 0.03, warmupS: 0.01, maxIterations: 2, seed: 1 };

describe("scalingSweep", () => {
  it("one point per shape and tool, smallest node first whatever order the shapes are given in", () => {
    const pts = scalingSweep({ ...SHORT, hardware: ["azure-d8s-v5", "azure-d4s-v5"], tools: ["retina-perf", "retina-ringbuf"] });
    expect(pts.map((p) => [p.hardware, p.tool])).toEqual([
      ["azure-d4s-v5", "retina-perf"],
      ["azure-d4s-v5", "retina-ringbuf"],
      ["azure-d8s-v5", "retina-perf"],
      ["azure-d8s-v5", "retina-ringbuf"],
    ]);
    expect(pts.map((p) => p.vcpus)).toEqual([4, 4, 8, 8]);
    for (const p of pts)
      expect(p.result.scenario).toMatchObject({ hardware: p.hardware, tool: p.tool, placement: "limited", workload: "tcp-receiver-saturating" });
  });
  it("observedAtNic: the baseline is the shape's NIC bandwidth (receive CPUs saturated at line rate)", () => {
    const [p] = scalingSweep({ ...SHORT, hardware: ["azure-d4s-v5"], tools: ["retina-perf"], observedAtNic: true });
    expect(p.result.baselineGbps.mean).toBeCloseTo(loadHardware("azure-d4s-v5").nic.bandwidthGbps, 6);
  });
  it("by default every cloud shape (azure-*, aws-*) and none of the benchmark or dev profiles", () => {
    const cloud = listProfiles("hardware").filter((n) => /^(azure|aws)-/.test(n));
    expect(cloud.length).toBeGreaterThanOrEqual(8);
    expect(
      listProfiles("hardware")
        .filter((n) => !cloud.includes(n))
        .every((n) => /^(bench|dev)-/.test(n)),
    ).toBe(true);
  });
});
