/**
 * How query commands print: `--json` (the answer object), `--csv` (the answer's table), or a readable
 * table with a header that states the 95% intervals and the calibration file; and `--chart` files.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { Estimate } from "../engine/index.ts";
import { renderPng, renderSvg, type VegaLiteSpec } from "../charts/render.ts";
import { UsageError, numberOption, seedOption } from "./errors.ts";
import { table } from "./format.ts";
import { METRICS, type MetricBasis } from "../queries/common.ts";
import { DEFAULT_CALIBRATION } from "../node/scenario.ts";

export interface Tabular {
  /** Lines printed above the table (not in CSV). */
  preamble: string[];
  header: string[];
  rows: string[][];
  /** Lines printed below the table (not in CSV). */
  footer?: string[];
}

/** Adds --json and --csv. */
export function addOutputOptions(cmd: Command): Command {
  return cmd.option("--json", "print one JSON object (the answer)").option("--csv", "print the table as CSV");
}

/** Adds --seed / --replications / --duration with the quick defaults of queries that run many simulations. */
export function addQuickSimulationOptions(cmd: Command, replications = "3", duration = "0.22"): Command {
  return cmd
    .option("--seed <n>", "seed of the first replication (integer)", "1")
    .option("--replications <n>", `independent replications per simulation, for 95% intervals (default ${replications}: kept small because this runs many simulations)`, replications)
    .option("--duration <s>", `simulated seconds per discrete-event run (default ${duration})`, duration);
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function print(o: { json?: boolean; csv?: boolean }, answer: unknown, t: Tabular): void {
  if (o.json && o.csv) throw new UsageError(`--json and --csv are exclusive: give one`);
  if (o.json) console.log(JSON.stringify(answer, null, 2));
  else if (o.csv) console.log([t.header, ...t.rows].map((r) => r.map(csvCell).join(",")).join("\n"));
  else console.log([...t.preamble, "", table(t.header, t.rows), ...(t.footer ? ["", ...t.footer] : [])].join("\n"));
}

/** "mean ± half-width" or "mean [low, high]" for tables. */
export function est(e: Estimate, digits = 2): string {
  return e.n > 1 ? `${e.mean.toFixed(digits)} ± ${e.halfWidth.toFixed(digits)}` : e.mean.toFixed(digits);
}

export function ci(e: Estimate, digits = 2): string {
  return `[${e.low.toFixed(digits)}, ${e.high.toFixed(digits)}]`;
}

/** Checks a --chart path before any simulation runs. */
export function chartPath(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (!/\.(svg|png)$/i.test(path)) throw new UsageError(`${flag} = ${JSON.stringify(path)}: must end in .svg or .png`);
  return path;
}

/** Renders a chart to the file (SVG or PNG by extension); a note goes to stderr. */
export async function writeChart(path: string, spec: VegaLiteSpec): Promise<void> {
  const svg = await renderSvg(spec);
  if (/\.png$/i.test(path)) writeFileSync(path, renderPng(svg));
  else writeFileSync(path, svg);
  process.stderr.write(`chart written to ${path}\n`);
}

export function quickOptions(o: { seed?: string; replications?: string; duration?: string }) {
  return {
    seed: seedOption(o.seed ?? "1"),
    replications: numberOption("--replications", o.replications ?? "3", (n) => Number.isInteger(n) && n >= 1 && n <= 1000, "an integer in [1, 1000]"),
    durationS: numberOption("--duration", o.duration ?? "0.22", (n) => n > 0.02 && n <= 3600, "seconds in (0.02, 3600]"),
  };
}

/** Scenario flags shared by query commands (hardware and tool are added by each command). */
export function addScenarioOptions(cmd: Command, traffic = true): Command {
  cmd
    .option("--placement <p>", "agent placement: limited, unlimited, pinned, or a JSON file", "limited")
    .option("--workload <w>", "workload profile name or JSON file", "tcp-receiver-saturating")
    .option("--calibration <c>", "calibration host class (models/calibration) or JSON file", DEFAULT_CALIBRATION);
  if (traffic) {
    cmd
      .option("--traffic <gbps>", "offered traffic in Gb/s (workload mode offered)")
      .option("--observed <gbps>", "measured baseline in Gb/s at the node's CPU limit (workload mode observed)");
  }
  return cmd;
}

export function trafficFlags(o: { traffic?: string; observed?: string }) {
  if (o.traffic !== undefined && o.observed !== undefined) {
    throw new UsageError(`--traffic = ${JSON.stringify(o.traffic)} and --observed = ${JSON.stringify(o.observed)} are exclusive: give one`);
  }
  return {
    trafficGbps: o.traffic === undefined ? undefined : numberOption("--traffic", o.traffic, (n) => n > 0 && n <= 10000, "Gb/s in (0, 10000]"),
    observedGbps: o.observed === undefined ? undefined : numberOption("--observed", o.observed, (n) => n > 0 && n <= 10000, "Gb/s in (0, 10000]"),
  };
}

/** Checks --metric (throughput or cpu); `fallback` when not given. */
export function metricOption(value: string | undefined, fallback: MetricBasis): MetricBasis {
  if (value === undefined) return fallback;
  if (!(METRICS as readonly string[]).includes(value)) throw new UsageError(`--metric = ${JSON.stringify(value)}: must be one of ${METRICS.join(", ")}`);
  return value as MetricBasis;
}

/** Prints warnings on stderr, each once (duplicates dropped), as `bpfsim: warning: ...`. */
export function printWarnings(warnings: Iterable<string>, seen: Set<string> = new Set()): void {
  for (const w of warnings) {
    if (seen.has(w)) continue;
    seen.add(w);
    process.stderr.write(`bpfsim: warning: ${w}\n`);
  }
}
