/**
 * Probes of issue 14 (reliability) and the error model (issue 12 §3), each failing before its fix:
 * a careless or hostile input gets one line naming the field and value with exit 2; a bug gets
 * "internal error", a stack and exit 1; nothing writes outside where it should.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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
  for (const args of [["measure", "--reps", "0"], ["measure", "--duration", "0"], ["calibrate", "--data", "x.jsonl", "--fit-reps", "-1"]]) {
    it(`${args.join(" ")}: exit 2, one line`, () => {
      const r = spawnSync(process.execPath, ["src/cli/bin.mjs", ...args], { encoding: "utf8", timeout: 60_000 });
      expectUserError({ code: r.status ?? -1, err: r.stderr }, new RegExp(args[args.length - 2]));
    });
  }
});

/** A one-row dataset with the given host class (enough to reach the host-class check). */
function dataset(hostClass: string): string {
  const file = join(tmp, `d-${Math.random().toString(36).slice(2)}.jsonl`);
  const row = { kind: "microbench", runId: "micro-none-p1#0", configId: "micro-none-p1", rep: 0, startedAt: "2026-01-01T00:00:00Z", hostClass, config: {}, loader: { ns_per_run_mean: 200 } };
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
