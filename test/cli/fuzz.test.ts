/**
 * Fuzz suite of the CLI (issue 14, "Keep it so"): fast-check over flags, scenario files and sweep
 * grids, calling main(argv) in-process. Properties: a user error exits 2 with one line naming the
 * flag or field and no stack; nothing is an internal error (exit 1); every percentage of a whole
 * is in [0, 100]; records are conserved (attempted = consumed + lost + buffered); the same seed
 * gives the same JSON. Simulations are tiny (2 replications of 0.03 s) and every generated value
 * that would be valid is kept small, so the suite is bounded in time (each property also stops at
 * its time limit); the case counts and time are printed at the end.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli as runCli } from "./run-cli.ts";
import { kindDir } from "../../src/models/paths.ts";

/** Work is bounded: no case of these tiny runs may take more than this (a hang fails here, not at the test timeout). */
const CASE_LIMIT_MS = 20_000;
let slowest = 0;

/** main(argv) in-process, timed. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const t = performance.now();
  const r = await runCli(args);
  const ms = performance.now() - t;
  slowest = Math.max(slowest, ms);
  expect(ms, `${args.join(" ")} took ${ms.toFixed(0)} ms`).toBeLessThan(CASE_LIMIT_MS);
  return r;
}

const tmp = mkdtempSync(join(tmpdir(), "bpfsim-fuzz-"));
const TINY = ["--replications", "2", "--duration", "0.03"];
const SEED = Number(process.env.BPFSIM_FUZZ_SEED ?? 20261201);
/**
 * Per property: RUNS cases, or fewer when its time budget is spent (the remaining cases return at
 * once; fast-check's own interruptAfterTimeLimit would abandon a running case, whose output
 * capture would then leak into the next one).
 */
const RUNS = 80;
const TIME_LIMIT_MS = 6000;
let budgetEnd = 0;
/** Starts a property's time budget. */
const startBudget = () => void (budgetEnd = performance.now() + TIME_LIMIT_MS);
/** True (and the case is skipped) once the budget is spent. */
const spent = () => performance.now() > budgetEnd;
const counts: Record<string, number> = {};
const t0 = performance.now();

// the first run imports every command and compiles the model: not counted against a property's budget
beforeAll(async () => {
  await cli(["simulate", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", ...TINY, "--json"]);
  await cli(["predict", "--hardware", "azure-d4s-v5", "--tool", "retina-perf", ...TINY, "--json"]);
});

afterAll(() => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(
    `fuzz: ${total} cases (${Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}) in ${((performance.now() - t0) / 1000).toFixed(1)} s (slowest case ${(slowest / 1000).toFixed(2)} s), seed ${SEED}`,
  );
});

/** A user error: exit 2, one line, naming `field`, no stack. Anything else but exit 0 fails. */
function checkOutcome(r: { code: number; out: string; err: string }, field: RegExp): void {
  expect(r.code, r.err).not.toBe(1);
  expect([0, 2], r.err).toContain(r.code);
  if (r.code === 2) {
    expect(r.err.trim().split("\n"), r.err).toHaveLength(1);
    expect(r.err).toMatch(field);
    expect(r.err).not.toMatch(/\n\s+at |internal error/);
  }
}

/** Every percentage of a whole in [0, 100]; conservation of records. */
function checkResult(res: Record<string, unknown>): void {
  expect(res.empty, "no output").toBeUndefined();
  for (const k of ["overheadPct", "nodeCpuPct", "throttledPct"]) {
    const e = res[k] as { mean: number } | undefined;
    if (e === undefined) continue;
    expect(Number.isFinite(e.mean), k).toBe(true);
    expect(e.mean, `${k} = ${e.mean}`).toBeGreaterThanOrEqual(0);
    expect(e.mean, `${k} = ${e.mean}`).toBeLessThanOrEqual(100);
  }
  const c = res.conservation as { attempted: number; consumed: number; lost: number; buffered: number } | undefined;
  if (c) expect(c.attempted).toBe(c.consumed + c.lost + c.buffered);
}

/** Strings a careless or hostile user types for a number. */
const junk = fc.constantFrom(
  "",
  " ",
  "abc",
  "NaN",
  "Infinity",
  "-Infinity",
  "-1",
  "0",
  "-0",
  "1e300",
  "1e-400",
  "0x10",
  "1,5",
  "１",
  "2.5.1",
  "null",
  "[]",
  "9007199254740993",
  "--json",
);

describe("fuzz: flags", () => {
  it("number flags with junk values: one line naming the flag, never an internal error", async () => {
    const flags = ["--replications", "--duration", "--seed", "--traffic", "--observed"] as const;
    startBudget();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("simulate", "predict"),
        fc.constantFrom(...flags),
        fc.oneof(junk, fc.string({ maxLength: 8 })),
        fc.constantFrom("azure-d4s-v5", "azure-d8s-v5"),
        fc.constantFrom("retina-perf", "retina-ringbuf", "falco"),
        async (cmd, flag, value, hardware, tool) => {
          if (spent()) return;
          counts.flags = (counts.flags ?? 0) + 1;
          const rest = TINY.slice();
          const at = rest.indexOf(flag);
          if (at >= 0) rest.splice(at, 2);
          const r = await cli([cmd, "--hardware", hardware, "--tool", tool, ...rest, `${flag}=${value}`]);
          checkOutcome(r, new RegExp(`${flag.replace(/-/g, "\\-")}|^error: `));
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  // Fails on a pinned agent (nodeCpuPct ~148% on azure-d4s-v5, retina-perf) until issue 14 item 1
  // (the per-CPU queue without bound in node-run.ts, another engineer's) is fixed.
  it("small valid flag values: every percentage of a whole in [0, 100], records conserved", async () => {
    const flags = ["--replications", "--duration", "--seed", "--traffic", "--observed"] as const;
    const valid: Record<(typeof flags)[number], fc.Arbitrary<string>> = {
      "--replications": fc.constantFrom("1", "2"),
      "--duration": fc.constantFrom("0.03", "0.04"),
      "--seed": fc.integer({ min: -1e6, max: 1e6 }).map(String),
      "--traffic": fc.double({ min: 0.5, max: 8, noNaN: true }).map((x) => x.toFixed(2)),
      "--observed": fc.double({ min: 0.5, max: 8, noNaN: true }).map((x) => x.toFixed(2)),
    };
    startBudget();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...flags).chain((flag) => valid[flag].map((v) => [flag, v] as const)),
        fc.constantFrom("retina-perf", "retina-ringbuf", "tetragon"),
        fc.constantFrom("limited", "unlimited", "pinned"),
        async ([flag, value], tool, placement) => {
          if (spent()) return;
          counts.validFlags = (counts.validFlags ?? 0) + 1;
          const rest = TINY.slice();
          const at = rest.indexOf(flag);
          if (at >= 0) rest.splice(at, 2);
          const r = await cli(["simulate", "--hardware", "azure-d4s-v5", "--tool", tool, "--placement", placement, ...rest, flag, value, "--json"]);
          checkOutcome(r, /--traffic|--observed|--placement/);
          if (r.code === 0) checkResult(JSON.parse(r.out || `{"empty": ${JSON.stringify(r.err)}}`));
        },
      ),
      { numRuns: 12, seed: SEED },
    );
  });
});

/** JSON values a careless or hostile profile holds where a field should be. */
const badValue = fc.oneof(
  fc.constantFrom(null, "x", "", -1, 0, 1.5, 1e9, 1e300, -1e300, true, [], {}, [1, 2], { a: 1 }),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -5, max: 2000 }),
);

/** Top-level and one-level-down field paths of a shipped profile. */
function fieldPaths(doc: Record<string, unknown>): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(doc)) {
    if (k === "sources" || k === "description") continue;
    out.push([k]);
    if (v !== null && typeof v === "object" && !Array.isArray(v)) for (const k2 of Object.keys(v)) out.push([k, k2]);
  }
  return out;
}

function mutate(doc: Record<string, unknown>, path: string[], value: unknown, drop: boolean): Record<string, unknown> {
  const copy = structuredClone(doc);
  let cur = copy as Record<string, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  if (drop) delete cur[path[path.length - 1]];
  else cur[path[path.length - 1]] = value;
  return copy;
}

describe("fuzz: scenario files", () => {
  for (const [kind, flag, name] of [
    ["hardware", "--hardware", "azure-d4s-v5"],
    ["tool", "--tool", "retina-perf"],
    ["workload", "--workload", "tcp-receiver-saturating"],
    ["placement", "--placement", "limited"],
  ] as const) {
    it(`${kind} files with one field broken or dropped: one line naming the file and field, or a bounded result`, async () => {
      const base = JSON.parse(readFileSync(join(kindDir(kind), `${name}.json`), "utf8")) as Record<string, unknown>;
      const paths = fieldPaths(base);
      let n = 0;
      startBudget();
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...paths), badValue, fc.boolean(), async (path, value, drop) => {
          if (spent()) return;
          counts.files = (counts.files ?? 0) + 1;
          const file = join(tmp, `${kind}-${n++}.json`);
          writeFileSync(file, JSON.stringify(mutate(base, path, value, drop)));
          const args: Record<string, string> = {
            "--hardware": "azure-d4s-v5",
            "--tool": "retina-perf",
            "--workload": "tcp-receiver-saturating",
            "--placement": "limited",
          };
          args[flag] = file;
          const r = await cli(["simulate", ...Object.entries(args).flat(), ...TINY, "--json"]);
          // the message names the file (its base name) and the field's JSON pointer, or the scenario's field
          checkOutcome(r, new RegExp(`${kind}-\\d+\\.json|${path[path.length - 1]}`));
          if (r.code === 0) checkResult(JSON.parse(r.out));
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });
  }
});

describe("fuzz: sweep grids", () => {
  it("grids with junk fields, values and options: one line naming the field, or every line bounded", async () => {
    const tinyOptions = { replications: 2, durationS: 0.03 };
    const axisValue = fc.oneof(badValue, fc.constantFrom("azure-d4s-v5", "retina-perf", "retina-ringbuf", 2, 4));
    const grid = fc.record(
      {
        hardware: fc.oneof(fc.constant("azure-d4s-v5"), fc.array(axisValue, { maxLength: 2 }), axisValue),
        tool: fc.oneof(fc.constant(["retina-perf", "retina-ringbuf"]), fc.array(axisValue, { maxLength: 2 }), axisValue),
        observedGbps: fc.oneof(fc.constant([2, 4]), fc.array(axisValue, { maxLength: 2 })),
        perfPages: fc.oneof(fc.constant(8), axisValue),
        bogus: axisValue,
        options: fc.oneof(
          fc.constant(tinyOptions),
          badValue,
          fc.record({ replications: badValue, durationS: fc.constant(0.03) }),
          fc.record({ seed: badValue, replications: fc.constant(2), durationS: fc.constant(0.03) }),
        ),
      },
      { requiredKeys: [] },
    );
    let n = 0;
    startBudget();
    await fc.assert(
      fc.asyncProperty(grid, async (g) => {
        if (spent()) return;
        counts.grids = (counts.grids ?? 0) + 1;
        const file = join(tmp, `grid-${n++}.json`);
        writeFileSync(file, JSON.stringify(g));
        const r = await cli(["sweep", "--grid", file, "--workers", "1"]);
        checkOutcome(r, /grid: |--grid/);
        if (r.code === 0) {
          for (const line of r.out.trim().split("\n").filter(Boolean)) {
            const l = JSON.parse(line) as { result?: Record<string, unknown>; error?: string };
            expect(l.result !== undefined || typeof l.error === "string").toBe(true);
            if (l.result) for (const k of ["overheadPct", "nodeCpuPct", "throttledPct"]) if (l.result[k] !== undefined) checkResult({ [k]: l.result[k] });
          }
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe("fuzz: determinism", () => {
  it("the same seed gives the same JSON", async () => {
    startBudget();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -1e9, max: 1e9 }), fc.constantFrom("retina-perf", "retina-ringbuf"), async (seed, tool) => {
        if (spent()) return;
        counts.determinism = (counts.determinism ?? 0) + 1;
        const args = ["simulate", "--hardware", "azure-d4s-v5", "--tool", tool, ...TINY, "--seed", String(seed), "--json"];
        const a = await cli(args);
        const b = await cli(args);
        expect(a.code).toBe(0);
        expect(b.out).toBe(a.out);
        checkResult(JSON.parse(a.out));
      }),
      { numRuns: 8, seed: SEED },
    );
  });
});
