import { describe, expect, it } from "vitest";
import { cli } from "./run-cli.ts";

const FAST = ["--replications", "2", "--duration", "0.05"];

describe("bpfsim simulate: bad flags exit 2 with one line naming the flag, no stack trace", () => {
  it.each([
    [["--hardware", "azure-d8s-v5", "--tool", "retina-perf", "--traffic", "abc"], /--traffic.*abc/],
    [["--hardware", "nope", "--tool", "retina-perf"], /nope/],
    [["--hardware", "azure-d8s-v5"], /--tool/],
    [["--hardware", "azure-d8s-v5", "--tool", "retina-perf", "--replications", "0"], /--replications.*0/],
    [["--hardware", "azure-d8s-v5", "--tool", "retina-perf", "--duration", "-1"], /--duration.*-1/],
    [["--hardware", "azure-d8s-v5", "--tool", "retina-perf", "--irq-time-accounting", "maybe"], /--irq-time-accounting = "maybe": must be on or off/],
  ])("%j", async (args, msg) => {
    const r = await cli(["simulate", ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack frames
    const lines = r.err.split("\n").filter((l) => l.trim() !== "" && !/^(Usage|Options|Commands|  -|  --)/.test(l) && !l.startsWith(" "));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(msg);
  });
});

describe("bpfsim simulate --json", () => {
  it("prints one parseable SimulationResult with the documented fields", async () => {
    const r = await cli(["simulate", "--hardware", "azure-d8s-v5", "--tool", "retina-perf", "--observed", "3", "--json", ...FAST]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of [
      "scenario",
      "options",
      "baselineGbps",
      "withAgentGbps",
      "overheadPct",
      "bottleneck",
      "eventsPerS",
      "wakeupsPerS",
      "readerWakeupsPerS",
      "contextSwitchesPerS",
      "lostPerS",
      "agentCpuCores",
      "agentCpuBilledCores",
      "kernelCpuCores",
      "throttledPct",
      "latencyP50Us",
      "latencyP99Us",
      "attribution",
      "conservation",
    ]) {
      expect(j).toHaveProperty(k);
    }
    for (const k of ["mean", "halfWidth", "low", "high", "n"]) expect(j.overheadPct).toHaveProperty(k);
    expect(j.options).toMatchObject({ replications: 2, durationS: 0.05 });
    expect(j.scenario).toMatchObject({ hardware: "azure-d8s-v5", tool: "retina-perf" });
    const c = j.conservation;
    expect(c.consumed + c.lost + c.buffered).toBe(c.attempted);
    // the Azure profile states no IRQ time accounting: the Kconfig default (off) bills the agent its interrupts too
    expect(j.agentCpuBilledCores.mean).toBeGreaterThanOrEqual(j.agentCpuCores.mean - 1e-12);
  });
  it("--irq-time-accounting on bills the agent its own work only", async () => {
    const r = await cli([
      "simulate",
      "--hardware",
      "azure-d8s-v5",
      "--tool",
      "retina-perf",
      "--observed",
      "3",
      "--irq-time-accounting",
      "on",
      "--json",
      ...FAST,
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.agentCpuBilledCores.mean).toBeCloseTo(j.agentCpuCores.mean, 12);
  });
});
