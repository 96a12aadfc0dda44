/**
 * Probes of issue 14 (reliability) and the error model (issue 12 §3), each failing before its fix:
 * a careless or hostile input gets one line naming the field and value with exit 2; a bug gets
 * "internal error", a stack and exit 1; nothing writes outside where it should.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./run-cli.ts";
import { UserError, isUserError } from "../../src/index.ts";
import { ModelError } from "../../src/models/errors.ts";
import { ScenarioError } from "../../src/node/costs.ts";
import { UsageError } from "../../src/cli/errors.ts";
import { BadOptionError, MeasureError } from "../../src/measure/options.ts";
import { CalibrationError, CALIBRATION_DIR } from "../../src/calibration/calibrate.ts";
import { reportError } from "../../src/cli/main.ts";

const tmp = mkdtempSync(join(tmpdir(), "bpfsim-probes-"));

/** A user error: exit 2, one line on stderr matching `msg`, no stack. */
function expectUserError(r: { code: number; err: string }, msg: RegExp): void {
  expect(r.code, r.err).toBe(2);
  expect(r.err).toMatch(msg);
  expect(r.err.trim().split("\n"), r.err).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at |internal error/);
}

/** Captures what reportError writes. */
function reported(err: unknown): { code: number; err: string } {
  let text = "";
  const w = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string | Uint8Array) => ((text += String(s)), true)) as typeof process.stderr.write;
  try {
    return { code: reportError(err), err: text };
  } finally {
    process.stderr.write = w;
  }
}

describe("one error model", () => {
  it("every user error class extends the exported UserError and carries field and value", () => {
    const errors: UserError[] = [
      new ModelError("f.json", [{ pointer: "/vcpus", value: 0, message: "must be >= 1" }]),
      new ScenarioError("x", "seed", 1.5),
      new UsageError("x", "--traffic", "fast"),
      new BadOptionError("--reps", "0", "must be >= 1"),
      new MeasureError("x", "--summarise", "d.jsonl"),
      new CalibrationError("x", "hostClass", "../x"),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(UserError);
      expect(isUserError(e)).toBe(true);
      expect(e.field).not.toBe("");
    }
    expect(errors[0].field).toBe("f.json#/vcpus");
    expect(errors[0].value).toBe(0);
    expect(errors[3]).toMatchObject({ field: "--reps", value: "0" });
  });

  it("the CLI classifies by class, not by name: a RangeError or a look-alike name is a bug (exit 1, stack)", () => {
    const fake = new Error("looks like a user error");
    fake.name = "UsageError";
    for (const e of [new RangeError("Invalid array length"), fake, new TypeError("x is undefined")]) {
      const r = reported(e);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^bpfsim: internal error/);
      expect(r.err).toMatch(/\n\s+at /);
    }
    const u = reported(new UsageError("--x = 1: must be 2", "--x", 1));
    expect(u).toEqual({ code: 2, err: "bpfsim: --x = 1: must be 2\n" });
  });
});

describe("exit codes through the installed binary (bin.mjs)", () => {
  for (const args of [
    ["measure", "--reps", "0"],
    ["measure", "--duration", "0"],
    ["measure", "--limits", "0.1,x"],
    ["measure", "--limits", "0.25,0.251"],
    ["calibrate", "--data", "x.jsonl", "--fit-reps", "-1"],
  ]) {
    it(`${args.join(" ")}: exit 2, one line`, () => {
      const r = spawnSync(process.execPath, ["src/cli/bin.mjs", ...args], { encoding: "utf8", timeout: 60_000 });
      expectUserError({ code: r.status ?? -1, err: r.stderr }, new RegExp(args[args.length - 2]));
    });
  }
});

/** A one-row dataset with the given host class (enough to reach the host-class check). */
function dataset(hostClass: string): string {
  const file = join(tmp, `d-${Math.random().toString(36).slice(2)}.jsonl`);
  const row = {
    kind: "microbench",
    runId: "micro-none-p1#0",
    configId: "micro-none-p1",
    rep: 0,
    startedAt: "2026-01-01T00:00:00Z",
    hostClass,
    config: {},
    loader: { ns_per_run_mean: 200 },
  };
  writeFileSync(file, `${JSON.stringify(row)}\n`);
  return file;
}

describe("calibrate", () => {
  it("a host class is a name: a dataset's hostClass never builds a path outside models/calibration/", async () => {
    const escape = join(tmp, "escaped");
    mkdirSync(escape, { recursive: true });
    const hostClass = `../../../../../../../..${escape}/pwned`;
    const r = await cli(["calibrate", "--data", dataset(hostClass)]);
    expectUserError(r, /hostClass = .*: must be a name/);
    expect(existsSync(join(escape, "pwned.json"))).toBe(false);
    for (const bad of ["UPPER", "a/b", "-x", "a.b", ""]) expectUserError(await cli(["calibrate", "--data", dataset(bad)]), /hostClass = /);
  });

  it("refuses to overwrite the shipped calibration of a host class without --force", async () => {
    const shipped = join(CALIBRATION_DIR, "kvm-2vcpu-amd-epyc.json");
    const before = readFileSync(shipped, "utf8");
    const r = await cli(["calibrate", "--data", dataset("kvm-2vcpu-amd-epyc")]);
    expectUserError(r, /already there .*--force/);
    expect(readFileSync(shipped, "utf8")).toBe(before);
  });

  it("bad --out is refused before any fitting: a folder, a missing folder", async () => {
    const data = dataset("some-host");
    expectUserError(await cli(["calibrate", "--data", data, "--out", tmp]), /--out = .*: is a folder/);
    expectUserError(await cli(["calibrate", "--data", data, "--out", join(tmp, "no", "such", "c.json")]), /--out = .*: its folder .* does not exist/);
  });

  it("user errors of --data are one line: missing file, a folder, malformed line", async () => {
    expectUserError(await cli(["calibrate", "--data", join(tmp, "absent.jsonl")]), /absent\.jsonl: no such dataset/);
    expectUserError(await cli(["calibrate", "--data", tmp]), /is a directory/);
    const bad = join(tmp, "bad.jsonl");
    writeFileSync(bad, '{"kind":"other"}\n');
    expectUserError(await cli(["calibrate", "--data", bad]), /bad\.jsonl:1: kind = "other"/);
    expectUserError(await cli(["measure", "--summarise", bad]), /bad\.jsonl:1: kind = "other"/);
  });
});

describe("measure --lost", () => {
  it("--lost runs alone: with --wakeups or --limits, exit 2, one line naming both, before anything runs", async () => {
    expectUserError(await cli(["measure", "--lost", "--wakeups"]), /--lost = true: cannot be combined with --wakeups/);
    expectUserError(await cli(["measure", "--lost", "--limits", "0.5"]), /--lost = true: cannot be combined with --limits/);
  });
  it("--window only with --delay or --delay-fit, and within its bounds: exit 2, one line, before anything runs", async () => {
    expectUserError(await cli(["measure", "--window", "16384"]), /--window = "16384": only applies with --delay or --delay-fit/);
    expectUserError(await cli(["measure", "--delay", "--window", "100"]), /--window = "?100"?: must be between 4096 and 67108864/);
    expectUserError(await cli(["measure", "--delay", "--window", "16k"]), /--window = "?16k"?: not an integer/);
  });
});

describe("simulate --window-flows", () => {
  it("a count that is not a whole number of flows from 1 is one line naming the flag, exit 2", async () => {
    for (const bad of ["0", "1.5", "-3", "many"]) {
      expectUserError(
        await cli(["simulate", "--hardware", "azure-d8s-v5", "--tool", "retina-perf", "--window-flows", bad]),
        /--window-flows = .*: must be an integer in \[1, 1000000\]|--window-flows = .*: not a number/,
      );
    }
  });
});

describe("calibrate --lost-data", () => {
  it("a lost-output dataset of another host class, or without the micro-lost runs, is one line naming the file, and nothing is written", async () => {
    const out = join(tmp, "lost-cal.json");
    const other = dataset("other-host");
    expectUserError(
      await cli(["calibrate", "--data", "validation/data/kvm-2vcpu-amd-epyc-2026-11-25.jsonl", "--lost-data", other, "--out", out]),
      /other-host.*differs from --data's "kvm-2vcpu-amd-epyc"/,
    );
    const same = dataset("kvm-2vcpu-amd-epyc");
    expectUserError(
      await cli(["calibrate", "--data", "validation/data/kvm-2vcpu-amd-epyc-2026-11-25.jsonl", "--lost-data", same, "--out", out]),
      /--lost-data = .*: no micro-lost-none-p1 runs \(take them with bpfsim measure --lost\)/,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe("measure output paths", () => {
  it("--out a folder or in a missing folder: exit 2, one line, before anything runs", async () => {
    expectUserError(await cli(["measure", "--out", tmp]), /--out = .*: is a folder/);
    expectUserError(await cli(["measure", "--out", join(tmp, "nope", "m.jsonl")]), /--out = .*: its folder .* does not exist/);
  });

  it("--out m3.jsonl (no slash) never becomes a folder", async () => {
    const here = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), "bpfsim-m3-"));
    process.chdir(dir);
    try {
      // nothing to measure: checks the machine, cleans up, builds, writes nothing (or a user error without root)
      const r = await cli(["measure", "--out", "m3.jsonl", "--no-microbench", "--no-throughput"]);
      expect([0, 2]).toContain(r.code);
      expect(r.err).not.toMatch(/internal error|\n\s+at /);
    } finally {
      process.chdir(here);
    }
    expect(existsSync(join(dir, "m3.jsonl")) && !statSync(join(dir, "m3.jsonl")).isFile()).toBe(false);
  });
});

function gridFile(grid: unknown): string {
  const f = join(tmp, `grid-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(grid));
  return f;
}
const TINY = { hardware: "azure-d4s-v5", tool: ["retina-perf", "retina-ringbuf"], observedGbps: 4, options: { replications: 2, durationS: 0.03 } };

describe("sweep and merge: paths checked first, warnings shown, resumable", () => {
  it("bad --out / --chart fail at once (before any point runs), exit 2, one line", async () => {
    const huge = gridFile({ ...TINY, trafficGbps: Array.from({ length: 50 }, (_, i) => i + 1), options: { replications: 1000, durationS: 3600 } });
    for (const [flag, value, msg] of [
      ["--out", tmp, /--out = .*: is a folder/],
      ["--out", join(tmp, "none", "x.jsonl"), /--out = .*: its folder .* does not exist/],
      ["--chart", join(tmp, "none", "c.svg"), /--chart = .*: its folder .* does not exist/],
      ["--chart", tmp + "/c.gif", /--chart = .*: must end in .svg or .png/],
    ] as const) {
      const t0 = performance.now();
      expectUserError(await cli(["sweep", "--grid", huge, "--workers", "1", flag, value]), msg);
      expect(performance.now() - t0).toBeLessThan(3000);
    }
    expectUserError(await cli(["merge", "x.jsonl", "--out", tmp]), /--out = .*: is a folder/);
    expectUserError(await cli(["merge", tmp]), /<shards> = .*: is a directory/);
  });

  it("grid options null or of the wrong type: one line naming the field", async () => {
    expectUserError(await cli(["sweep", "--grid", gridFile({ ...TINY, options: null })]), /grid: options = null: must be an object/);
    expectUserError(await cli(["sweep", "--grid", gridFile({ ...TINY, options: { durationS: "0.1" } })]), /options.durationS = "0.1"/);
    expectUserError(await cli(["sweep", "--grid", "/dev/zero"]), /--grid = "\/dev\/zero": not a regular file/);
  });

  it("prints the simulator's warnings on stderr, once each", async () => {
    const r = await cli(["sweep", "--grid", gridFile(TINY), "--workers", "1"]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    const warnings = lines.flatMap((l) => l.result?.warnings ?? []);
    expect(warnings.length).toBeGreaterThan(0); // 0.03 s runs are shorter than two CFS periods
    const printed = r.err.split("\n").filter((l) => l.startsWith("bpfsim: warning: "));
    expect(printed.length).toBe(new Set(warnings).size);
    for (const w of new Set(warnings)) expect(printed).toContain(`bpfsim: warning: ${w}`);
  });

  it("--out resumes a stopped run: same bytes as one run, points already there not run again", async () => {
    const g = gridFile({ ...TINY, observedGbps: [2, 4] });
    const one = join(tmp, "one.jsonl");
    expect((await cli(["sweep", "--grid", g, "--workers", "1", "--out", one])).code).toBe(0);
    const full = readFileSync(one, "utf8");
    const lines = full.trim().split("\n");
    expect(lines).toHaveLength(4);
    const part = join(tmp, "part.jsonl");
    writeFileSync(part, `${lines[0]}\n${lines[1]}\n${lines[2].slice(0, 30)}`);
    const r = await cli(["sweep", "--grid", g, "--workers", "1", "--out", part]);
    expect(r.err).toContain("resuming");
    expect(readFileSync(part, "utf8")).toBe(full);
  });
});

describe("seeds and validate", () => {
  it("--seed 1e300 (all replications the same run) is refused in one line; so is a seed whose replications overflow", async () => {
    expectUserError(
      await cli(["simulate", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", "--seed", "1e300"]),
      /--seed = "1e300": must be an integer in/,
    );
    expectUserError(await cli(["predict", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", "--seed", "9007199254740991"]), /--seed = "9007199254740991"/);
    const { simulate, buildScenario } = await import("../../src/index.ts");
    const sc = buildScenario({ hardware: "azure-d4s-v5", tool: "retina-perf" });
    expect(() => simulate(sc, { seed: 2 ** 53 - 2, replications: 3, durationS: 0.03, warmupS: 0.01 })).toThrow(/seed \+ replications must stay within/);
    expect(() => simulate(sc, { seed: 1e300, replications: 2, durationS: 0.03, warmupS: 0.01 })).toThrow(ScenarioError);
  });

  it("validate: a missing --measured-calibration, or --out a file, is exit 2 before any simulation", async () => {
    const t0 = performance.now();
    expectUserError(await cli(["validate", "--measured-calibration", "/nonexistent.json"]), /\/nonexistent.json: no such calibration file/);
    const file = join(tmp, "plain-file");
    writeFileSync(file, "x");
    expectUserError(await cli(["validate", "--out", file]), /--out = .*: is a file, not a folder/);
    expectUserError(await cli(["validate", "--out", join(tmp, "a", "b")]), /--out = .*: its folder .* does not exist/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe("claims", () => {
  it("a claim with offeredGbps 1e9 is refused (the CLI caps traffic at 10000 Gb/s), naming the file and field", async () => {
    const c = JSON.parse(readFileSync("models/claims/perf-agent-0.02-cores-at-10g.json", "utf8"));
    c.traffic.offeredGbps = 1e9;
    const f = join(tmp, "fast-claim.json");
    writeFileSync(f, JSON.stringify(c));
    const r = await cli(["claim", f, "--replications", "2", "--duration", "0.03"]);
    expectUserError(r, /offeredGbps.*1000000000.*<= 10000/);
  });
});

describe("warnings reach stderr once", () => {
  it("simulate prints the simulator's warnings on stderr in table and JSON mode, once each", async () => {
    for (const mode of [[], ["--json"]]) {
      const r = await cli(["simulate", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", "--replications", "2", "--duration", "0.03", ...mode]);
      expect(r.code).toBe(0);
      const printed = r.err.split("\n").filter((l) => l.startsWith("bpfsim: warning: "));
      expect(printed.length).toBeGreaterThan(0); // a 0.03 s run is shorter than two CFS periods
      expect(new Set(printed).size).toBe(printed.length);
      expect(r.out).not.toMatch(/^warning: /m);
    }
  });
});

describe("calibrate reports what it did", () => {
  it("prints a summary table (constant, value, method, runs) of the file it wrote and warns once for every literature fallback", async () => {
    const out = join(tmp, "fitted.json");
    const r = await cli(["calibrate", "--data", "validation/data/kvm-2vcpu-amd-epyc-2026-11-25.jsonl", "--out", out]);
    expect(r.code, r.err).toBe(0);
    const written = JSON.parse(readFileSync(out, "utf8")) as { constants: Record<string, { value: number; method: string; runs?: string[] }> };
    const rows = r.out.split("\n").filter((l) => /^[a-zA-Z]+\s+[\d.e+-]+\s+\S+\s+(literature|measured|fitted)\s+\d+$/.test(l));
    expect(rows).toHaveLength(Object.keys(written.constants).length);
    for (const row of rows) {
      const [name, value, , method, runs] = row.split(/\s+/);
      expect(written.constants[name].value).toBe(Number(value));
      expect(written.constants[name].method).toBe(method);
      expect(written.constants[name].runs?.length ?? 0).toBe(Number(runs));
    }
    const fallbacks = Object.entries(written.constants)
      .filter(([, c]) => c.method === "literature")
      .map(([k]) => k);
    const warned = r.err.split("\n").filter((l) => l.startsWith("bpfsim: warning: "));
    expect(warned.map((l) => l.slice("bpfsim: warning: ".length).split(":")[0]).sort()).toEqual(fallbacks.sort());
  });
});

describe("a killed sweep loses only the points in flight", () => {
  it("SIGKILL mid-sweep leaves the completed lines in --out; the rerun resumes to the bytes of an uninterrupted run", async () => {
    const g = gridFile({
      hardware: "azure-d4s-v5",
      tool: ["retina-perf", "retina-ringbuf"],
      observedGbps: [1, 2, 3, 4],
      options: { replications: 2, durationS: 0.03 },
    });
    const ref = join(tmp, "ref.jsonl");
    expect((await cli(["sweep", "--grid", g, "--workers", "1", "--out", ref])).code).toBe(0);
    const out = join(tmp, "killed.jsonl");
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, ["src/cli/bin.mjs", "sweep", "--grid", g, "--workers", "1", "--out", out], { stdio: "ignore" });
    const exited = new Promise((r) => child.on("exit", r));
    // wait for the first complete line, then kill
    for (let i = 0; i < 600 && !(existsSync(out) && readFileSync(out, "utf8").includes("\n")); i++) await new Promise((r) => setTimeout(r, 25));
    child.kill("SIGKILL");
    await exited;
    const partial = readFileSync(out, "utf8");
    const complete = partial.split("\n").slice(0, -1);
    expect(complete.length).toBeGreaterThan(0);
    expect(complete.length).toBeLessThan(8);
    for (const l of complete) expect(readFileSync(ref, "utf8")).toContain(l); // each a finished point
    const r = await cli(["sweep", "--grid", g, "--workers", "1", "--out", out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`resuming ${out}: ${complete.length} points already there`);
    expect(readFileSync(out, "utf8")).toBe(readFileSync(ref, "utf8"));
  });
});

describe("measure: a machine that cannot measure is the user's to fix", () => {
  it("without root: exit 2, one line, no stack", () => {
    // the process sees itself as uid 65534 (nobody): the same path as a real non-root user, without
    // depending on whether the checkout is readable by another user (a mktemp -d clone is not)
    const asNobody = "data:text/javascript,process.getuid=()=>65534";
    const r = spawnSync(
      process.execPath,
      ["--import", asNobody, "src/cli/bin.mjs", "measure", "--no-microbench", "--no-throughput", "--out", join(tmpdir(), `nobody-${process.pid}.jsonl`)],
      {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, HOME: tmpdir() },
      },
    );
    expectUserError({ code: r.status ?? -1, err: r.stderr }, /cannot measure: must run as root/);
  });
});
