/**
 * Which of our throughput configurations the calibration did not see, and what was measured there.
 *
 * A calibration file written by `bpfsim calibrate` (src/calibration/fit.ts) lists, under `heldOut`,
 * the throughput runs it did not fit on; every constant also lists the runs it came from. A run is
 * "used" when it is a throughput run of the dataset that is not in `heldOut`, or when a constant
 * names it. A configuration is held out only when NONE of its runs is used: a configuration with
 * some repetitions fitted and others held out is reported as partial and not compared, so that a
 * prediction is never judged against the data it was fitted on.
 */
import { readFileSync } from "node:fs";
import type { DatasetRow, ThroughputRow } from "../measure/jsonl.ts";
import type { LoaderSettings } from "../measure/loader.ts";
import { validateProfile } from "../models/load.ts";
import type { CalibrationFile } from "../models/types.ts";

/** A calibration file as `bpfsim calibrate` writes it: the model's constants plus the held-out runs. */
export interface FittedCalibrationFile {
  calibration: CalibrationFile;
  /** Throughput runs not used for fitting; undefined when the file does not say (then nothing counts as held out). */
  heldOut: string[] | undefined;
  /** Where it was read from (repository-relative where possible). */
  file: string;
}

/** Reads a calibration file, keeping `heldOut` apart from what the model reads. */
export function readFittedCalibration(path: string, label = path): FittedCalibrationFile {
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const { heldOut, ...rest } = raw;
  const calibration = validateProfile("calibration", rest, label);
  return { calibration, heldOut: Array.isArray(heldOut) ? heldOut.map(String) : undefined, file: label };
}

export interface MeasuredConfiguration {
  configId: string;
  settings: LoaderSettings | undefined;
  cpuLimit: number | undefined;
  /** Repetitions compared (all held out), in dataset order. */
  runs: string[];
  gbps: number[];
  medianGbps: number;
  minGbps: number;
  maxGbps: number;
}

export interface HeldOutSelection {
  /** Configurations none of whose runs the calibration used, in dataset order. */
  heldOut: MeasuredConfiguration[];
  /** Configurations with some runs used and some held out: not compared. */
  partial: { configId: string; used: string[]; heldOut: string[] }[];
  /** Configurations entirely used by the calibration. */
  used: string[];
  /** Throughput runs the calibration used. */
  usedRuns: Set<string>;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median: no values");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Throughput runs of `rows` that `cal` used (not held out, or named by a constant). */
export function usedThroughputRuns(rows: readonly DatasetRow[], cal: FittedCalibrationFile): Set<string> {
  const held = new Set(cal.heldOut ?? []);
  const used = new Set<string>();
  for (const r of rows) if (r.kind === "throughput" && (cal.heldOut === undefined || !held.has(r.runId))) used.add(r.runId);
  for (const c of Object.values(cal.calibration.constants)) for (const run of c.runs ?? []) if (!run.startsWith("micro-")) used.add(run);
  return used;
}

export function heldOutConfigurations(rows: readonly DatasetRow[], cal: FittedCalibrationFile): HeldOutSelection {
  const usedRuns = usedThroughputRuns(rows, cal);
  const byConfig = new Map<string, ThroughputRow[]>();
  for (const r of rows) {
    if (r.kind !== "throughput") continue;
    const list = byConfig.get(r.configId) ?? [];
    list.push(r);
    byConfig.set(r.configId, list);
  }
  const out: HeldOutSelection = { heldOut: [], partial: [], used: [], usedRuns };
  for (const [configId, runs] of byConfig) {
    const used = runs.filter((r) => usedRuns.has(r.runId));
    if (used.length === runs.length) {
      out.used.push(configId);
      continue;
    }
    if (used.length > 0) {
      out.partial.push({ configId, used: used.map((r) => r.runId), heldOut: runs.filter((r) => !usedRuns.has(r.runId)).map((r) => r.runId) });
      continue;
    }
    const gbps = runs.map((r) => r.iperf.bitsPerSecond / 1e9);
    out.heldOut.push({
      configId,
      settings: runs[0].config.settings,
      cpuLimit: runs[0].config.cpuLimit,
      runs: runs.map((r) => r.runId),
      gbps,
      medianGbps: median(gbps),
      minGbps: Math.min(...gbps),
      maxGbps: Math.max(...gbps),
    });
  }
  return out;
}
