import { describe, expect, it } from "vitest";
import { fitSchedLockLaw } from "../../src/calibration/go-runtime-fit.ts";
import { GO_RUNTIME } from "../../src/models/mechanisms.ts";
import { goMaxProcs, schedLockContentionShare } from "../../src/agent/go-runtime.ts";
import { loadTool } from "../../src/models/load.ts";

describe("the Go scheduler lock's contention law, fitted on golang/go#67585 alone (M4)", () => {
  const fit = fitSchedLockLaw(GO_RUNTIME.schedLockContention.points);
  it("the shipped law is that fit", () => {
    expect(GO_RUNTIME.schedLockContention.a).toBeCloseTo(fit.a, 5);
    expect(GO_RUNTIME.schedLockContention.b).toBeCloseTo(fit.b, 5);
  });
  it("reproduces the table within 6% (log error) at P = 22, 44, 88, and is super-linear: x4 from 22 to 44, x14 from 44 to 88", () => {
    for (const p of GO_RUNTIME.schedLockContention.points) {
      expect(Math.abs(Math.log(schedLockContentionShare(p.gomaxprocs) / p.share))).toBeLessThan(0.06);
    }
    const r1 = schedLockContentionShare(44) / schedLockContentionShare(22);
    const r2 = schedLockContentionShare(88) / schedLockContentionShare(44);
    expect(r1).toBeGreaterThan(3);
    expect(r2).toBeGreaterThan(3 * r1);
  });
});

describe("GOMAXPROCS by the agent's go line", () => {
  const perf = loadTool("retina-perf");
  const withGo = (v: string) => ({ ...perf, reader: { ...perf.reader, runtime: { ...perf.reader.runtime!, goVersion: v } } });
  const limited = { kind: "limited" as const, cpuLimit: 0.5, cfsPeriodNs: 1e8 };
  it("before 1.25: the node's CPUs whatever the limit; a pinned agent's affinity mask bounds it", () => {
    expect(goMaxProcs(withGo("1.24"), limited, 32)).toBe(32);
    expect(goMaxProcs(withGo("1.24"), { kind: "pinned", dedicatedCpus: 1 }, 32)).toBe(1);
  });
  it("from 1.25: max(2, ceil(limit))", () => {
    expect(goMaxProcs(withGo("1.25"), limited, 32)).toBe(2);
    expect(goMaxProcs(withGo("1.25"), { kind: "limited", cpuLimit: 3.2 }, 32)).toBe(4);
    expect(goMaxProcs(withGo("1.26"), { kind: "unlimited" }, 32)).toBe(32);
  });
});
