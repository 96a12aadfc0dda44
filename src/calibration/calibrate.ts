/**
 * `bpfsim calibrate`: reads a measurement dataset and the literature constants, fits
 * (fit.ts) and writes models/calibration/<host-class>.json. With a wakeup-counting dataset
 * (`--wakeup-data`, from `bpfsim measure --wakeups`) it also fits irqWorkLatencyNs by simulation
 * (wakeup-fit.ts); that dataset's runs are listed in heldOut/runs like the others. Both datasets are
 * named in provenance.datasets (throughput, wakeups), which the validation report reads to pick the
 * datasets it compares with.
 */
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UserError } from "../errors.ts";
import { loadCalibration } from "../models/load.ts";
import { checkOutputPath } from "../models/read.ts";
import { CALIBRATION_CONSTANTS, type CalibrationFile } from "../models/types.ts";
import { readDataset } from "../measure/jsonl.ts";
import { REPO_ROOT } from "../measure/loader.ts";
import type { ThroughputRow } from "../measure/jsonl.ts";
import type { SimulateOptions } from "../node/simulate.ts";
import { fitCalibration, type FittedCalibration } from "./fit.ts";
import { median } from "./stats.ts";
import { fitIrqWorkLatency, simulatedWakeupRatio, type IrqWorkLatencyFit } from "./wakeup-fit.ts";
import { withConstant } from "./harness-scenario.ts";
import { readerCycleTarget, simulatedReaderCycles } from "./runqueue-fit.ts";
import { fitReaderJointly, readerCpuTarget, simulatedReaderNsPerRecord } from "./reader-cpu-fit.ts";

/** A calibration that cannot be made from the data given (empty dataset, bad host class, a shipped file in the way). */
export class CalibrationError extends UserError {}

/** A host class names a file under models/calibration/: lower-case letters, digits and `-`. */
export const HOST_CLASS_RE = /^[a-z0-9][a-z0-9-]*$/;

/** Where calibration files live; a default output path never leaves it. */
export const CALIBRATION_DIR = resolve(REPO_ROOT, "models", "calibration");

export interface CalibrateOptions {
  /** Dataset (JSON Lines from `bpfsim measure`). */
  data: string;
  /** @defaultValue models/calibration/literature.json */
  literature?: string;
  /** @defaultValue models/calibration/<host-class>.json */
  out?: string;
  /** Throughput repetitions below this index are fitted, the rest held out. @defaultValue 3 */
  fitReps?: number;
  /** Wakeup-counting dataset (`bpfsim measure --wakeups`): fits irqWorkLatencyNs. */
  wakeupData?: string;
  /** Lost-output dataset (`bpfsim measure --lost`): fits perfLostOutputNs and ringbufLostOutputNs. */
  lostData?: string;
  /** Simulation settings of the irqWorkLatencyNs fit. @defaultValue 5 replications x 0.22 s */
  wakeupSim?: SimulateOptions;
  /** Overwrite an existing file in models/calibration/ (a shipped calibration). @defaultValue false */
  force?: boolean;
}

/** One line of the summary: how each constant was obtained. */
export interface CalibrationSummaryRow {
  constant: string;
  value: number;
  unit: string;
  method: "literature" | "measured" | "fitted";
  runs: number;
}

/** Checks a host class read from a dataset: a name, never a path. */
export function checkHostClass(hostClass: unknown, where: string): string {
  if (typeof hostClass !== "string" || !HOST_CLASS_RE.test(hostClass) || hostClass.length > 100) {
    throw new CalibrationError(
      `${where}: hostClass = ${JSON.stringify(hostClass)}: must be a name (lower-case letters, digits and "-", e.g. kvm-2vcpu-amd-epyc)`,
      "hostClass",
      hostClass,
    );
  }
  return hostClass;
}

/** The default output of a host class, confined to models/calibration/. */
export function defaultCalibrationPath(hostClass: string): string {
  const out = resolve(CALIBRATION_DIR, `${hostClass}.json`);
  if (dirname(out) !== CALIBRATION_DIR)
    throw new CalibrationError(`hostClass = ${JSON.stringify(hostClass)}: leaves ${CALIBRATION_DIR}`, "hostClass", hostClass);
  return out;
}

/** Constant, value, method and number of runs of every constant of a calibration. */
export function calibrationSummary(c: CalibrationFile): CalibrationSummaryRow[] {
  return CALIBRATION_CONSTANTS.map((name) => {
    const k = c.constants[name];
    return { constant: name, value: k.value, unit: k.unit, method: k.method, runs: k.runs?.length ?? 0 };
  });
}

const calErr = (flag: string) => (m: string, v: unknown) => new CalibrationError(m, flag, v);

export function runCalibrate(o: CalibrateOptions): {
  out: string;
  calibration: FittedCalibration;
  wakeupFit?: IrqWorkLatencyFit;
  summary: CalibrationSummaryRow[];
  warnings: string[];
} {
  // every path and the host class are checked before any fitting starts
  if (o.out !== undefined) checkOutputPath("--out", o.out, calErr("--out"));
  const rows = readDataset(o.data);
  if (rows.length === 0) throw new CalibrationError(`--data = ${JSON.stringify(o.data)}: empty dataset`, "--data", o.data);
  const hostClass = checkHostClass(rows[0].hostClass, `${o.data}:1`);
  rows.forEach((r, i) => {
    if (r.hostClass !== hostClass)
      throw new CalibrationError(
        `${o.data}:${i + 1}: hostClass = ${JSON.stringify(r.hostClass)}: differs from the first row's ${JSON.stringify(hostClass)}`,
        "hostClass",
        r.hostClass,
      );
  });
  const out = o.out ?? defaultCalibrationPath(hostClass);
  if (o.out === undefined && existsSync(out) && !o.force) {
    throw new CalibrationError(
      `${out}: a calibration of host class ${hostClass} is already there (shipped with bpfsim or written earlier); give --out <file> or --force to overwrite it`,
      "--force",
      false,
    );
  }
  const litPath = o.literature ?? join(CALIBRATION_DIR, "literature.json");
  // checked against the calibration schema: a user's literature file that lacks a constant is one clear line
  const literature: CalibrationFile = loadCalibration(litPath.includes("/") ? litPath : `./${litPath}`);
  const rel = (p: string) => (p.startsWith(REPO_ROOT) ? p.slice(REPO_ROOT.length) : p);
  const datasetPath = rel(o.data);
  const wakeupPath = o.wakeupData === undefined ? undefined : rel(o.wakeupData);
  const lost = o.lostData === undefined ? undefined : { rows: readLostDataset(o.lostData, hostClass), path: rel(o.lostData) };
  const calibration = fitCalibration(rows, {
    datasetPath,
    literature,
    fitReps: o.fitReps,
    lost,
    command:
      `bpfsim calibrate --data ${datasetPath}` + (wakeupPath ? ` --wakeup-data ${wakeupPath}` : "") + (lost !== undefined ? ` --lost-data ${lost.path}` : ""),
  });
  let wakeupFit: IrqWorkLatencyFit | undefined;
  if (o.wakeupData !== undefined) {
    const wrows = readDataset(o.wakeupData);
    // The model's scenario is observed at the no-program baseline of the throughput dataset.
    const base = rows.filter((r): r is ThroughputRow => r.kind === "throughput" && r.configId === "tp-baseline").map((r) => r.iperf.bitsPerSecond / 1e9);
    if (base.length === 0) throw new CalibrationError(`--data = ${JSON.stringify(o.data)}: no tp-baseline runs to observe the workload at`, "--data", o.data);
    const baselineGbps = median(base);
    const sim = o.wakeupSim ?? {};
    wakeupFit = fitIrqWorkLatency(
      wrows,
      (latencyNs) => simulatedWakeupRatio(withConstant(calibration, "irqWorkLatencyNs", latencyNs), wakeupFitSettings(wrows), baselineGbps, sim),
      {
        datasetPath: wakeupPath!,
        fitReps: o.fitReps,
        baselineNote: `${baselineGbps.toFixed(2)} Gb/s (median of the ${base.length} tp-baseline runs of ${datasetPath})`,
      },
    );
    calibration.constants.irqWorkLatencyNs = wakeupFit.constant;
    const has = (id: string) => wrows.some((x) => x.kind === "throughput" && x.configId === id);
    if (has("tpw-ringbuf")) {
      // the wait of a woken reader and the cost of its sleep/wake cycle, fitted together on the
      // reader's cycles per record (wakeup dataset) and its billed CPU per record (throughput
      // dataset's fitting runs): reader-cpu-fit.ts fitReaderJointly says why together
      const cycleTargets = ["tpw-perf", "tpw-ringbuf"].filter(has).map((configId) => readerCycleTarget(wrows, { configId, fitReps: o.fitReps }));
      const cpuTargets = ["tp-perf", "tp-ringbuf"].map((configId) => readerCpuTarget(rows, { configId, fitReps: o.fitReps }));
      const regression = calibration.constants.contextSwitchNs.value;
      const joint = fitReaderJointly(
        cycleTargets,
        cpuTargets,
        (waitNs, contextSwitchNs) => {
          const cal = withConstant(withConstant(calibration, "runqueueWaitNs", waitNs), "contextSwitchNs", contextSwitchNs);
          return {
            cycles: (s) => simulatedReaderCycles(cal, s, baselineGbps, sim),
            nsPerRecord: (s) => simulatedReaderNsPerRecord(cal, s, baselineGbps, sim),
          };
        },
        {
          start: { waitNs: calibration.constants.runqueueWaitNs.value, contextSwitchNs: regression },
          cyclesPath: wakeupPath!,
          cpuPath: datasetPath,
          baselineNote: `${baselineGbps.toFixed(2)} Gb/s`,
          regressionNs: regression,
        },
      );
      calibration.constants.runqueueWaitNs = joint.runqueueWait;
      calibration.constants.contextSwitchNs = joint.contextSwitch;
      const runs = new Set(cycleTargets.flatMap((t) => t.runs));
      wakeupFit.heldOut = wakeupFit.heldOut.filter((id) => !runs.has(id));
    }
    calibration.heldOut = [...calibration.heldOut, ...wakeupFit.heldOut];
    calibration.provenance.datasets = {
      ...calibration.provenance.datasets,
      throughput: calibration.provenance.datasets?.throughput ?? [datasetPath],
      wakeups: [wakeupPath!],
    };
  }
  writeFileSync(out, `${JSON.stringify(calibration, null, 2)}\n`);
  const summary = calibrationSummary(calibration);
  const warnings = summary
    .filter((r) => r.method === "literature")
    .map((r) => `${r.constant}: not measured or fitted from the data given; the literature value (${r.value} ${r.unit}) is used`);
  return { out, calibration, wakeupFit, summary, warnings };
}

/** A lost-output dataset: the same host class, and the micro-lost-* runs the fit needs. */
function readLostDataset(path: string, hostClass: string) {
  const rows = readDataset(path);
  rows.forEach((r, i) => {
    if (r.hostClass !== hostClass)
      throw new CalibrationError(
        `${path}:${i + 1}: hostClass = ${JSON.stringify(r.hostClass)}: differs from --data's ${JSON.stringify(hostClass)}`,
        "--lost-data",
        path,
      );
  });
  for (const id of [
    "micro-lost-none-p1",
    "micro-lost-perf-stored-p1",
    "micro-lost-perf-full-p1",
    "micro-lost-ringbuf-stored-p1",
    "micro-lost-ringbuf-full-p1",
  ]) {
    if (!rows.some((r) => r.kind === "microbench" && r.configId === id))
      throw new CalibrationError(`--lost-data = ${JSON.stringify(path)}: no ${id} runs (take them with bpfsim measure --lost)`, "--lost-data", path);
  }
  return rows;
}

/** Loader settings of the fitted wakeup configuration (tpw-perf). */
function wakeupFitSettings(rows: ReturnType<typeof readDataset>) {
  const r = rows.find((x): x is ThroughputRow => x.kind === "throughput" && x.configId === "tpw-perf");
  if (!r?.config.settings) throw new CalibrationError("--wakeup-data: the wakeup dataset has no tpw-perf runs", "--wakeup-data");
  return r.config.settings;
}
