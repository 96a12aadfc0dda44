/**
 * The model's validated error, per kind of scenario: how far its overhead predictions were from what
 * was measured, by buffer kind (perf event array / ring buffer) and node size (vCPU range). Derived
 * from the validation results — the field study's rows (`reproduce`, rows counted as predictions) and
 * our own held-out configurations (`validateMeasured`, configurations the calibration did not see) —
 * never set by hand, and written with its provenance (command, date, calibration, options) to
 * `validation/model-error.json`. `claim` and the vendor-claim notebook widen a prediction by it: a
 * claim inside prediction ± the error of its kind of scenario is "consistent" (the model cannot tell
 * it apart from the truth).
 *
 * The error of a band is the largest |predicted - measured| among its rows (pp of overhead), and its
 * relative error the largest |predicted - measured| / measured (for claims in other units: node CPU,
 * cores). A band with no rows of its own takes the largest error of its buffer kind over all sizes,
 * and says so (`extrapolated`); a kind with no rows at all takes the largest error over everything.
 *
 * Regenerate: `npx tsx src/validation/model-error.ts` (runs reproduce and the held-out comparison with
 * the `simulate` defaults; minutes on a 2-core machine).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT } from "../models/paths.ts";
import { DEFAULT_CALIBRATION } from "../node/scenario.ts";
import type { ReproduceResult } from "./reproduce.ts";
import type { MeasuredValidation } from "./measured.ts";

export type BufferKind = "perf" | "ringbuf";

/** Node-size ranges the error is given for, in vCPUs (inclusive). */
export const VCPU_RANGES: readonly { minVcpus: number; maxVcpus: number }[] = [
  { minVcpus: 1, maxVcpus: 8 },
  { minVcpus: 9, maxVcpus: 32 },
  { minVcpus: 33, maxVcpus: 1024 },
];

export interface ErrorRow {
  source: "field-study" | "held-out";
  label: string;
  kind: BufferKind;
  vcpus: number;
  predictedPct: number;
  measuredPct: number;
}

export interface ErrorBand {
  kind: BufferKind;
  minVcpus: number;
  maxVcpus: number;
  /** Largest |predicted - measured| overhead in the band, percentage points. */
  errorPp: number;
  /** Largest |predicted - measured| / measured in the band (rows with measured > 0), as a fraction. */
  relativeError: number;
  /** Rows behind it (0 when extrapolated). */
  rows: number;
  /** True when the band had no rows and took its kind's (or the overall) largest error. */
  extrapolated: boolean;
}

export interface ModelErrorFile {
  description: string;
  provenance: { command: string; date: string; calibration: string; heldOutCalibration: string | null; options: Record<string, unknown> };
  bands: ErrorBand[];
  rows: ErrorRow[];
}

export const MODEL_ERROR_FILE = join(PACKAGE_ROOT, "validation", "model-error.json");

const kindOf = (tool: string): BufferKind => (/ringbuf/.test(tool) ? "ringbuf" : "perf");

/** The rows that measure the model's overhead error: the field study's counted rows, then the held-out ones. */
export function errorRows(rep: ReproduceResult, measured: MeasuredValidation | null, vcpusOf: (hardware: string) => number): ErrorRow[] {
  const rows: ErrorRow[] = [];
  for (const r of rep.rows) {
    if (r.status !== "predicted" || r.metric !== "reduction_pct") continue;
    rows.push({
      source: "field-study",
      label: `${r.table}: ${r.label}`,
      kind: kindOf(r.scenario.tool),
      vcpus: vcpusOf(r.scenario.hardware),
      predictedPct: r.predicted.mean,
      measuredPct: r.published,
    });
  }
  for (const c of measured?.comparisons ?? []) {
    if (c.result === null || c.config.settings === undefined || c.config.settings.mode === "none") continue;
    rows.push({
      source: "held-out",
      label: `held-out ${c.config.configId}`,
      kind: c.config.settings.mode === "ringbuf" ? "ringbuf" : "perf",
      vcpus: vcpusOf(c.result.scenario.hardware),
      predictedPct: c.result.overheadPct.mean,
      measuredPct: c.measuredOverheadPct,
    });
  }
  return rows;
}

/** Error bands from rows (see the module comment). */
export function bandsOf(rows: readonly ErrorRow[]): ErrorBand[] {
  if (rows.length === 0) throw new RangeError("model error: no validation rows to derive it from");
  const stats = (rs: readonly ErrorRow[]) => ({
    errorPp: Math.max(...rs.map((r) => Math.abs(r.predictedPct - r.measuredPct))),
    relativeError: Math.max(0, ...rs.filter((r) => r.measuredPct > 0).map((r) => Math.abs(r.predictedPct - r.measuredPct) / r.measuredPct)),
  });
  const overall = stats(rows);
  const bands: ErrorBand[] = [];
  for (const kind of ["perf", "ringbuf"] as const) {
    const ofKind = rows.filter((r) => r.kind === kind);
    const kindStats = ofKind.length > 0 ? stats(ofKind) : overall;
    for (const range of VCPU_RANGES) {
      const rs = ofKind.filter((r) => r.vcpus >= range.minVcpus && r.vcpus <= range.maxVcpus);
      const s = rs.length > 0 ? stats(rs) : kindStats;
      bands.push({ kind, ...range, ...s, rows: rs.length, extrapolated: rs.length === 0 });
    }
  }
  return bands;
}

export function deriveModelError(
  rep: ReproduceResult,
  measured: MeasuredValidation | null,
  vcpusOf: (hardware: string) => number,
  provenance: ModelErrorFile["provenance"],
): ModelErrorFile {
  const rows = errorRows(rep, measured, vcpusOf);
  return {
    description:
      "The model's validated overhead error per buffer kind and vCPU range: the largest |predicted - measured| (pp) and relative error among the field study's counted rows and our held-out configurations in that band. Generated by src/validation/model-error.ts; do not edit by hand.",
    provenance,
    bands: bandsOf(rows),
    rows,
  };
}

/** Checks a parsed model-error file; names the field and value that is wrong. */
export function checkModelError(doc: unknown, label: string): ModelErrorFile {
  const bad = (what: string, v: unknown) =>
    new RangeError(`${label}: ${what} = ${JSON.stringify(v)}: must be ${what.endsWith("kind") ? "perf or ringbuf" : "a number >= 0"}`);
  if (doc === null || typeof doc !== "object" || !Array.isArray((doc as ModelErrorFile).bands))
    throw new RangeError(`${label}: bands: missing (not a model-error file)`);
  const f = doc as ModelErrorFile;
  f.bands.forEach((b, i) => {
    if (b.kind !== "perf" && b.kind !== "ringbuf") throw bad(`bands[${i}].kind`, b.kind);
    for (const k of ["errorPp", "relativeError", "minVcpus", "maxVcpus"] as const)
      if (!(typeof b[k] === "number" && b[k] >= 0)) throw bad(`bands[${i}].${k}`, b[k]);
  });
  if (typeof f.provenance?.command !== "string" || typeof f.provenance?.date !== "string") throw new RangeError(`${label}: provenance: needs command and date`);
  return f;
}

let cached: ModelErrorFile | undefined;

/** Reads validation/model-error.json (or `path`). */
export function readModelError(path = MODEL_ERROR_FILE): ModelErrorFile {
  if (path === MODEL_ERROR_FILE && cached) return cached;
  if (!existsSync(path)) throw new RangeError(`${path}: no model-error file: run \`npx tsx src/validation/model-error.ts\``);
  const f = checkModelError(JSON.parse(readFileSync(path, "utf8")), path);
  if (path === MODEL_ERROR_FILE) cached = f;
  return f;
}

/** The error band for a buffer kind at a node size (the last range for anything larger). */
export function modelErrorFor(f: ModelErrorFile, kind: BufferKind, vcpus: number): ErrorBand {
  const ofKind = f.bands.filter((b) => b.kind === kind);
  if (ofKind.length === 0) throw new RangeError(`model error: no band for buffer kind ${kind}`);
  return ofKind.find((b) => vcpus >= b.minVcpus && vcpus <= b.maxVcpus) ?? ofKind.reduce((a, b) => (b.maxVcpus > a.maxVcpus ? b : a));
}

export function writeModelError(f: ModelErrorFile, path = MODEL_ERROR_FILE): void {
  writeFileSync(path, JSON.stringify(f, null, 2) + "\n");
  if (path === MODEL_ERROR_FILE) cached = f;
}

/** Regenerates validation/model-error.json with the current model (reproduce + held-out, simulate defaults). */
export async function generateModelError(): Promise<ModelErrorFile> {
  const { reproduce } = await import("./reproduce.ts");
  const { validateMeasured } = await import("./measured.ts");
  const { readFittedCalibration } = await import("./held-out.ts");
  const { readDataset } = await import("../measure/jsonl.ts");
  const { buildScenario } = await import("../node/scenario.ts");
  const sim = { seed: 1, replications: 5, durationS: 0.22, warmupS: 0.02 };
  const rep = reproduce({ ...sim, calibration: DEFAULT_CALIBRATION });
  // held out: the dataset the measuring host's calibration was made from (its provenance names it)
  let measured: MeasuredValidation | null = null;
  let heldOutCalibration: string | null = null;
  const dataDir = join(PACKAGE_ROOT, "validation", "data");
  const files = existsSync(dataDir)
    ? readdirSync(dataDir)
        .filter((x) => x.endsWith(".jsonl"))
        .sort()
    : [];
  if (files.length > 0) {
    const first = readDataset(join(dataDir, files[0]));
    const calPath = join(PACKAGE_ROOT, "models", "calibration", `${first[0]?.hostClass}.json`);
    if (first.length > 0 && existsSync(calPath)) {
      const cal = readFittedCalibration(calPath, calPath.slice(PACKAGE_ROOT.length + 1));
      const named = (cal.calibration.provenance.datasets?.throughput ?? []).filter((f) => existsSync(join(PACKAGE_ROOT, f)));
      const rows = named.length > 0 ? named.flatMap((f) => readDataset(join(PACKAGE_ROOT, f))) : first;
      measured = validateMeasured(rows, cal, sim);
      heldOutCalibration = cal.file;
    }
  }
  const vcpus = new Map<string, number>();
  const vcpusOf = (hw: string) => {
    let v = vcpus.get(hw);
    if (v === undefined) vcpus.set(hw, (v = buildScenario({ hardware: hw, tool: "none" }).hardware.vcpus));
    return v;
  };
  return deriveModelError(rep, measured, vcpusOf, {
    command: "npx tsx src/validation/model-error.ts",
    date: new Date().toISOString(),
    calibration: DEFAULT_CALIBRATION,
    heldOutCalibration,
    options: sim,
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = await generateModelError();
  writeModelError(f);
  for (const b of f.bands) {
    console.log(
      `${b.kind} ${b.minVcpus}-${b.maxVcpus} vCPUs: ±${b.errorPp.toFixed(2)} pp, ±${(100 * b.relativeError).toFixed(0)}% (${b.extrapolated ? "extrapolated" : `${b.rows} rows`})`,
    );
  }
  console.log(`written to ${MODEL_ERROR_FILE.slice(PACKAGE_ROOT.length + 1)}`);
}
