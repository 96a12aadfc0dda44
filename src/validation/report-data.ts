/**
 * The validation report's analyses: every number REPORT.md states, as data, and no text. Runs the
 * seed rows with their band and ablation (reproduce.ts), the extra cost each row would need
 * (required-cost.ts), our held-out configurations (measured.ts) on the datasets the calibration names
 * (its provenance.datasets), wakeups per record measured beside predicted, the published ring buffer
 * tables, overhead against node size (scaling.ts) and the one-at-a-time sensitivity (sensitivity.ts).
 * Reads the model files and datasets; writes nothing (report.ts writes, report-sections.ts and
 * report-charts.ts turn this into markdown and Vega-Lite).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readDataset, type DatasetRow, type ThroughputRow } from "../measure/jsonl.ts";
import { simulatedWakeupRatio, wakeupRatios } from "../calibration/wakeup-fit.ts";
import { median } from "../calibration/stats.ts";
import type { SimulateOptions } from "../node/simulate.ts";
import { loadCalibration, loadHardware } from "../models/load.ts";
import { PACKAGE_ROOT } from "../models/paths.ts";
import type { CalibrationFile } from "../models/types.ts";
import { DEFAULT_CALIBRATION } from "../node/scenario.ts";
import { readFittedCalibration, type FittedCalibrationFile } from "./held-out.ts";
import { validateMeasured, type MeasuredValidation } from "./measured.ts";
import { reproduce, type ReproduceResult } from "./reproduce.ts";
import { findRow, RINGBUF_32, rowKey } from "./report-rows.ts";
import { scalingSweep, type ScalingPoint } from "./scaling.ts";
import { loadSeed } from "./seed.ts";
import { sensitivity, type SensitivityResult } from "./sensitivity.ts";
import { requiredCostTable, type RequiredCostRow } from "./required-cost.ts";
import { loadUnknowns, type Unknown } from "./unknowns.ts";
import { compareRingbufTables, hostTwoProducer, type HostTwoProducer, type TableComparison } from "./ringbuf-tables.ts";

export interface ReportOptions {
  /** Seed of replication 0 everywhere. @defaultValue 1 */
  seed?: number;
  /** Replications of the seed, measured and scaling simulations. @defaultValue 5 */
  replications?: number;
  /** Simulated seconds per discrete-event run. @defaultValue 0.22 */
  durationS?: number;
  /** Replications of each sensitivity and required-cost simulation (paired seeds). @defaultValue 2 */
  sensitivityReplications?: number;
  /** Calibration for the seed rows, scaling and sensitivity. @defaultValue DEFAULT_CALIBRATION (the measured host calibration) */
  seedCalibration?: string;
  /** Folder of our datasets (*.jsonl). @defaultValue validation/data */
  dataDir?: string;
  /**
   * Calibration file for our host. @defaultValue models/calibration/<hostClass of the dataset>.json
   */
  measuredCalibration?: string;
}

/** The seed rows, our configurations and the scaling chart run as `bpfsim reproduce` does; sensitivity shorter. */
export const REPORT_DEFAULTS = { seed: 1, replications: 5, durationS: 0.22, sensitivityReplications: 2, sensitivityDurationS: 0.22 } as const;

/** Simulation settings the report ran with. */
export interface ReportSettings {
  seed: number;
  replications: number;
  durationS: number;
  sensitivityReplications: number;
  sensitivityDurationS: number;
}

/** Section 2: our held-out configurations, or why there are none. */
export interface MeasuredData {
  validation: MeasuredValidation | null;
  /** Why nothing was compared (validation null), as a sentence. */
  why: string;
  /** The host's calibration file, repository-relative (null: no dataset). */
  calibrationFile: string | null;
  calibration: FittedCalibrationFile | null;
  /** The datasets compared, repository-relative. */
  datasets: string[];
  /** Their rows. */
  rows: DatasetRow[];
  /** The harness host's hardware profile as the section describes it (null when nothing was compared). */
  hardware: { name: string; vcpus: number; bandwidthGbps: number; rxQueues: number | undefined } | null;
}

/** One wakeup-counting configuration: measured ratios of our host beside the model's. */
export interface WakeupComparisonRow {
  configId: string;
  runs: number;
  medianRatio: number;
  minRatio: number;
  maxRatio: number;
  /** The simulated ratio, or the error that stopped the simulation. */
  predicted: { ratio: number } | { error: string };
  /** Runs of this configuration the calibration fitted on (irqWorkLatencyNs, runqueueWaitNs). */
  usedRuns: number;
}

export interface WakeupComparison {
  /** The wakeup dataset (provenance.datasets.wakeups), repository-relative. */
  file: string;
  rows: WakeupComparisonRow[];
}

/** A published point drawn on the scaling chart. */
export interface SeedPoint {
  vcpus: number;
  tool: string;
  overhead: number;
  label: string;
}

/** A counted row's band over the study's unknowns, as the notebooks read it (validation/manycore-band.json). */
export interface BandRow {
  key: string;
  cores: number | undefined;
  tool: string | undefined;
  placement: string | undefined;
  published: number;
  atDefaults: number;
  low: number;
  high: number;
}

export interface ReportData {
  settings: ReportSettings;
  /** The seed rows' calibration, as named (host class or file). */
  seedCalibrationName: string;
  seedCalibration: CalibrationFile;
  /** The seed rows, with band and ablation. */
  reproduce: ReproduceResult;
  unknowns: Unknown[];
  required: RequiredCostRow[];
  band: BandRow[];
  /** Folder of our datasets. */
  dataDir: string;
  measured: MeasuredData;
  wakeups: WakeupComparison | null;
  ringbuf: { comparisons: TableComparison[]; host: HostTwoProducer | null };
  scaling: { points: ScalingPoint[]; saturating: ScalingPoint[]; seedPoints: SeedPoint[] };
  sensitivity: SensitivityResult;
}

/** A path under the package root, as the report names it (repository-relative). */
export const rel = (p: string) => (p.startsWith(PACKAGE_ROOT) ? p.slice(PACKAGE_ROOT.length).replace(/^\//, "") : p);

/** The datasets of `dir`, sorted by name, read and concatenated. */
function readDatasets(dir: string): { rows: DatasetRow[]; files: string[] } {
  if (!existsSync(dir)) return { rows: [], files: [] };
  const files = readdirSync(dir).filter((x) => x.endsWith(".jsonl")).sort();
  return { rows: files.flatMap((x) => readDataset(join(dir, x))), files: files.map((x) => rel(join(dir, x))) };
}

/**
 * Of the datasets found, those the calibration was fitted from (provenance.datasets.throughput): other
 * files of the same host (e.g. runs kept as a noise example) reuse the same run ids. None named, or none
 * of them found: all of them.
 */
export function calibrationDatasets(cal: CalibrationFile, found: string[]): string[] {
  const keep = new Set((cal.provenance.datasets?.throughput ?? []).map((x) => rel(join(PACKAGE_ROOT, x))));
  const picked = found.filter((x) => keep.has(x));
  return picked.length > 0 ? picked : found;
}

function measuredData(dataDir: string, measuredCalibration: string | undefined, sim: SimulateOptions): MeasuredData {
  const none = { validation: null, calibration: null, hardware: null };
  const all = readDatasets(dataDir);
  if (all.rows.length === 0) {
    return { ...none, why: `No dataset under \`${rel(dataDir)}\`: nothing measured to compare.`, calibrationFile: null, datasets: all.files, rows: all.rows };
  }
  const hostClass = all.rows[0].hostClass;
  const calPath = measuredCalibration ?? join(PACKAGE_ROOT, "models", "calibration", `${hostClass}.json`);
  if (!existsSync(calPath)) {
    const why = `The dataset's host class is \`${hostClass}\` but there is no calibration file \`${rel(calPath)}\` (run \`bpfsim calibrate --data ${all.files[0]}\`): without it nothing is known to be held out, and nothing is compared.`;
    return { ...none, why, calibrationFile: rel(calPath), datasets: all.files, rows: all.rows };
  }
  const calibration = readFittedCalibration(calPath, rel(calPath));
  const datasets = calibrationDatasets(calibration.calibration, all.files);
  const rows = datasets === all.files ? all.rows : datasets.flatMap((x) => readDataset(join(PACKAGE_ROOT, x)));
  const hw = loadHardware("dev-kvm-2vcpu");
  return {
    validation: validateMeasured(rows, calibration, sim),
    why: "",
    calibrationFile: rel(calPath),
    calibration,
    datasets,
    rows,
    hardware: { name: hw.name, vcpus: hw.vcpus, bandwidthGbps: hw.nic.bandwidthGbps, rxQueues: hw.nic.rxQueues },
  };
}

/**
 * Wakeups per record on our host (`bpfsim measure --wakeups`, the calibration's
 * provenance.datasets.wakeups), measured beside the same configuration simulated at the throughput
 * dataset's no-program baseline. Null: no wakeup dataset, or nothing to compare.
 */
export function wakeupComparison(cal: FittedCalibrationFile, rows: DatasetRow[], sim: SimulateOptions): WakeupComparison | null {
  const file = cal.calibration.provenance.datasets?.wakeups[0];
  if (file === undefined || !existsSync(join(PACKAGE_ROOT, file))) return null;
  const wrows = readDataset(join(PACKAGE_ROOT, file));
  const ratios = wakeupRatios(wrows);
  const base = rows.filter((r): r is ThroughputRow => r.kind === "throughput" && r.configId === "tp-baseline").map((r) => r.iperf.bitsPerSecond / 1e9);
  if (ratios.size === 0 || base.length === 0) return null;
  const baselineGbps = median(base);
  const fitted = new Set([...(cal.calibration.constants.irqWorkLatencyNs.runs ?? []), ...(cal.calibration.constants.runqueueWaitNs.runs ?? [])]);
  const out: WakeupComparisonRow[] = [];
  for (const [configId, e] of [...ratios].sort((a, b) => a[0].localeCompare(b[0]))) {
    const settings = wrows.find((r): r is ThroughputRow => r.kind === "throughput" && r.configId === configId)?.config.settings;
    if (settings === undefined) continue;
    let predicted: WakeupComparisonRow["predicted"];
    try {
      predicted = { ratio: simulatedWakeupRatio(cal.calibration, settings, baselineGbps, sim) };
    } catch (err) {
      predicted = { error: (err as Error).message };
    }
    out.push({
      configId,
      runs: e.runs.length,
      medianRatio: median(e.ratios),
      minRatio: Math.min(...e.ratios),
      maxRatio: Math.max(...e.ratios),
      predicted,
      usedRuns: e.runs.filter((r) => fitted.has(r)).length,
    });
  }
  return { file, rows: out };
}

/** The band over the study's unknowns of every counted row, with the row's node size, tool and placement. */
export function bandRows(rep: ReproduceResult, vcpusOf: (hardware: string) => number): BandRow[] {
  return Object.entries(rep.band ?? {}).map(([key, b]) => {
    const row = rep.rows.find((r) => rowKey(r) === key && r.metric === "reduction_pct");
    return {
      key,
      cores: row === undefined ? undefined : vcpusOf(row.scenario.hardware),
      tool: row?.scenario.tool,
      placement: row?.scenario.placement,
      published: b.published,
      atDefaults: Number(b.atDefaults.toFixed(2)),
      low: Number(b.low.toFixed(2)),
      high: Number(b.high.toFixed(2)),
    };
  });
}

/** The study's published overheads drawn on the scaling chart: table 1 (perf array, default) and the 32-core ring buffer row. */
export function scalingSeedPoints(rep: ReproduceResult): SeedPoint[] {
  const seed = loadSeed();
  const rb = findRow(rep.rows, RINGBUF_32);
  return [
    ...seed.throughput_by_core_count_perf_array
      .filter((r) => (r.reduction_pct ?? r.reduction_pct_approx) !== undefined)
      .map((r) => ({ vcpus: r.cores, tool: "retina-perf", overhead: (r.reduction_pct ?? r.reduction_pct_approx)!, label: `study: ${r.cores} cores, perf array, default` })),
    ...(rb === undefined ? [] : [{ vcpus: 32, tool: "retina-ringbuf", overhead: rb.published, label: "study: 32 cores, ring buffer" }]),
  ];
}

/** Runs every analysis of the report (minutes: hundreds of simulations). */
export function reportData(options: ReportOptions = {}): ReportData {
  const settings: ReportSettings = {
    seed: options.seed ?? REPORT_DEFAULTS.seed,
    replications: options.replications ?? REPORT_DEFAULTS.replications,
    durationS: options.durationS ?? REPORT_DEFAULTS.durationS,
    sensitivityReplications: options.sensitivityReplications ?? REPORT_DEFAULTS.sensitivityReplications,
    sensitivityDurationS: REPORT_DEFAULTS.sensitivityDurationS,
  };
  const seedCalibrationName = options.seedCalibration ?? DEFAULT_CALIBRATION;
  const sim = { seed: settings.seed, replications: settings.replications, durationS: settings.durationS, warmupS: 0.02 };
  const short = { seed: settings.seed, replications: settings.sensitivityReplications, durationS: settings.sensitivityDurationS, warmupS: 0.02 };

  // 1. the seed
  const rep = reproduce({ ...sim, calibration: seedCalibrationName, band: true, ablate: true });
  const required = requiredCostTable(rep, short);
  // 2. ours
  const dataDir = options.dataDir ?? join(PACKAGE_ROOT, "validation", "data");
  const measured = measuredData(dataDir, options.measuredCalibration, sim);
  const wakeups = measured.calibration === null ? null : wakeupComparison(measured.calibration, measured.rows, sim);
  // 3. scaling
  const saturating = scalingSweep({ ...sim, calibration: seedCalibrationName });
  const points = scalingSweep({ ...sim, calibration: seedCalibrationName, observedAtNic: true });
  // 4. sensitivity
  const sens = sensitivity({ ...short, calibration: seedCalibrationName });
  return {
    settings,
    seedCalibrationName,
    seedCalibration: loadCalibration(seedCalibrationName),
    reproduce: rep,
    unknowns: loadUnknowns(),
    required,
    band: bandRows(rep, (hw) => loadHardware(hw).vcpus),
    dataDir,
    measured,
    wakeups,
    ringbuf: { comparisons: compareRingbufTables(), host: hostTwoProducer() },
    scaling: { points, saturating, seedPoints: scalingSeedPoints(rep) },
    sensitivity: sens,
  };
}
