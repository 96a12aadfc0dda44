/**
 * `bpfsim calibrate`: reads a measurement dataset and the literature constants, fits
 * (fit.ts) and writes models/calibration/<host-class>.json.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { CalibrationFile } from "../models/types.ts";
import { readDataset } from "../measure/jsonl.ts";
import { REPO_ROOT } from "../measure/loader.ts";
import { fitCalibration, type FittedCalibration } from "./fit.ts";

export interface CalibrateOptions {
  /** Dataset (JSON Lines from `bpfsim measure`). */
  data: string;
  /** @defaultValue models/calibration/literature.json */
  literature?: string;
  /** @defaultValue models/calibration/<host-class>.json */
  out?: string;
  /** Throughput repetitions below this index are fitted, the rest held out. @defaultValue 3 */
  fitReps?: number;
}

export function runCalibrate(o: CalibrateOptions): { out: string; calibration: FittedCalibration } {
  const rows = readDataset(o.data);
  if (rows.length === 0) throw new Error(`${o.data}: empty dataset`);
  const litPath = o.literature ?? `${REPO_ROOT}models/calibration/literature.json`;
  const literature = JSON.parse(readFileSync(litPath, "utf8")) as CalibrationFile;
  const datasetPath = o.data.startsWith(REPO_ROOT) ? o.data.slice(REPO_ROOT.length) : o.data;
  const calibration = fitCalibration(rows, {
    datasetPath,
    literature,
    fitReps: o.fitReps,
    command: `bpfsim calibrate --data ${datasetPath}`,
  });
  const out = o.out ?? `${REPO_ROOT}models/calibration/${calibration.hostClass}.json`;
  writeFileSync(out, `${JSON.stringify(calibration, null, 2)}\n`);
  return { out, calibration };
}
