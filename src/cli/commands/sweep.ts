/** `bpfsim sweep` and `bpfsim merge`: a parameter grid on worker threads, as JSON Lines; shards merged back. Thin shells over sweepLines() and merge(). */
import { closeSync, existsSync, openSync, readFileSync, statSync, truncateSync, writeSync } from "node:fs";
import type { Command } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { sweepChart, type SweepRow } from "../../charts/sweep.ts";
import { merge } from "../../queries/merge.ts";
import { MAX_GRID_POINTS, normaliseGrid, parseShard, planSweep, resumePoints, sweepLines } from "../../queries/sweep.ts";
import { checkOutputPath, jsonSyntaxMessage, readTextFile } from "../../models/read.ts";
import { numberOption, UsageError } from "../errors.ts";
import { chartPath, printWarnings, writeChart } from "../output.ts";

/** Largest grid file and shard file read. */
const MAX_GRID_BYTES = 4 * 1024 * 1024;
const MAX_SHARD_BYTES = 1024 * 1024 * 1024;

function readText(flag: string, file: string, maxBytes: number): string {
  return readTextFile(file, "file", { maxBytes, error: (m) => new UsageError(`${flag} = ${JSON.stringify(file)}: ${m.slice(file.length + 2)}`, flag, file) });
}

/** Checks --chart (extension, folder) before any work. */
function chartOut(path: string | undefined): string | undefined {
  const c = chartPath("--chart", path);
  if (c !== undefined) checkOutputPath("--chart", c);
  return c;
}

export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description(
      "Run a parameter grid (JSON: arrays of hardware, tool, placement, trafficGbps, sampling, perfPages, ...; the cartesian product)\n" +
        "on worker threads; one JSON line per point, in grid order, written as points complete. Grid options default to 3 replications of 0.22 s.\n" +
        `A grid of more than ${MAX_GRID_POINTS} points needs --force. With --out, a stopped sweep resumes: points already in the file are not run again.\n` +
        "Example: models/sweeps/example-grid.json; as a Kubernetes Indexed Job: models/sweeps/k8s-indexed-job.yaml.",
    )
    .requiredOption("--grid <file>", "grid JSON file")
    .option("--shard <i/N>", "run only the points whose index % N == i")
    .option("--workers <k>", "worker threads (default: all cores; 1 runs in the main thread)")
    .option("--out <file>", "write (append) the JSON lines here, resuming a stopped run of the same grid (default: stdout)")
    .option("--force", `run a grid of more than ${MAX_GRID_POINTS} points`)
    .option("--chart <file>", "also render a chart of the points (.svg or .png)")
    .option("--x <field>", "chart x field (spec field or result metric)", "hardware")
    .option("--y <field>", "chart y field (a SimulationResult estimate: nodeCpuPct, overheadPct, lostPerS, ...)", "nodeCpuPct")
    .option("--color <field>", "chart colour field", "tool")
    .action(async (o) => {
      // every argument and path is checked before the first point runs
      const chart = chartOut(o.chart);
      if (o.out !== undefined) checkOutputPath("--out", o.out);
      let grid: unknown;
      try {
        grid = JSON.parse(readText("--grid", o.grid, MAX_GRID_BYTES));
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`--grid = ${JSON.stringify(o.grid)}: ${jsonSyntaxMessage(err)}`, "--grid", o.grid);
      }
      const shard = o.shard === undefined ? undefined : parseShard(o.shard);
      const workers =
        o.workers === undefined
          ? undefined
          : numberOption("--workers", o.workers, (n) => Number.isInteger(n) && n >= 1 && n <= 1024, "an integer in [1, 1024]");
      const { hash } = normaliseGrid(grid);
      let skip: Set<number> | undefined;
      if (o.out !== undefined && existsSync(o.out) && statSync(o.out).size > 0) {
        const r = resumePoints(readText("--out", o.out, MAX_SHARD_BYTES), hash, o.out);
        skip = r.skip;
        truncateSync(o.out, r.keepBytes); // a line cut short by the stop is run again
        if (skip.size > 0) process.stderr.write(`resuming ${o.out}: ${skip.size} points already there\n`);
      }
      const plan = planSweep(grid, { shard, workers, force: o.force, skip });
      const fd = o.out !== undefined ? openSync(o.out, "a") : undefined;
      const bar = process.stderr.isTTY
        ? new SingleBar({ format: "sweep [{bar}] {value}/{total} points  eta {eta}s", stream: process.stderr }, Presets.shades_classic)
        : null;
      const seen = new Set<string>();
      const rows: SweepRow[] = [];
      let started = false;
      try {
        await sweepLines(
          grid,
          (line, r) => {
            // written at once (a kill loses at most the line being written; resuming runs it again)
            if (fd !== undefined) writeSync(fd, `${line}\n`);
            else process.stdout.write(`${line}\n`);
            if (chart && fd === undefined) rows.push(JSON.parse(line) as SweepRow);
            if (r.result?.warnings.length) {
              if (bar && started) bar.stop();
              printWarnings(r.result.warnings, seen);
              if (bar && started) bar.start(plan.toRun, 0);
            }
          },
          {
            shard,
            workers,
            force: o.force,
            skip,
            onProgress: (done, total) => {
              if (!bar) return;
              if (!started) {
                bar.start(total, 0);
                started = true;
              }
              bar.update(done);
            },
          },
        );
      } finally {
        if (bar && started) bar.stop();
        if (fd !== undefined) closeSync(fd);
      }
      if (chart) {
        const all =
          fd !== undefined
            ? readFileSync(o.out, "utf8")
                .split("\n")
                .filter((l) => l.trim() !== "")
                .map((l) => JSON.parse(l) as SweepRow)
            : rows;
        await writeChart(chart, sweepChart(all, o.x, o.y, o.color));
      }
    });

  program
    .command("merge")
    .description("Merge sweep shards (JSON Lines) into grid order, checking that no point is missing or duplicated")
    .argument("<shards...>", "JSON Lines files written by `bpfsim sweep --shard i/N`")
    .option("--out <file>", "write the merged lines here (default: stdout)")
    .action((files: string[], o) => {
      if (o.out !== undefined) checkOutputPath("--out", o.out);
      const inputs = files.map((f) => ({ name: f, text: readText("<shards>", f, MAX_SHARD_BYTES) }));
      const lines = merge(inputs);
      const text = lines.length ? `${lines.join("\n")}\n` : "";
      if (o.out !== undefined) {
        const fd = openSync(o.out, "w");
        try {
          writeSync(fd, text);
        } finally {
          closeSync(fd);
        }
      } else process.stdout.write(text);
    });
}
