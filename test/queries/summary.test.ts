import { describe, expect, it } from "vitest";
import { dominantMechanismOf, summarize } from "../../src/queries/common.ts";
import { predict } from "../../src/queries/predict.ts";
import type { SimulationResult } from "../../src/node/simulate.ts";

const QUICK = { replications: 2, durationS: 0.05 };

describe("summary: node CPU and the dominant mechanism's basis", () => {
  it("includes nodeCpuPct and cpuByMechanism (means of the simulation's estimates)", () => {
    const p = predict({ hardware: "azure-d16s-v5", tool: "retina-perf", trafficGbps: 4 }, QUICK);
    expect(p.nodeCpuPct).toEqual(p.result.nodeCpuPct);
    expect(p.nodeCpuPct.mean).toBeGreaterThan(0);
    expect(Object.keys(p.cpuByMechanism).sort()).toEqual(Object.keys(p.result.cpuByMechanism).sort());
    for (const [k, v] of Object.entries(p.cpuByMechanism)) expect(v).toBe(p.result.cpuByMechanism[k as keyof typeof p.result.cpuByMechanism].mean);
    expect(summarize(p.result)).toMatchObject({ nodeCpuPct: p.nodeCpuPct, cpuByMechanism: p.cpuByMechanism });
  });

  it("falls back to the largest cpuByMechanism entry when no throughput is lost", () => {
    const p = predict({ hardware: "azure-d16s-v5", tool: "retina-perf", trafficGbps: 4 }, QUICK);
    expect(Object.values(p.result.attribution).every((e) => e.mean === 0)).toBe(true);
    expect(p.dominantMechanismBasis).toBe("cpu");
    const max = Math.max(...Object.values(p.cpuByMechanism));
    expect(p.dominantMechanism).not.toBeNull();
    expect(p.cpuByMechanism[p.dominantMechanism!]).toBe(max);
  });

  it("uses the throughput attribution when throughput is lost", () => {
    const p = predict({ hardware: "azure-d8s-v5", tool: "retina-perf", observedGbps: 5 }, QUICK);
    expect(p.overheadPct.mean).toBeGreaterThan(0);
    expect(p.dominantMechanismBasis).toBe("throughput");
    const max = Math.max(...Object.values(p.result.attribution).map((e) => e.mean));
    expect(p.result.attribution[p.dominantMechanism! as keyof typeof p.result.attribution].mean).toBe(max);
  });

  it("is null when neither throughput nor CPU is spent", () => {
    const z = { mean: 0, halfWidth: 0, low: 0, high: 0, n: 1 };
    const r = { attribution: { readerCpu: z, wakeups: z }, cpuByMechanism: { readerCpu: z } } as unknown as SimulationResult;
    expect(dominantMechanismOf(r)).toEqual({ mechanism: null, basis: "cpu" });
  });

  it("keeps every interval inside its quantity's bounds (no negative lost/s, no overhead below 0 or above 100)", () => {
    const z = { mean: 0, halfWidth: 0, low: 0, high: 0, n: 3 };
    const wide = { mean: 100, halfWidth: 400, low: -300, high: 500, n: 3 };
    const pctWide = { mean: 2, halfWidth: 7, low: -5, high: 9, n: 3 };
    const r = {
      baselineGbps: z,
      withAgentGbps: z,
      overheadPct: pctWide,
      eventsPerS: { ...wide, mean: 1000, low: 600, high: 1400 },
      wakeupsPerS: wide,
      lostPerS: wide,
      agentCpuCores: wide,
      kernelCpuCores: wide,
      throttledPct: { mean: 98, halfWidth: 5, low: 93, high: 103, n: 3 },
      nodeCpuPct: pctWide,
      latencyP50Us: wide,
      latencyP99Us: wide,
      attribution: { readerCpu: z },
      cpuByMechanism: { readerCpu: z },
      bottleneck: { withAgent: "offered" },
      warnings: [],
    } as unknown as SimulationResult;
    const s = summarize(r);
    for (const k of ["wakeupsPerS", "lostPerS", "agentCpuCores", "kernelCpuCores", "overheadPct", "nodeCpuPct", "throttledPct"] as const) {
      expect(s[k].low, k).toBeGreaterThanOrEqual(0);
      expect(s[k].low, k).toBeLessThanOrEqual(s[k].mean);
      expect(s[k].high, k).toBeGreaterThanOrEqual(s[k].mean);
    }
    for (const k of ["overheadPct", "nodeCpuPct", "throttledPct"] as const) expect(s[k].high, k).toBeLessThanOrEqual(100);
  });
});

describe("outputs a planner can read and process", () => {
  it("--csv: every estimate column becomes numeric mean, low, high columns; a CI column repeating it is left out", async () => {
    const { csvLines, estCell, ciCell } = await import("../../src/cli/output.ts");
    const a = { mean: 13.37, halfWidth: 0.1, low: 13.27, high: 13.47, n: 5 };
    const b = { mean: 0.5, halfWidth: 0.02, low: 0.48, high: 0.52, n: 5 };
    const lines = csvLines(
      ["metric", "overhead (%)", "95% CI", "agent (cores)"],
      [
        ["x", estCell(a), ciCell(a), estCell(b, 3)],
        ["y", "-", "", estCell(b, 3)],
      ],
    );
    expect(lines[0].split(",")).toEqual([
      "metric",
      "overhead (%) mean",
      "overhead (%) low",
      "overhead (%) high",
      "agent (cores) mean",
      "agent (cores) low",
      "agent (cores) high",
    ]);
    const row = lines[1].split(",");
    expect(row.slice(1).map(Number)).toEqual([13.37, 13.27, 13.47, 0.5, 0.48, 0.52]);
    for (const cell of lines.slice(1).join(",").split(",")) expect(cell).not.toMatch(/±/);
  });

  it("help text: no sentence broken by a hard line break, and every default shown once (by commander)", async () => {
    const { Command } = await import("commander");
    const mods = await Promise.all(["predict", "budget", "crossover", "reserve", "claim", "size"].map((n) => import(`../../src/cli/commands/${n}.ts`)));
    const program = new Command("bpfsim");
    for (const m of mods)
      for (const [k, fn] of Object.entries(m)) if (k.startsWith("register") && typeof fn === "function") (fn as (p: typeof program) => void)(program);
    for (const name of ["predict", "budget", "crossover", "reserve", "claim", "size"]) {
      const cmd = program.commands.find((c) => c.name() === name)!;
      // a line break inside the description only after a full stop
      for (const m of cmd.description().matchAll(/(.)\n/g)) expect(m[1], `${name}: ${cmd.description()}`).toMatch(/[.:]/);
      for (const opt of cmd.options) {
        if (opt.defaultValue !== undefined) expect(opt.description, `${name} ${opt.flags}`).not.toMatch(/\(default/i);
      }
      // maxIterations can be raised where the simulations are run
      expect(
        cmd.options.some((o) => o.long === "--max-iterations"),
        name,
      ).toBe(true);
    }
  });
});
