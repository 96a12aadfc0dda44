/**
 * Which of our throughput configurations the calibration did not see, and what was measured there.
 *
 * A calibration file written by `bpfsim calibrate` (src/calibration/fit.ts) lists, under `heldOut`,
 * the throughput runs it did not fit on; every constant also lists the runs it came from. A run is
 * "used" when it is a throughput run of the dataset that is not in `heldOut`, or when a constant
 * names it. A configuration is held out only when NONE of its runs is used: a configuration with
 * some repetitions fitted and others held out is reported as partial and not compared, so that a
 * prediction is never judged against the data it was fitted on.
 *
 * Another campaign's dataset (not the one named by the calibration's `--data`; e.g. the held-out
 * grid repeated with more repetitions, or the lo-p2 shape): its run ids are that file's, so none of
 * its runs is used (`calibrationDataset: false`); configurations whose id the calibration fitted
 * in its own dataset (tp-perf, tp-ringbuf, ...) are compared but listed in `fittedConfigurations`,
 * so a report can keep them apart from configurations no constant was ever fitted on.
 */
import { readFileSync } from "node:fs";
import { foreignCpuShare } from "../measure/delay.ts";
import type { TrafficShape } from "../measure/grid.ts";
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

export interface HeldOutOptions {
  /**
   * Whether `rows` are the dataset the calibration was fitted on (then its throughput runs not listed
   * as held out, and the runs its constants name, are used). false: another campaign's file, none of
   * whose runs any constant saw. @defaultValue true
   */
  calibrationDataset?: boolean;
  /**
   * Leave out runs in which other tenants used more than this share of the CPUs (delay.ts
   * foreignCpuShare: /proc/stat user + nice less the loader's reader); they are listed in
   * `contended`. @defaultValue undefined (every run is kept)
   */
  maxForeignShare?: number;
  /** Only configurations of this traffic shape (a configuration without `shape` is veth). @defaultValue every shape */
  shape?: TrafficShape;
}

/** The dataset a calibration file was fitted on: the `--data` of its provenance command, if any. */
export function calibrationDatasetOf(cal: FittedCalibrationFile): string | undefined {
  const m = /--data\s+(\S+)/.exec(cal.calibration.provenance?.command ?? "");
  return m?.[1];
}

/** Configuration ids of the runs the calibration's constants name in its own dataset (e.g. tp-perf, tpw-ringbuf). */
export function fittedConfigurationIds(cal: FittedCalibrationFile): Set<string> {
  const out = new Set<string>();
  for (const c of Object.values(cal.calibration.constants)) for (const run of c.runs ?? []) if (!run.startsWith("micro-")) out.add(run.replace(/#\d+$/, ""));
  return out;
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
  /** Held-out configurations whose id the calibration fitted on in its own dataset (another campaign's file only). */
  fittedConfigurations: string[];
  /** Runs left out because other tenants used more than `maxForeignShare` of the CPUs, with that share. */
  contended: { runId: string; foreignShare: number }[];
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

export function heldOutConfigurations(rows: readonly DatasetRow[], cal: FittedCalibrationFile, o: HeldOutOptions = {}): HeldOutSelection {
  const own = o.calibrationDataset !== false;
  const usedRuns = own ? usedThroughputRuns(rows, cal) : new Set<string>();
  const fitted = own ? new Set<string>() : fittedConfigurationIds(cal);
  const byConfig = new Map<string, ThroughputRow[]>();
  const contended: HeldOutSelection["contended"] = [];
  for (const r of rows) {
    if (r.kind !== "throughput") continue;
    if (o.shape !== undefined && (r.config.shape ?? "veth") !== o.shape) continue;
    if (o.maxForeignShare !== undefined && !usedRuns.has(r.runId)) {
      const f = foreignCpuShare(r);
      if (f > o.maxForeignShare) {
        contended.push({ runId: r.runId, foreignShare: f });
        continue;
      }
    }
    const list = byConfig.get(r.configId) ?? [];
    list.push(r);
    byConfig.set(r.configId, list);
  }
  const out: HeldOutSelection = { heldOut: [], partial: [], used: [], usedRuns, fittedConfigurations: [], contended };
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
    if (fitted.has(configId)) out.fittedConfigurations.push(configId);
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
