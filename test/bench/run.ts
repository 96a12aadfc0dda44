/**
 * `npm run bench`: runs every benchmark section and prints a table (`-- --json`: one JSON object;
 * `-- --only engine` or `-- --only node`: just that section).
 *
 * Sections are functions returning plain result objects; add a section by adding an entry to
 * `sections`. The engine section also runs the same two models in SimPy 3 (test/bench/simpy_models.py)
 * when a python3 with `import simpy` is found, and compares per-customer speed.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  benchMM1Callbacks,
  benchMM1Ceiling,
  benchMM1Processes,
  benchRingCallbacks,
  benchRingProcesses,
  defaultEngineParams,
  type BenchResult,
  type EngineBenchParams,
  type Rate,
} from "./engine.ts";
import { nodeSection, printNode } from "./node.ts";

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

/** Runs the SimPy models with the first python3 that can import simpy; a note when none can. */
function runSimpy(p: EngineBenchParams): { ok: true; out: SimpyOut } | { ok: false; note: string } {
  const script = fileURLToPath(new URL("./simpy_models.py", import.meta.url));
  const args = JSON.stringify({ ...p, reps: p.reps + 1 }); // first repetition is the warm-up
  for (const py of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(py, ["-c", "import simpy"], { encoding: "utf8" });
    if (probe.status !== 0) continue;
    const r = spawnSync(py, [script, args], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (r.status !== 0) return { ok: false, note: `SimPy run failed: ${r.stderr.trim()}` };
    const out = JSON.parse(r.stdout) as SimpyOut;
    for (const m of [out.mm1, out.spinlockRing]) m.wallS = m.wallS.slice(1);
    return { ok: true, out };
  }
  return { ok: false, note: "SimPy skipped: no python3 can `import simpy` (apt-get install -y python3-simpy3)" };
}

function engineSection(p: EngineBenchParams) {
  const results: BenchResult[] = [
    benchMM1Processes(p),
    benchMM1Callbacks(p),
    benchMM1Ceiling(p),
    benchRingProcesses(p),
    benchRingCallbacks(p),
  ];
  const [mm1p, mm1c, ceil, ringp, ringc] = results;
  const simpy = runSimpy(p);
  const ratios: Record<string, number> = {
    mm1CallbacksOverProcesses: mm1c.customersPerS.median / mm1p.customersPerS.median,
    ringCallbacksOverProcesses: ringc.customersPerS.median / ringp.customersPerS.median,
    schedulerPercentOfCeiling: (100 * mm1c.eventsPerS.median) / ceil.eventsPerS.median,
  };
  let simpyReport: Record<string, unknown>;
  if (simpy.ok) {
    const s = simpy.out;
    const mm1Cps = p.customers / median(s.mm1.wallS);
    const ringCps = (Math.floor(p.customers / p.producers) * p.producers) / median(s.spinlockRing.wallS);
    ratios.mm1ProcessesOverSimpy = mm1p.customersPerS.median / mm1Cps;
    ratios.ringProcessesOverSimpy = ringp.customersPerS.median / ringCps;
    simpyReport = {
      version: s.simpy,
      python: s.python,
      mm1: { customersPerS: mm1Cps, meanTimeInSystem: s.mm1.meanTimeInSystem },
      spinlockRing: {
        customersPerS: ringCps,
        meanTimeInSystem: s.spinlockRing.meanTimeInSystem,
        dropFraction: s.spinlockRing.dropFraction,
      },
    };
  } else simpyReport = { skipped: simpy.note };
  return { params: p, results, ratios, simpy: simpyReport, targets: { percentOfCeiling: 75, overSimpy: 15 } };
}

const sections = { engine: () => engineSection(defaultEngineParams), node: () => nodeSection() };

function fmt(r: Rate, digits = 0): string {
  const f = (x: number) => (x / 1e6).toFixed(digits + 2);
  return `${f(r.median)} M (${f(r.min)}-${f(r.max)})`;
}

function printEngine(e: ReturnType<typeof engineSection>): void {
  console.log(`engine: ${e.params.customers} customers, median of ${e.params.reps} repetitions after a warm-up (min-max)`);
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
  const r = e.ratios;
  console.log(`raw scheduler (callback M/M/1 events/s) = ${r.schedulerPercentOfCeiling.toFixed(1)}% of the bare-heap ceiling (target >= 75%)`);
  console.log(`callbacks / processes, customers/s: M/M/1 ${r.mm1CallbacksOverProcesses.toFixed(2)}x, spinlock ring ${r.ringCallbacksOverProcesses.toFixed(2)}x`);
  if (s.skipped === undefined) {
    console.log(
      `bpfsim processes / SimPy, customers/s: M/M/1 ${r.mm1ProcessesOverSimpy.toFixed(1)}x, spinlock ring ${r.ringProcessesOverSimpy.toFixed(1)}x (target >= 15x)`,
    );
  } else console.log(s.skipped);
}

const json = process.argv.includes("--json");
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (only !== undefined && !(only in sections)) {
  console.error(`--only: unknown section ${only} (known: ${Object.keys(sections).join(", ")})`);
  process.exit(2);
}
const out: Record<string, unknown> = {};
for (const [name, fn] of Object.entries(sections)) if (only === undefined || only === name) out[name] = fn();
if (json) console.log(JSON.stringify(out));
else {
  if (out.engine !== undefined) printEngine(out.engine as ReturnType<typeof engineSection>);
  if (out.node !== undefined) printNode(out.node as ReturnType<typeof nodeSection>);
}
