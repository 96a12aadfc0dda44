/**
 * How query commands print: `--json` (the answer object), `--csv` (the answer's table), or a readable
 * table with a header that states the 95% intervals and the calibration file; and `--chart` files.
 */
import { checkOutputPath } from "../models/read.ts";
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { Estimate } from "../engine/index.ts";
import { renderPng, renderSvg, type VegaLiteSpec } from "../charts/render.ts";
import { UsageError, numberOption, seedOption } from "./errors.ts";
import { table } from "./format.ts";
import { METRICS, type MetricBasis } from "../queries/common.ts";
import { DEFAULT_CALIBRATION } from "../node/scenario.ts";

/**
 * A table cell: text, or an estimate (estCell: "mean ± half-width"; ciCell: "[low, high]"). In CSV an
 * estimate column becomes numeric `<name> mean`, `<name> low`, `<name> high` columns, and a CI column
 * that repeats the estimate of the column before it is left out (its numbers are already there).
 */
export type Cell = string | EstimateCell;
export interface EstimateCell {
  text: string;
  estimate: Estimate;
  ci?: boolean;
}

export function estCell(e: Estimate, digits = 2): EstimateCell {
  return { text: est(e, digits), estimate: e };
}

export function ciCell(e: Estimate, digits = 2): EstimateCell {
  return { text: ci(e, digits), estimate: e, ci: true };
}

const textOf = (c: Cell | undefined): string => (c === undefined ? "" : typeof c === "string" ? c : c.text);

/** The CSV lines of a table: estimate columns as numeric mean/low/high columns. */
export function csvLines(header: string[], rows: Cell[][]): string[] {
  type Col = { kind: "text" } | { kind: "est" } | { kind: "ci" } | { kind: "skip" };
  const cols: Col[] = header.map((_, i) => {
    const cells = rows.map((r) => r[i]).filter((c) => c !== undefined && typeof c !== "string") as EstimateCell[];
    if (cells.length === 0) return { kind: "text" };
    if (cells.every((c) => c.ci)) {
      // repeats the column before it (same estimates): its low/high are there already
      const same =
        i > 0 &&
        rows.every(
          (r) => typeof r[i] === "string" || (typeof r[i - 1] !== "string" && (r[i - 1] as EstimateCell).estimate === (r[i] as EstimateCell).estimate),
        );
      return same ? { kind: "skip" } : { kind: "ci" };
    }
    return { kind: "est" };
  });
  const head: string[] = [];
  cols.forEach((c, i) => {
    const h = header[i];
    if (c.kind === "text") head.push(h);
    else if (c.kind === "est") head.push(...(h.includes("±") ? ["mean", "low", "high"] : [`${h} mean`, `${h} low`, `${h} high`]));
    else if (c.kind === "ci") head.push(`${h} low`, `${h} high`);
  });
  const num = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "" : String(x));
  const body = rows.map((r) => {
    const out: string[] = [];
    cols.forEach((c, i) => {
      const cell = r[i];
      const e = cell !== undefined && typeof cell !== "string" ? cell.estimate : undefined;
      if (c.kind === "text") out.push(textOf(cell));
      else if (c.kind === "est") out.push(e ? num(e.mean) : textOf(cell), num(e?.low), num(e?.high));
      else if (c.kind === "ci") out.push(num(e?.low), num(e?.high));
    });
    return out;
  });
  return [head, ...body].map((r) => r.map(csvCell).join(","));
}

export interface Tabular {
  /** Lines printed above the table (not in CSV). */
  preamble: string[];
  header: string[];
  rows: Cell[][];
  /** Lines printed below the table (not in CSV). */
  footer?: string[];
}

/** Adds --json and --csv. */
export function addOutputOptions(cmd: Command): Command {
  return cmd.option("--json", "print one JSON object (the answer)").option("--csv", "print the table as CSV");
}

/**
 * Adds --seed / --replications / --duration / --max-iterations with the quick defaults of queries that
 * run many simulations (each default shown once, by commander).
 */
export function addQuickSimulationOptions(cmd: Command, replications = "3", duration = "0.22"): Command {
  return cmd
    .option("--seed <n>", "seed of the first replication (integer)", "1")
    .option("--replications <n>", "independent replications per simulation, for 95% intervals (kept small: this runs many simulations)", replications)
    .option("--duration <s>", "simulated seconds per discrete-event run", duration)
    .option("--max-iterations <n>", "throughput fixed-point iterations per replication (raise it when a warning says the fixed point did not settle)", "4");
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function print(o: { json?: boolean; csv?: boolean }, answer: unknown, t: Tabular): void {
  if (o.json && o.csv) throw new UsageError(`--json and --csv are exclusive: give one`);
  if (o.json) console.log(JSON.stringify(answer, null, 2));
  else if (o.csv) console.log(csvLines(t.header, t.rows).join("\n"));
  else
    console.log(
      [
        ...t.preamble,
        "",
        table(
          t.header,
          t.rows.map((r) => r.map(textOf)),
        ),
        ...(t.footer ? ["", ...t.footer] : []),
      ].join("\n"),
    );
}

/**
 * "mean ± half-width" for tables; an interval kept inside its bounds (boundInterval) is asymmetric:
 * "mean [low, high]", and one that reaches its bound from a mean at it: "< high".
 */
export function est(e: Estimate, digits = 2): string {
  if (!(e.n > 1)) return e.mean.toFixed(digits);
  if (e.bounded) {
    if (e.mean <= e.low && e.high > e.low) return `< ${e.high.toFixed(digits)}`;
    return `${e.mean.toFixed(digits)} [${e.low.toFixed(digits)}, ${e.high.toFixed(digits)}]`;
  }
  return `${e.mean.toFixed(digits)} ± ${e.halfWidth.toFixed(digits)}`;
}

export function ci(e: Estimate, digits = 2): string {
  return `[${e.low.toFixed(digits)}, ${e.high.toFixed(digits)}]`;
}

/** Checks a --chart path before any simulation runs. */
export function chartPath(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (!/\.(svg|png)$/i.test(path)) throw new UsageError(`${flag} = ${JSON.stringify(path)}: must end in .svg or .png`);
  // before any simulation: a chart that cannot be written is a user error now, not after the work
  return checkOutputPath(flag, path);
}

/** Renders a chart to the file (SVG or PNG by extension); a note goes to stderr. */
export async function writeChart(path: string, spec: VegaLiteSpec): Promise<void> {
  const svg = await renderSvg(spec);
  if (/\.png$/i.test(path)) writeFileSync(path, renderPng(svg));
  else writeFileSync(path, svg);
  process.stderr.write(`chart written to ${path}\n`);
}

/**
 * Adds --max-iterations to a command whose simulation options come from elsewhere (simulate.ts), unless
 * it is there already; maxIterationsOption reads it.
 */
export function addMaxIterationsOption(cmd: Command): Command {
  if (!cmd.options.some((x) => x.long === "--max-iterations")) {
    cmd.option("--max-iterations <n>", "throughput fixed-point iterations per replication (raise it when a warning says the fixed point did not settle)", "4");
  }
  return cmd;
}

export function maxIterationsOption(o: { maxIterations?: string }): number {
  return numberOption("--max-iterations", o.maxIterations ?? "4", (n) => Number.isInteger(n) && n >= 1 && n <= 50, "an integer in [1, 50]");
}

export function quickOptions(o: { seed?: string; replications?: string; duration?: string; maxIterations?: string }) {
  return {
    maxIterations: maxIterationsOption(o),
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
