/**
 * `bpfsim calibrate`: reads a measurement dataset and the literature constants, fits
 * (fit.ts) and writes models/calibration/<host-class>.json. With a wakeup-counting dataset
 * (`--wakeup-data`, from `bpfsim measure --wakeups`) it also fits irqWorkLatencyNs by simulation
 * (wakeup-fit.ts); that dataset's runs are listed in heldOut/runs like the others, but the
 * validation report only compares the datasets named by `--data` in provenance.command.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { CalibrationFile } from "../models/types.ts";
import { readDataset } from "../measure/jsonl.ts";
import { REPO_ROOT } from "../measure/loader.ts";
import type { ThroughputRow } from "../measure/jsonl.ts";
import type { SimulateOptions } from "../node/simulate.ts";
import { fitCalibration, type FittedCalibration } from "./fit.ts";
import { median } from "./stats.ts";
import { fitIrqWorkLatency, simulatedWakeupRatio, withIrqWorkLatency, type IrqWorkLatencyFit } from "./wakeup-fit.ts";
import { fitRunqueueWait, withRunqueueWait } from "./runqueue-fit.ts";

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
  /** Simulation settings of the irqWorkLatencyNs fit. @defaultValue 5 replications x 0.22 s */
  wakeupSim?: SimulateOptions;
}

export function runCalibrate(o: CalibrateOptions): { out: string; calibration: FittedCalibration; wakeupFit?: IrqWorkLatencyFit } {
  const rows = readDataset(o.data);
  if (rows.length === 0) throw new Error(`${o.data}: empty dataset`);
  const litPath = o.literature ?? `${REPO_ROOT}models/calibration/literature.json`;
  const literature = JSON.parse(readFileSync(litPath, "utf8")) as CalibrationFile;
  const rel = (p: string) => (p.startsWith(REPO_ROOT) ? p.slice(REPO_ROOT.length) : p);
  const datasetPath = rel(o.data);
  const wakeupPath = o.wakeupData === undefined ? undefined : rel(o.wakeupData);
  const calibration = fitCalibration(rows, {
    datasetPath,
    literature,
    fitReps: o.fitReps,
    command: `bpfsim calibrate --data ${datasetPath}` + (wakeupPath ? ` --wakeup-data ${wakeupPath}` : ""),
  });
  let wakeupFit: IrqWorkLatencyFit | undefined;
  if (o.wakeupData !== undefined) {
    const wrows = readDataset(o.wakeupData);
    // The model's scenario is observed at the no-program baseline of the throughput dataset.
    const base = rows.filter((r): r is ThroughputRow => r.kind === "throughput" && r.configId === "tp-baseline").map((r) => r.iperf.bitsPerSecond / 1e9);
    if (base.length === 0) throw new Error(`${o.data}: no tp-baseline runs to observe the workload at`);
    const baselineGbps = median(base);
    const sim = o.wakeupSim ?? {};
    wakeupFit = fitIrqWorkLatency(
      wrows,
      (latencyNs) => simulatedWakeupRatio(withIrqWorkLatency(calibration, latencyNs), wakeupFitSettings(wrows), baselineGbps, sim),
      { datasetPath: wakeupPath!, fitReps: o.fitReps, baselineNote: `${baselineGbps.toFixed(2)} Gb/s (median of the ${base.length} tp-baseline runs of ${datasetPath})` },
    );
    calibration.constants.irqWorkLatencyNs = wakeupFit.constant;
    // then the wait of a woken reader, from the ring buffer's notifications (which the wait changes)
    const ringbufSettings = wrows.find((x): x is ThroughputRow => x.kind === "throughput" && x.configId === "tpw-ringbuf")?.config.settings;
    if (ringbufSettings !== undefined) {
      const rq = fitRunqueueWait(
        wrows,
        (waitNs) => simulatedWakeupRatio(withRunqueueWait(calibration, waitNs), ringbufSettings, baselineGbps, sim),
        { datasetPath: wakeupPath!, fitReps: o.fitReps, baselineNote: `${baselineGbps.toFixed(2)} Gb/s` },
      );
      calibration.constants.runqueueWaitNs = rq.constant;
      wakeupFit.heldOut = wakeupFit.heldOut.filter((id) => !rq.target.runs.includes(id));
    }
    calibration.heldOut = [...calibration.heldOut, ...wakeupFit.heldOut];
  }
  const out = o.out ?? `${REPO_ROOT}models/calibration/${calibration.hostClass}.json`;
  writeFileSync(out, `${JSON.stringify(calibration, null, 2)}\n`);
  return { out, calibration, wakeupFit };
}

/** Loader settings of the fitted wakeup configuration (tpw-perf). */
function wakeupFitSettings(rows: ReturnType<typeof readDataset>) {
  const r = rows.find((x): x is ThroughputRow => x.kind === "throughput" && x.configId === "tpw-perf");
  if (!r?.config.settings) throw new Error("wakeup dataset has no tpw-perf runs");
  return r.config.settings;
}
