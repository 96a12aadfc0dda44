import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli } from "./run-cli.ts";

interface Seed {
  throughput_by_core_count_perf_array: { baseline_gbps?: number; with_tool_gbps?: number; reduction_pct?: number; reduction_pct_approx?: number }[];
  scenarios_32_cores: { reduction_pct: number }[];
}

describe("bpfsim reproduce --json", () => {
  it("prints every seed row with predicted, error and status", async () => {
    const r = await cli(["reproduce", "--json", "--no-band", "--replications", "2", "--duration", "0.05"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const seed = JSON.parse(readFileSync(new URL("../../validation/seed-retina-kubecon.json", import.meta.url), "utf8")) as Seed;
    // table 1: one row per published figure; table 2: the baseline, then with-tool and reduction per
    // scenario; table 3: events/s and wakeup ratio on the bpftrace run's 16-vCPU node and on the
    // 32-core node, then context switches
    let t1 = 0;
    for (const row of seed.throughput_by_core_count_perf_array) {
      if (row.baseline_gbps !== undefined) t1 += row.with_tool_gbps !== undefined ? 2 : 1;
      if ((row.reduction_pct ?? row.reduction_pct_approx) !== undefined) t1 += 1;
    }
    const t2 = 1 + 2 * (seed.scenarios_32_cores.length - 1);
    expect(j.rows.length).toBe(t1 + t2 + 5);
    for (const row of j.rows) {
      expect(row).toHaveProperty("predicted");
      expect(Number.isFinite(row.predicted.mean)).toBe(true);
      expect(Number.isFinite(row.error)).toBe(true);
      expect(["predicted", "fitted-input", "not-comparable"]).toContain(row.status);
    }
    // baselines are inputs: reproduced exactly
    for (const row of j.rows.filter((x: { status: string }) => x.status === "fitted-input")) {
      expect(Math.abs(row.error)).toBeLessThan(1e-6 * Math.max(1, row.published));
    }
  });
});

describe("bpfsim reproduce --required-cost --json", () => {
  it("adds one required-cost entry per counted overhead row, each reaching its target or saying why not", async () => {
    const r = await cli(["reproduce", "--json", "--no-band", "--required-cost", "--replications", "2", "--duration", "0.04"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const counted = j.rows.filter((x: { status: string; metric: string }) => x.status === "predicted" && x.metric === "reduction_pct");
    expect(j.requiredCost.map((x: { label: string }) => x.label)).toEqual(counted.map((x: { label: string }) => x.label));
    for (const x of j.requiredCost) {
      expect(["found", "already-above", "unreachable"]).toContain(x.status);
      if (x.status === "found") expect(Math.abs(x.achievedPct - x.targetPct)).toBeLessThanOrEqual(0.25 + 1e-9);
      if (x.status === "already-above") expect(x.extraNs).toBe(0);
      expect(x.extraNs).toBeGreaterThanOrEqual(0);
    }
  });
});

describe("bpfsim reproduce: what each row's agent delivers", () => {
  it("a row per counted overhead row: records output, lost share, delivered, CPU, throttled; 32-core scenarios prefixed", async () => {
    const { printDelivery } = await import("../../src/cli/commands/reproduce.ts");
    const { fakeReproduce } = await import("../validation/report-fixtures.ts");
    const t = printDelivery(fakeReproduce());
    expect(t).toContain("a lost record costs the kernel almost nothing");
    // 140000 output, 30% lost: 98000 delivered
    expect(t).toMatch(/32 cores: the usual deployment\s+140000\s+30%\s+98000\s+0\.50\s+60%/);
    expect(t).toMatch(/\n16 cores\s+100000\s+5%\s+95000\s+0\.40\s+50%/);
  });
});
