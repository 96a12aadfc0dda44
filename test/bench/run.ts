/**
 * `npm run bench`: runs every benchmark section and prints its figures, each with its target and
 * "met" / "NOT MET" (`-- --json`: one JSON object; `-- --only <section>`: just that section;
 * `-- --quick`: skips the sections that take minutes, saying so).
 *
 * Sections: engine (the engine against its bare-heap ceiling and SimPy), node (wall time and memory
 * of one node run), node-hot (the node run's events/s against the bare-heap ceiling, node-hot.ts),
 * reproduce and sweep (the user's main jobs timed as run, jobs.ts), notebook (a slider move in the
 * overhead-by-cores notebook in headless chromium, notebook.ts; skipped, saying why, without
 * chromium). Sections are functions returning plain result objects; add a section by adding an
 * entry to `sections`. The engine section also runs the same two models in SimPy 3 (test/bench/simpy_models.py)
 * when a python3 with `import simpy` is found, and compares per-customer speed.
 */
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  defaultEngineParams,
  engineModels,
  rate,
  summarise,
  type BenchResult,
  type EngineBenchParams,
  type EngineModel,
  type Rate,
  type RunOutcome,
} from "./engine.ts";

type Timed = { out: RunOutcome; wallS: number };

/** A forked process holding one model (engine-worker.ts), warmed up; `run(seed)` times one run. */
async function startWorker(m: EngineModel, p: EngineBenchParams): Promise<{ run: (seed: number) => Promise<Timed>; stop: () => void }> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./engine-worker.ts", import.meta.url)), [m.key, JSON.stringify(p)]);
  let pending: { resolve: (v: unknown) => void; reject: (e: Error) => void } | null = null;
  child.on("message", (msg) => pending?.resolve(msg));
  child.on("exit", (code) => pending?.reject(new Error(`engine worker ${m.key} exited with ${code}`)));
  const next = () => new Promise<unknown>((resolve, reject) => (pending = { resolve, reject }));
  await next(); // {ready}
  return {
    run: async (seed) => {
      const reply = next();
      child.send({ seed });
      return (await reply) as Timed;
    },
    stop: () => {
      pending = null;
      child.send({ exit: true });
    },
  };
}
import { nodeSection, printNode } from "./node.ts";
import { nodeHotSection, printNodeHot } from "./node-hot.ts";
import { printReproduce, printSweep, reproduceSection, sweepSection } from "./jobs.ts";
import { notebookSection, printNotebook, type NotebookResult } from "./notebook.ts";

interface SimpyModel {
  wallS: number[];
  meanTimeInSystem: number;
  dropFraction?: number;
}
interface SimpyOut {
  simpy: string;
  python: string;
  mm1: SimpyModel;
  spinlockRing: SimpyModel;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The first python3 that can import simpy, or null. */
function findSimpyPython(): string | null {
  for (const py of ["python3", "/usr/bin/python3"]) {
    if (spawnSync(py, ["-c", "import simpy"], { encoding: "utf8" }).status === 0) return py;
  }
  return null;
}

/**
 * One SimPy round: both models, `reps` runs each from `seed`, in a fresh python; the first run of
 * each model is a warm-up and dropped.
 */
function runSimpy(py: string, p: EngineBenchParams, seed: number): SimpyOut {
  const script = fileURLToPath(new URL("./simpy_models.py", import.meta.url));
  const r = spawnSync(py, [script, JSON.stringify({ ...p, seed, reps: 2 })], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`SimPy run failed: ${r.stderr.trim()}`);
  const out = JSON.parse(r.stdout) as SimpyOut;
  for (const m of [out.mm1, out.spinlockRing]) m.wallS = m.wallS.slice(1);
  return out;
}

/**
 * The engine models and SimPy in interleaved rounds: each round runs every model once (same seed
 * within a round, a new one per round), then SimPy's two models. Each model lives in a process of
 * its own (engine-worker.ts), warmed up once, as SimPy does in its own python. Each ratio is taken within a round,
 * where both sides met the same machine load, and reported as the median (min-max) over rounds: on a
 * shared, noisy machine that is steadier than dividing two medians taken seconds apart.
 */
async function engineSection(p: EngineBenchParams) {
  const models = engineModels(p);
  const workers = [];
  for (const m of models) workers.push(await startWorker(m, p));
  const py = findSimpyPython();
  const runs = models.map(() => [] as Timed[]);
  const simpyRuns: SimpyOut[] = [];
  const perRound: Record<string, number[]> = {
    schedulerPercentOfCeiling: [],
    mm1HandOverPrimitive: [],
    ringHandOverPrimitive: [],
    mm1EngineOverSimpy: [],
    ringEngineOverSimpy: [],
  };
  const ringCustomers = Math.floor(p.customers / p.producers) * p.producers;
  for (let round = 0; round < p.reps; round++) {
    const t: Timed[] = [];
    for (let i = 0; i < models.length; i++) {
      const r = await workers[i].run(p.seed + round);
      runs[i].push(r);
      t.push(r);
    }
    const [mm1p, mm1c, ceil, ringp, ringc] = t;
    perRound.schedulerPercentOfCeiling.push((100 * (mm1c.out.events / mm1c.wallS)) / (ceil.out.events / ceil.wallS));
    perRound.mm1HandOverPrimitive.push(mm1p.wallS / mm1c.wallS);
    perRound.ringHandOverPrimitive.push(ringp.wallS / ringc.wallS);
    if (py !== null) {
      const s = runSimpy(py, p, p.seed + round);
      simpyRuns.push(s);
      perRound.mm1EngineOverSimpy.push(s.mm1.wallS[0] / mm1p.wallS);
      perRound.ringEngineOverSimpy.push(s.spinlockRing.wallS[0] / ringp.wallS);
    }
  }
  for (const w of workers) w.stop();
  const results: BenchResult[] = models.map((m, i) => summarise(m, p, runs[i]));
  const ratios: Record<string, number> = {};
  const ratioRanges: Record<string, Rate> = {};
  for (const [k, v] of Object.entries(perRound)) {
    if (v.length === 0) continue;
    ratioRanges[k] = rate(v);
    ratios[k] = ratioRanges[k].median;
  }
  let simpyReport: Record<string, unknown>;
  if (py !== null) {
    const s0 = simpyRuns[0];
    const mean = (f: (s: SimpyOut) => number) => simpyRuns.reduce((a, s) => a + f(s), 0) / simpyRuns.length;
    simpyReport = {
      version: s0.simpy,
      python: s0.python,
      mm1: { customersPerS: median(simpyRuns.map((s) => p.customers / s.mm1.wallS[0])), meanTimeInSystem: mean((s) => s.mm1.meanTimeInSystem) },
      spinlockRing: {
        customersPerS: median(simpyRuns.map((s) => ringCustomers / s.spinlockRing.wallS[0])),
        meanTimeInSystem: mean((s) => s.spinlockRing.meanTimeInSystem),
        dropFraction: mean((s) => s.spinlockRing.dropFraction ?? 0),
      },
    };
  } else simpyReport = { skipped: "SimPy skipped: no python3 can `import simpy` (apt-get install -y python3-simpy3)" };
  return { params: p, results, ratios, ratioRanges, simpy: simpyReport, targets: { percentOfCeiling: 75, overSimpy: 15 } };
}

const sections: Record<string, () => unknown> = {
  engine: () => engineSection(defaultEngineParams),
  node: () => nodeSection(),
  "node-hot": () => nodeHotSection(),
  reproduce: () => reproduceSection(),
  sweep: () => sweepSection(),
  notebook: () => notebookSection(),
};
/** Sections that take minutes: `--quick` skips them (and says so). */
const LONG: Record<string, string> = { reproduce: "about a minute", sweep: "a few minutes (100 points, twice)" };

function fmt(r: Rate, digits = 0): string {
  const f = (x: number) => (x / 1e6).toFixed(digits + 2);
  return `${f(r.median)} M (${f(r.min)}-${f(r.max)})`;
}

function printEngine(e: Awaited<ReturnType<typeof engineSection>>): void {
  console.log(
    `engine: ${e.params.customers} customers; ${e.params.reps} interleaved rounds after a warm-up, each running every model once, then SimPy; median (min-max) over rounds`,
  );
  const rows = e.results.map((r) => [
    r.name,
    fmt(r.eventsPerS),
    fmt(r.customersPerS),
    r.meanTimeInSystem.toFixed(1) + (r.dropFraction !== undefined ? ` (drop ${(100 * r.dropFraction).toFixed(2)}%)` : ""),
  ]);
  const s = e.simpy as Record<string, any>;
  if (s.skipped === undefined) {
    rows.push([`M/M/1, SimPy ${s.version} (python ${s.python})`, "", `${(s.mm1.customersPerS / 1e6).toFixed(2)} M`, s.mm1.meanTimeInSystem.toFixed(1)]);
    rows.push([
      `spinlock ring, SimPy ${s.version}`,
      "",
      `${(s.spinlockRing.customersPerS / 1e6).toFixed(2)} M`,
      `${s.spinlockRing.meanTimeInSystem.toFixed(1)} (drop ${(100 * s.spinlockRing.dropFraction).toFixed(2)}%)`,
    ]);
  }
  const head = ["model", "events/s", "customers/s", "mean time in system, ns"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join("  ");
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  const r = e.ratioRanges;
  const x = (k: string, d: number) => `${r[k].median.toFixed(d)} (${r[k].min.toFixed(d)}-${r[k].max.toFixed(d)})`;
  console.log("ratios within each round, median (min-max) over rounds:");
  const met = (k: string, target: number) => (r[k].median >= target ? "met" : "NOT MET");
  console.log(
    `raw scheduler (callback M/M/1 events/s) = ${x("schedulerPercentOfCeiling", 1)}% of the bare-heap ceiling (target >= 75%): ${met("schedulerPercentOfCeiling", 75)}`,
  );
  console.log(
    `by hand / engine primitive (Timeline, SpinLock), customers/s: M/M/1 ${x("mm1HandOverPrimitive", 2)}x, spinlock ring ${x("ringHandOverPrimitive", 2)}x`,
  );
  if (s.skipped === undefined) {
    console.log(
      `bpfsim engine primitives / SimPy, customers/s: M/M/1 ${x("mm1EngineOverSimpy", 1)}x, spinlock ring ${x("ringEngineOverSimpy", 1)}x (target >= 15x): ` +
        `${met("mm1EngineOverSimpy", 15)}, ${met("ringEngineOverSimpy", 15)}`,
    );
  } else console.log(s.skipped);
}

const json = process.argv.includes("--json");
const quick = process.argv.includes("--quick");
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (only !== undefined && !(only in sections)) {
  console.error(`--only: unknown section ${only} (known: ${Object.keys(sections).join(", ")})`);
  process.exit(2);
}
const out: Record<string, unknown> = {};
const skipped: Record<string, string> = {};
for (const [name, fn] of Object.entries(sections)) {
  if (only !== undefined && only !== name) continue;
  if (quick && only === undefined && LONG[name] !== undefined) {
    skipped[name] = `${name}: skipped: --quick (it takes ${LONG[name]}; run it with --only ${name})`;
    continue;
  }
  out[name] = await fn();
  if (!json) {
    if (name === "engine") printEngine(out.engine as Awaited<ReturnType<typeof engineSection>>);
    if (name === "node") printNode(out.node as ReturnType<typeof nodeSection>);
    if (name === "node-hot") printNodeHot(out[name] as ReturnType<typeof nodeHotSection>);
    if (name === "reproduce") printReproduce(out[name] as ReturnType<typeof reproduceSection>);
    if (name === "sweep") printSweep(out[name] as ReturnType<typeof sweepSection>);
    if (name === "notebook") printNotebook(out[name] as NotebookResult);
  }
}
if (json) console.log(JSON.stringify(Object.keys(skipped).length > 0 ? { ...out, skipped } : out));
else for (const why of Object.values(skipped)) console.log(why);
