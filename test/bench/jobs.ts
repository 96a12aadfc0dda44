/**
 * The user's main jobs, timed as the user runs them (a fresh `npm run` each, output discarded):
 *
 * - `reproduce`: `npm run -s reproduce` (with the band, the default). Target: <= 10 s wall on this
 *   project's 2 cores.
 * - `sweep`: a 100-point grid (bench-grid below: 5 node shapes x 2 tools x 2 placements x 5 traffics,
 *   the grid's default options, 3 replications of 0.22 s) with `--workers 1` and `--workers 2`, in
 *   interleaved rounds (the order alternates between rounds); the speed-up is taken within a round.
 *   Both runs' outputs must be byte-identical (checked). Target: speed-up >= 1.8x.
 *
 * Wall time on a shared machine depends on the load: each job also reports the CPU time its process
 * tree used (user + system of the waited-for children, from /proc/self/stat) and the 1-minute load
 * average when it started, so a slow wall figure can be read against them.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rate, type Rate } from "./engine.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLK_TCK = 100; // Linux USER_HZ

export const REPRODUCE_TARGET_S = 10;
export const SWEEP_TARGET_SPEEDUP = 1.8;

/** The sweep benchmark's grid: 100 points. */
export const BENCH_GRID = {
  hardware: ["azure-d4s-v5", "azure-d8s-v5", "azure-d16s-v5", "azure-d32s-v5", "azure-d48s-v5"],
  tool: ["retina-perf", "retina-ringbuf"],
  placement: ["limited", "unlimited"],
  observedGbps: [2, 4, 6, 8, 10],
};

/** CPU seconds (user + system) of this process's waited-for children so far. */
function childrenCpuS(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // after the command: state is field 3; cutime and cstime are fields 16 and 17
    return (Number(f[16 - 3]) + Number(f[17 - 3])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

export interface JobRun {
  wallS: number;
  cpuS: number;
  load1: number;
}

/** Runs `npm run -s <args>` in the repository, timing it; throws if it fails. Returns its stdout too. */
function timeNpm(args: string[]): JobRun & { stdout: string } {
  const load1 = loadavg()[0];
  const c0 = childrenCpuS();
  const t0 = performance.now();
  const r = spawnSync("npm", ["run", "-s", ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = childrenCpuS() - c0;
  if (r.status !== 0) throw new Error(`npm run ${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { wallS, cpuS, load1, stdout: r.stdout };
}

export function reproduceSection(reps = 1) {
  const runs: JobRun[] = [];
  for (let i = 0; i < reps; i++) {
    const { stdout: _s, ...run } = timeNpm(["reproduce"]);
    runs.push(run);
  }
  const wall = rate(runs.map((r) => r.wallS));
  return {
    command: "npm run -s reproduce (band included)",
    cores: cpus().length,
    runs,
    wallS: wall,
    cpuS: rate(runs.map((r) => r.cpuS)),
    targetS: REPRODUCE_TARGET_S,
    met: wall.median <= REPRODUCE_TARGET_S,
  };
}

export function sweepSection(rounds = 1) {
  const dir = mkdtempSync(join(tmpdir(), "bpfsim-bench-sweep-"));
  try {
    const grid = join(dir, "grid.json");
    writeFileSync(grid, JSON.stringify(BENCH_GRID));
    const one: JobRun[] = [];
    const two: JobRun[] = [];
    const speedups: number[] = [];
    let identical = true;
    for (let r = 0; r < rounds; r++) {
      const run = (w: number) => timeNpm(["bpfsim", "--", "sweep", "--grid", grid, "--workers", String(w)]);
      let a: ReturnType<typeof run>;
      let b: ReturnType<typeof run>;
      if (r % 2 === 0) {
        a = run(1);
        b = run(2);
      } else {
        b = run(2);
        a = run(1);
      }
      identical &&= a.stdout === b.stdout && a.stdout.trim().split("\n").length === 100;
      const { stdout: _a, ...ra } = a;
      const { stdout: _b, ...rb } = b;
      one.push(ra);
      two.push(rb);
      speedups.push(a.wallS / b.wallS);
    }
    const speedup = rate(speedups);
    return {
      command: "npm run -s bpfsim -- sweep --grid <bench grid> --workers 1 | 2",
      grid: BENCH_GRID,
      points: 100,
      cores: cpus().length,
      oneWorker: { runs: one, wallS: rate(one.map((x) => x.wallS)) },
      twoWorkers: { runs: two, wallS: rate(two.map((x) => x.wallS)) },
      speedup,
      outputsIdentical: identical,
      target: SWEEP_TARGET_SPEEDUP,
      met: speedup.median >= SWEEP_TARGET_SPEEDUP && identical,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const r2 = (r: Rate, d = 1) => (r.min === r.max ? r.median.toFixed(d) : `${r.median.toFixed(d)} (${r.min.toFixed(d)}-${r.max.toFixed(d)})`);

export function printReproduce(r: ReturnType<typeof reproduceSection>): void {
  console.log(`reproduce: ${r.command}, ${r.runs.length} run(s) on ${r.cores} cores, median (min-max)`);
  console.log(
    `  wall ${r2(r.wallS)} s (target <= ${r.targetS} s): ${r.met ? "met" : "NOT MET"}; CPU used ${r2(r.cpuS)} s; load average at start ${r.runs.map((x) => x.load1.toFixed(1)).join(", ")}`,
  );
}

export function printSweep(s: ReturnType<typeof sweepSection>): void {
  console.log(`sweep: ${s.points} points, ${s.command}, ${s.oneWorker.runs.length} interleaved round(s) on ${s.cores} cores`);
  console.log(
    `  1 worker ${r2(s.oneWorker.wallS)} s (CPU ${s.oneWorker.runs.map((x) => x.cpuS.toFixed(1)).join(", ")} s), 2 workers ${r2(s.twoWorkers.wallS)} s (CPU ${s.twoWorkers.runs.map((x) => x.cpuS.toFixed(1)).join(", ")} s); load average at start ${[...s.oneWorker.runs, ...s.twoWorkers.runs].map((x) => x.load1.toFixed(1)).join(", ")}`,
  );
  console.log(
    `  speed-up 1 -> 2 workers ${r2(s.speedup, 2)}x (target >= ${s.target}x)${s.outputsIdentical ? "" : ", OUTPUTS DIFFER"}: ${s.met ? "met" : "NOT MET"}`,
  );
}
