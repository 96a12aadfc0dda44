/** `bpfsim sweep` and `bpfsim merge`: a parameter grid on worker threads, as JSON Lines; shards merged back. Thin shells over sweep() and merge(). */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { sweepChart, type SweepRow } from "../../charts/sweep.ts";
import { merge } from "../../queries/merge.ts";
import { parseShard, sweep } from "../../queries/sweep.ts";
import { numberOption, UsageError } from "../errors.ts";
import { chartPath, writeChart } from "../output.ts";

function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`${flag} = ${JSON.stringify(file)}: cannot read the file`);
  }
}

function emit(lines: string[], out: string | undefined): void {
  const text = lines.length ? `${lines.join("\n")}\n` : "";
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description(
      "Run a parameter grid (JSON: arrays of hardware, tool, placement, trafficGbps, sampling, perfPages, ...; the cartesian product)\n" +
        "on worker threads; one JSON line per point, in grid order. Grid options default to 3 replications of 0.22 s.\n" +
        "Example: models/sweeps/example-grid.json; as a Kubernetes Indexed Job: models/sweeps/k8s-indexed-job.yaml.",
    )
    .requiredOption("--grid <file>", "grid JSON file")
    .option("--shard <i/N>", "run only the points whose index % N == i")
    .option("--workers <k>", "worker threads (default: all cores; 1 runs in the main thread)")
    .option("--out <file>", "write the JSON lines here (default: stdout)")
    .option("--chart <file>", "also render a chart of the points (.svg or .png)")
    .option("--x <field>", "chart x field (spec field or result metric)", "hardware")
    .option("--y <field>", "chart y field", "overheadPct")
    .option("--color <field>", "chart colour field", "tool")
    .action(async (o) => {
      const chart = chartPath("--chart", o.chart);
      let grid: unknown;
      try {
        grid = JSON.parse(readText("--grid", o.grid));
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`--grid = ${JSON.stringify(o.grid)}: invalid JSON: ${(err as Error).message}`);
      }
      const shard = o.shard === undefined ? undefined : (() => {
        try {
          return parseShard(o.shard);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
      })();
      const workers = o.workers === undefined ? undefined : numberOption("--workers", o.workers, (n) => Number.isInteger(n) && n >= 1 && n <= 1024, "an integer in [1, 1024]");
      const bar = process.stderr.isTTY ? new SingleBar({ format: "sweep [{bar}] {value}/{total} points  eta {eta}s", stream: process.stderr }, Presets.shades_classic) : null;
      let started = false;
      const lines = await sweep(grid, {
        shard,
        workers,
        onProgress: (done, total) => {
          if (!bar) return;
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        },
      });
      if (bar && started) bar.stop();
      emit(lines, o.out);
      if (chart) {
        const rows = lines.map((l) => JSON.parse(l) as SweepRow);
        await writeChart(chart, sweepChart(rows, o.x, o.y, o.color));
      }
    });

  program
    .command("merge")
    .description("Merge sweep shards (JSON Lines) into grid order, checking that no point is missing or duplicated")
    .argument("<shards...>", "JSON Lines files written by `bpfsim sweep --shard i/N`")
    .option("--out <file>", "write the merged lines here (default: stdout)")
    .action((files: string[], o) => {
      const inputs = files.map((f) => ({ name: f, text: readText("<shards>", f) }));
      emit(merge(inputs), o.out);
    });
}
