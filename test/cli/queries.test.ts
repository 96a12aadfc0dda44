import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./run-cli.ts";
import { DEFAULT_CALIBRATION } from "../../src/models/default-calibration.ts";

const run = cli;

const QUICK = ["--replications", "2", "--duration", "0.05"];

describe("query commands", () => {
  const bad: [string[], RegExp][] = [
    [["predict", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", "--traffic", "fast"], /--traffic = "fast"/],
    [["predict", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", "--chart", "out.gif"], /--chart = "out.gif"/],
    [["predict", "--hardware", "nope", "--tool", "retina-perf"], /unknown hardware profile "nope"/],
    [["budget", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", "--max-overhead", "150"], /--max-overhead = "150"/],
    [["size", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", "--max-lost-per-s", "-5"], /--max-lost-per-s = "-5"/],
    [["reserve", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", "--limits", "0.5,x"], /--limits = "x"/],
    [["crossover", "--traffic", "1", "--observed", "2"], /--traffic = "1" and --observed = "2"/],
    [["crossover", "--traffic", "1", "--metric", "latency"], /--metric = "latency"/],
    [["budget", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", "--max-overhead", "5", "--metric", "cores"], /--metric = "cores"/],
    [["claim", "no-such-claim.json"], /no-such-claim.json: no such claim file/],
    [["sweep", "--grid", "models/sweeps/example-grid.json", "--shard", "2/2"], /--shard = "2\/2"/],
    [["sweep", "--grid", "models/sweeps/example-grid.json", "--workers", "0"], /--workers = "0"/],
  ];
  for (const [args, msg] of bad) {
    it(`${args.join(" ")}: exit 2, one line naming the argument`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }

  it("a bad flag through the real binary: exit 2, no stack trace", () => {
    const r = spawnSync("npx", ["tsx", "src/cli/main.ts", "budget", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", "--max-overhead", "lots"], {
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--max-overhead = "lots"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("predict --json is one object with its CI and calibration; --csv is a table; default names the calibration", async () => {
    const base = ["predict", "--hardware", "azure-d8s-v5", "--tool", "retina-perf", "--observed", "4", ...QUICK];
    const j = JSON.parse((await run([...base, "--json"])).out);
    expect(j.query).toBe("predict");
    expect(j.overheadPct).toHaveProperty("low");
    expect(j.nodeCpuPct).toHaveProperty("low");
    expect(j.nodeCpuPct.mean).toBeGreaterThan(0);
    expect(Object.values(j.cpuByMechanism).every((v) => typeof v === "number")).toBe(true);
    expect(["throughput", "cpu"]).toContain(j.dominantMechanismBasis);
    expect(j.calibration.file).toBe(`models/calibration/${DEFAULT_CALIBRATION}.json`);
    const csv = (await run([...base, "--csv"])).out.trim().split("\n");
    expect(csv[0]).toBe("metric,mean,low,high");
    expect(csv.length).toBe(16);
    expect(csv[2]).toMatch(/^node CPU the agent takes \(%\),/);
    // the mechanisms by their cores, largest first
    const m = csv[15].match(/^node CPU by mechanism \(cores\),"([^"]+)"/);
    expect(m).not.toBeNull();
    const cores = m![1].split(", ").map((x) => Number(x.split(" ")[1]));
    expect(cores.length).toBeGreaterThan(2);
    expect(cores.every((c, i) => Number.isFinite(c) && (i === 0 || c <= cores[i - 1]))).toBe(true);
    const text = (await run(base)).out;
    expect(text).toContain(`calibration: models/calibration/${DEFAULT_CALIBRATION}.json`);
    expect(text).toContain("95% CI");
  });

  it("budget and crossover state the metric they compare (default cpu with offered traffic; --metric throughput)", async () => {
    const b = await run(["budget", "--hardware", "azure-d16s-v5", "--tool", "retina-perf", "--max-overhead", "4", "--tolerance", "1", ...QUICK]);
    expect(b.code).toBe(0);
    expect(b.out).toContain("budget 4% of the node's CPU (--metric cpu, the default)");
    const bj = JSON.parse(
      (
        await run([
          "budget",
          "--hardware",
          "azure-d16s-v5",
          "--tool",
          "retina-perf",
          "--max-overhead",
          "4",
          "--metric",
          "throughput",
          "--tolerance",
          "1",
          "--json",
          ...QUICK,
        ])
      ).out,
    );
    expect(bj.metric).toBe("throughput");
    expect(bj.binding).toBe(false);
    const c = await run(["crossover", "--traffic", "8", "--hardware", "azure-d16s-v5,azure-d64s-v5", ...QUICK]);
    expect(c.code).toBe(0);
    expect(c.out).toContain("(--metric cpu, the default)");
    expect(c.out).toContain("perf node CPU (%)");
    const cj = JSON.parse((await run(["crossover", "--observed", "8", "--hardware", "azure-d16s-v5", "--json", ...QUICK])).out);
    expect(cj.spec.metric).toBe("throughput");
  });

  it("sweep --shard and merge through the CLI give the unsharded bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bpfsim-sweep-"));
    const grid = join(dir, "grid.json");
    writeFileSync(
      grid,
      JSON.stringify({
        hardware: "azure-d4s-v5",
        tool: ["retina-perf", "retina-ringbuf"],
        observedGbps: [3, 5],
        options: { replications: 2, durationS: 0.05 },
      }),
    );
    expect((await run(["sweep", "--grid", grid, "--workers", "1", "--out", join(dir, "all.jsonl")])).code).toBe(0);
    for (const i of [0, 1])
      expect((await run(["sweep", "--grid", grid, "--workers", "1", "--shard", `${i}/2`, "--out", join(dir, `s${i}.jsonl`)])).code).toBe(0);
    expect((await run(["merge", join(dir, "s1.jsonl"), join(dir, "s0.jsonl"), "--out", join(dir, "m.jsonl")])).code).toBe(0);
    expect(readFileSync(join(dir, "m.jsonl"), "utf8")).toBe(readFileSync(join(dir, "all.jsonl"), "utf8"));
    const r = await run(["merge", join(dir, "s1.jsonl")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/2 of 4 points missing: 0, 2/);
  });
});
