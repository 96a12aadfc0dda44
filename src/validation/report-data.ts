/**
 * The validation report's analyses: every number REPORT.md states, as data, and no text. Runs the
 * seed rows with their band and ablation (reproduce.ts), the extra cost each row would need
 * (required-cost.ts), our held-out configurations (measured.ts) on the datasets the calibration names
 * (its provenance.datasets), wakeups per record measured beside predicted, the published ring buffer
 * tables, overhead against node size (scaling.ts) and the one-at-a-time sensitivity (sensitivity.ts).
 * Section 2 compares every dataset of validation/held-out-datasets.json (compareHeldOutDataset).
 * Reads the model files and datasets; writes nothing (report.ts writes, report-sections.ts and
 * report-charts.ts turn this into markdown and Vega-Lite).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readDataset, type DatasetRow, type ThroughputRow } from "../measure/jsonl.ts";
import { simulatedWakeupRatio, wakeupRatios } from "../calibration/wakeup-fit.ts";
import { median } from "../calibration/stats.ts";
import type { SimulateOptions, SimulationResult } from "../node/simulate.ts";
import { loadCalibration, loadHardware } from "../models/load.ts";
import { PACKAGE_ROOT } from "../models/paths.ts";
import type { CalibrationFile } from "../models/types.ts";
import { DEFAULT_CALIBRATION } from "../node/scenario.ts";
import { readFittedCalibration, type FittedCalibrationFile } from "./held-out.ts";
import { mechanismComparison, validateMeasured, type MechanismComparison, type MeasuredValidation } from "./measured.ts";
import { harnessShape, simulateHarness, type HarnessSimOptions } from "../calibration/harness-scenario.ts";
import { TRAFFIC_SHAPES, type TrafficShape } from "../measure/grid.ts";
import { foreignCpuShare } from "../measure/delay.ts";
import { readPlacement, summarisePlacement, type PlacementRun } from "../measure/placement.ts";
import { spread, type Spread } from "../measure/summary.ts";
import {
  DEFAULT_MAX_STEAL_SHARE,
  splitBySteal,
  summariseReaderLatency,
  summariseWakeToRun,
  summarisePreemptTrace,
  mergedTrace,
  type PreemptTraceSummary,
  type ReaderLatencySummary,
  type WakeToRunSummary,
} from "../measure/reader-latency.ts";
import { readStallRuns, summariseStalls, type StallSummary } from "../measure/preempt-stalls.ts";
import { splitBaseline, summariseReaderSplit, type ReaderSplitSummary } from "../measure/reader-split.ts";
import { reproduce, type ReproduceResult } from "./reproduce.ts";
import { findRow, RINGBUF_32, rowKey } from "./report-rows.ts";
import { scalingSweep, type ScalingPoint } from "./scaling.ts";
import { loadSeed } from "./seed.ts";
import { sensitivity, type SensitivityResult } from "./sensitivity.ts";
import { requiredCostTable, type RequiredCostRow } from "./required-cost.ts";
import { atCommonFlows, requiredFlowsTable, type CommonFlowsRow, type RequiredFlowsRow } from "./required-flows.ts";
import { loadSettled, loadUnknowns, type Settled, type Unknown } from "./unknowns.ts";
import { compareRingbufTables, hostTwoProducer, type HostTwoProducer, type TableComparison } from "./ringbuf-tables.ts";
import { latestWindowDatasets, windowCheck, type WindowCheck } from "./window-check.ts";

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
  /**
   * The held-out dataset list (section 2 compares each of its files). @defaultValue
   * validation/held-out-datasets.json when `dataDir` is the default, else none (null: none)
   */
  heldOutList?: string | null;
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
  hardware: {
    name: string;
    vcpus: number;
    bandwidthGbps: number;
    rxQueues: number | undefined;
    /** The profile's nic.receiveFollowsSender. */
    receiveFollowsSender?: boolean;
    /** The host's placement measurement (bpf/tools/placement.sh), when there is one. */
    placement?: PlacementEvidence | null;
  } | null;
  /**
   * Every dataset of the held-out list (validation/held-out-datasets.json), compared in its order;
   * absent (older callers, tests): the calibration's own dataset only, as `validation` above.
   */
  heldOut?: HeldOutDatasets;
}

/** One entry of validation/held-out-datasets.json. */
export interface HeldOutDatasetEntry {
  /** Repository-relative path of a `bpfsim measure` JSON Lines file. */
  file: string;
  shape: TrafficShape;
  /** Runs whose foreign CPU share is above this are dropped as contended; null keeps every run. */
  maxForeignShare: number | null;
  /** Whether its configurations count toward the shape's goal line. */
  countsForGoal: boolean;
  /** The same campaign's wakeup-counting file (`bpfsim measure --wakeups`), repository-relative, if any. */
  wakeups?: string;
  note?: string;
}

export interface HeldOutDatasetList {
  /** Where the list was read from, repository-relative. */
  file: string;
  /** What the list is, as written there. */
  note: string;
  /** Why runs are dropped as contended, and why at that limit, as written there. */
  maxForeignShareWhy: string;
  datasets: HeldOutDatasetEntry[];
}

/** One listed dataset, compared (or why not). */
export interface HeldOutDatasetResult {
  entry: HeldOutDatasetEntry;
  /** false: the listed file does not exist (yet); nothing else is filled in. */
  exists: boolean;
  /** Whether it is the dataset the calibration was fitted on (its provenance.datasets.throughput). */
  calibrationDataset: boolean;
  /** The shape's scenario (hardware, workload, baseline configuration). */
  hardware: string;
  workload: string;
  validation: MeasuredValidation | null;
  /** The loader's counters beside the model's, one per compared configuration (same order). */
  mechanisms: MechanismComparison[];
  /** File name of its chart under validation/charts/ (SVG; the PNG beside it), or null when nothing was compared. */
  chart: string | null;
  /**
   * Its wakeup file compared (entry.wakeups; same shape and contended-run rule, predicted at this
   * dataset's baseline): null when none is listed or nothing could be compared; "missing" when the
   * listed file does not exist yet.
   */
  wakeups?: WakeupComparison | "missing" | null;
}

export interface HeldOutDatasets {
  list: HeldOutDatasetList;
  results: HeldOutDatasetResult[];
}

/** Reads and checks validation/held-out-datasets.json (or another list in its format). */
export function readHeldOutDatasetList(path: string): HeldOutDatasetList {
  const raw = JSON.parse(readFileSync(path, "utf8")) as { note?: unknown; maxForeignShareWhy?: unknown; datasets?: unknown };
  if (!Array.isArray(raw.datasets)) throw new RangeError(`${rel(path)}: "datasets" must be an array`);
  const datasets = raw.datasets.map((d: Record<string, unknown>, i: number): HeldOutDatasetEntry => {
    const where = `${rel(path)}: datasets[${i}]`;
    if (typeof d.file !== "string" || !d.file.endsWith(".jsonl")) throw new RangeError(`${where}.file must be a .jsonl path`);
    if (!(TRAFFIC_SHAPES as readonly unknown[]).includes(d.shape)) throw new RangeError(`${where}.shape must be one of ${TRAFFIC_SHAPES.join(", ")}`);
    const m = d.maxForeignShare;
    if (m !== null && !(typeof m === "number" && m >= 0 && m <= 1)) throw new RangeError(`${where}.maxForeignShare must be null or a share in [0, 1]`);
    return {
      file: d.file,
      shape: d.shape as TrafficShape,
      maxForeignShare: m as number | null,
      countsForGoal: d.countsForGoal !== false,
      ...(typeof d.wakeups === "string" ? { wakeups: d.wakeups } : {}),
      ...(typeof d.note === "string" ? { note: d.note } : {}),
    };
  });
  return {
    file: rel(path),
    note: typeof raw.note === "string" ? raw.note : "",
    maxForeignShareWhy: typeof raw.maxForeignShareWhy === "string" ? raw.maxForeignShareWhy : "",
    datasets,
  };
}

/** The chart file of a listed dataset: the calibration's own keeps the report's `held-out.svg`. */
export function heldOutChartName(entry: HeldOutDatasetEntry, calibrationDataset: boolean): string {
  return calibrationDataset ? "held-out.svg" : `held-out-${entry.file.replace(/^.*\//, "").replace(/\.jsonl$/, "")}.svg`;
}

/**
 * Compares one listed dataset: its shape's configurations (harnessShape), runs above its
 * maxForeignShare dropped, as the calibration's own dataset when the calibration names it (then its
 * runs not listed as held out are used) and as another campaign's file otherwise (none of its runs
 * used). `read` reads a repository-relative dataset (tests pass rows).
 */
export function compareHeldOutDataset(
  entry: HeldOutDatasetEntry,
  cal: FittedCalibrationFile,
  sim: SimulateOptions,
  read: (file: string) => DatasetRow[] | null,
): HeldOutDatasetResult {
  const sh = harnessShape(entry.shape);
  const own = (cal.calibration.provenance.datasets?.throughput ?? []).some((x) => rel(join(PACKAGE_ROOT, x)) === entry.file);
  const base = { entry, calibrationDataset: own, hardware: sh.hardware, workload: sh.workload };
  const rows = read(entry.file);
  if (rows === null) return { ...base, exists: false, validation: null, mechanisms: [], chart: null };
  const validation = validateMeasured(rows, cal, {
    ...sim,
    selection: { shape: entry.shape, calibrationDataset: own, ...(entry.maxForeignShare !== null ? { maxForeignShare: entry.maxForeignShare } : {}) },
  });
  let wakeups: HeldOutDatasetResult["wakeups"] = null;
  if (entry.wakeups !== undefined) {
    const wrows = read(entry.wakeups);
    if (wrows === null) wakeups = "missing";
    else if (validation.baseline !== null) {
      const max = entry.maxForeignShare;
      const clean = wrows.filter((r) => r.kind === "throughput" && (r.config.shape ?? "veth") === entry.shape && (max === null || foreignCpuShare(r) <= max));
      // the calibration fitted on wakeup runs of its own wakeup file only
      const ownWakeups = (cal.calibration.provenance.datasets?.wakeups ?? []).some((x) => rel(join(PACKAGE_ROOT, x)) === entry.wakeups);
      const fitted = ownWakeups ? fittedWakeupRuns(cal) : new Set<string>();
      const rowsOut = wakeupRows(
        clean,
        fitted,
        validation.baseline.medianGbps,
        cal,
        { ...sim, hardware: sh.hardware, workload: sh.workload },
        entry.shape === "lo-p2" ? "tpw-lo-p2-none" : "tpw-none",
      );
      const fittedBy = ownWakeups
        ? (["irqWorkLatencyNs", "runqueueWaitNs"] as const).map((constant) => ({ constant, runs: cal.calibration.constants[constant].runs ?? [] }))
        : [];
      wakeups = rowsOut.length > 0 ? { file: entry.wakeups, rows: rowsOut, fittedBy } : null;
    }
  }
  return {
    ...base,
    exists: true,
    validation,
    mechanisms: validation.comparisons.map((c) => mechanismComparison(rows, c)),
    chart: validation.comparisons.length > 0 ? heldOutChartName(entry, own) : null,
    wakeups,
  };
}

/** What a compared dataset (or several pooled) scores: the goal's count and the errors. */
export interface HeldOutScore {
  /** Compared configurations (those not predicted included: they count against the goal). */
  n: number;
  predicted: number;
  inside: number;
  /** The same over configurations whose id no constant was fitted on in the calibration's own dataset. */
  unfitted: { n: number; inside: number };
  meanAbsErrorPct: number | null;
  worstAbsErrorPct: number | null;
  /** inside >= 80% of n (n > 0). */
  met: boolean;
}

export const HELD_OUT_GOAL = 0.8;

export function heldOutScore(vs: readonly MeasuredValidation[]): HeldOutScore {
  const cs = vs.flatMap((v) => v.comparisons);
  const fitted = new Set(vs.flatMap((v) => v.selection.fittedConfigurations));
  const predicted = cs.filter((c) => c.insideSpread !== null);
  const errs = predicted.map((c) => Math.abs(c.errorPct!));
  const unf = cs.filter((c) => !fitted.has(c.config.configId));
  const inside = predicted.filter((c) => c.insideSpread).length;
  return {
    n: cs.length,
    predicted: predicted.length,
    inside,
    unfitted: { n: unf.length, inside: unf.filter((c) => c.insideSpread === true).length },
    meanAbsErrorPct: errs.length > 0 ? errs.reduce((a, x) => a + x, 0) / errs.length : null,
    worstAbsErrorPct: errs.length > 0 ? Math.max(...errs) : null,
    met: cs.length > 0 && inside >= HELD_OUT_GOAL * cs.length,
  };
}

/** Per traffic shape, the pooled score of its datasets that count toward the goal and exist; null: none measured yet. */
export function shapeGoals(results: readonly HeldOutDatasetResult[]): { shape: TrafficShape; files: string[]; score: HeldOutScore | null }[] {
  const shapes = TRAFFIC_SHAPES.filter((s) => results.some((r) => r.entry.shape === s && r.entry.countsForGoal));
  return shapes.map((shape) => {
    const rs = results.filter((r) => r.entry.shape === shape && r.entry.countsForGoal && r.validation !== null);
    return { shape, files: rs.map((r) => r.entry.file), score: rs.length > 0 ? heldOutScore(rs.map((r) => r.validation!)) : null };
  });
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
  /** The calibration's constants fitted on this file's runs, with those runs (as the calibration lists them). */
  fittedBy?: { constant: string; runs: string[] }[];
}

/** Runs as ranges per configuration: ["tpw-perf#0", "tpw-perf#1", "tpw-perf#2", "tpw-ringbuf#0"] -> "tpw-perf#0–2, tpw-ringbuf#0". */
export function runRanges(runs: readonly string[]): string {
  const by = new Map<string, number[]>();
  for (const r of runs) {
    const m = /^(.*)#(\d+)$/.exec(r);
    if (m === null) by.set(r, []);
    else by.set(m[1], [...(by.get(m[1]) ?? []), Number(m[2])]);
  }
  const out: string[] = [];
  for (const [config, reps] of by) {
    if (reps.length === 0) {
      out.push(config);
      continue;
    }
    const s = [...new Set(reps)].sort((a, b) => a - b);
    const parts: string[] = [];
    for (let i = 0; i < s.length;) {
      let j = i;
      while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
      parts.push(j > i ? `${s[i]}–${s[j]}` : String(s[i]));
      i = j + 1;
    }
    out.push(`${config}#${parts.join(",")}`);
  }
  return out.join(", ");
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
  /** The joint band (RowBand.joint): the unknowns' corners set together. */
  jointLow: number;
  jointHigh: number;
}

export interface ReportData {
  settings: ReportSettings;
  /** The seed rows' calibration, as named (host class or file). */
  seedCalibrationName: string;
  seedCalibration: CalibrationFile;
  /** The seed rows, with band and ablation. */
  reproduce: ReproduceResult;
  unknowns: Unknown[];
  /** What the study does not state but its own evidence settles (models/unknowns/field-study.json `settled`). */
  settled: Settled[];
  required: RequiredCostRow[];
  /** How few window-limited flows each row's receiver would need, and every row at the rows' median count. */
  requiredFlows: { rows: RequiredFlowsRow[]; common: { flows: number; rows: CommonFlowsRow[] } | null };
  band: BandRow[];
  /** Folder of our datasets. */
  dataDir: string;
  measured: MeasuredData;
  wakeups: WakeupComparison | null;
  /** Where the live reader's CPU goes on our host, beside what the model charges for it; null without the probe's runs. */
  readerSplit: ReaderSplitEvidence | null;
  readerLatency: ReaderLatencyEvidence | null;
  /** Per window-capped delay dataset (file name): the node model's window-limited receiver beside it. */
  windows: Map<string, WindowCheck>;
  ringbuf: { comparisons: TableComparison[]; host: HostTwoProducer | null };
  scaling: { points: ScalingPoint[]; saturating: ScalingPoint[]; seedPoints: SeedPoint[] };
  sensitivity: SensitivityResult;
}

/** The latest `*-injected-delay-w<KiB>k.jsonl` per window, each with the model's window-limited receiver beside it. */
export function windowChecks(dataDir: string, cal: FittedCalibrationFile | null, sim: SimulateOptions): Map<string, WindowCheck> {
  const out = new Map<string, WindowCheck>();
  if (cal === null) return out;
  for (const file of latestWindowDatasets(dataDir)) {
    const c = windowCheck(readDataset(join(dataDir, file)), cal.calibration, sim);
    if (c !== null) out.set(file, c);
  }
  return out;
}

/** A path under the package root, as the report names it (repository-relative). */
export const rel = (p: string) => (p.startsWith(PACKAGE_ROOT) ? p.slice(PACKAGE_ROOT.length).replace(/^\//, "") : p);

/** The datasets of `dir`, sorted by name, read and concatenated. */
function readDatasets(dir: string): { rows: DatasetRow[]; files: string[] } {
  if (!existsSync(dir)) return { rows: [], files: [] };
  const files = readdirSync(dir)
    .filter((x) => x.endsWith(".jsonl"))
    .sort();
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

function measuredData(dataDir: string, measuredCalibration: string | undefined, sim: SimulateOptions, listPath: string | null): MeasuredData {
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
  let heldOut: HeldOutDatasets | undefined;
  if (listPath !== null && existsSync(listPath)) {
    const list = readHeldOutDatasetList(listPath);
    const read = (file: string) => (existsSync(join(PACKAGE_ROOT, file)) ? readDataset(join(PACKAGE_ROOT, file)) : null);
    heldOut = { list, results: list.datasets.map((e) => compareHeldOutDataset(e, calibration, sim, read)) };
  }
  // the calibration's own dataset, as before (its wakeups and chart); from the list when it is there
  const ownResult = heldOut?.results.find((r) => r.calibrationDataset && r.validation !== null);
  return {
    heldOut,
    validation: ownResult?.validation ?? validateMeasured(rows, calibration, sim),
    why: "",
    calibrationFile: rel(calPath),
    calibration,
    datasets,
    rows,
    hardware: {
      name: hw.name,
      vcpus: hw.vcpus,
      bandwidthGbps: hw.nic.bandwidthGbps,
      rxQueues: hw.nic.rxQueues,
      receiveFollowsSender: hw.nic.receiveFollowsSender ?? false,
      placement: placementEvidence(hostClass),
    },
  };
}

/** The last, by name (dated names sort by date), of the files in `dir` named `<prefix>...<suffix>`; null when none (or no `dir`). */
function latestFile(dir: string, prefix: string, suffix: string): string | null {
  if (!existsSync(dir)) return null;
  return (
    readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith(suffix))
      .sort()
      .at(-1) ?? null
  );
}

/** The reader-split probe's runs (src/measure/reader-split.ts) and the host calibration's charges for the same work. */
export interface ReaderSplitEvidence {
  file: string;
  summaries: ReaderSplitSummary[];
  /** The runs without a parser: the traffic offered (Gb/s), which the model's runs are offered too. */
  baselineGbps: Spread;
  /**
   * The same configurations simulated (src/calibration/harness-scenario.ts simulateHarness), by mode:
   * records read per second, sleeps per record, and all the CPU it bills its reader over its sleeps
   * (µs) and over its records (ns), interrupt stretch included.
   */
  simulated: Record<string, { recordsPerS: number; sleepsPerRecord: number; billedUsPerSleep: number; billedNsPerRecord: number }>;
  /** The calibration the model runs with on that host: its per-sleep and per-record charges (ns) and how each was obtained. */
  model: {
    calibration: string;
    contextSwitchNs: number;
    epollWaitNs: number;
    consumeNs: number;
    methods: { contextSwitchNs: string; epollWaitNs: string; consumeNs: string };
  };
}

/**
 * The latest `<dataDir>/reader-split/<hostClass>-<date>-split.jsonl` (bpf/tools/placement.sh runs with
 * the loader's --split-reader-cpu), summarised beside the host calibration's charges; null when there is none.
 */
export function readerSplitEvidence(dataDir: string, cal: FittedCalibrationFile | null, sim: SimulateOptions): ReaderSplitEvidence | null {
  if (cal === null) return null;
  const dir = join(dataDir, "reader-split");
  const file = latestFile(dir, `${cal.calibration.hostClass}-`, "-split.jsonl");
  if (file === null) return null;
  const runs = readPlacement(join(dir, file));
  const summaries = summariseReaderSplit(runs);
  const split = summaries.filter((x) => x.split);
  const baselineGbps = split.length > 0 ? splitBaseline(runs, split[0]!.shape) : null;
  if (baselineGbps === null) return null;
  const simulated: ReaderSplitEvidence["simulated"] = {};
  for (const x of split) {
    // runs without a parser carry no loader, so never summarise as split; the test narrows the mode
    if (x.mode === "off" || simulated[x.mode] !== undefined) continue;
    const r = simulateHarness(cal.calibration, { mode: x.mode }, baselineGbps.median, sim);
    const read = r.eventsPerS.mean - r.lostPerS.mean;
    simulated[x.mode] = {
      recordsPerS: read,
      sleepsPerRecord: r.readerWakeupsPerS.mean / r.eventsPerS.mean,
      billedUsPerSleep: (r.agentCpuBilledCores.mean * 1e6) / r.readerWakeupsPerS.mean,
      billedNsPerRecord: (r.agentCpuBilledCores.mean * 1e9) / read,
    };
  }
  const c = cal.calibration.constants;
  return {
    file: rel(join(dir, file)),
    summaries,
    baselineGbps,
    simulated,
    model: {
      calibration: cal.file,
      contextSwitchNs: c.contextSwitchNs.value,
      epollWaitNs: c.epollWaitNs.value,
      consumeNs: c.consumeNs.value,
      methods: { contextSwitchNs: c.contextSwitchNs.method, epollWaitNs: c.epollWaitNs.method, consumeNs: c.consumeNs.method },
    },
  };
}

export interface ReaderLatencyEvidence {
  file: string;
  summaries: ReaderLatencySummary[];
  /** By traffic shape, the runs without a parser: the traffic offered (Gb/s), which the model's runs are offered too. */
  baselineGbps: Record<string, Spread>;
  /** Share of all CPU time stolen by the hypervisor over the kept runs (null: not recorded). */
  steal: Spread | null;
  /** Runs left out for steal above maxSteal, and the threshold. */
  stolenRuns: number;
  maxSteal: number;
  /**
   * The same configurations simulated, by `${shape}|${mode}`: Gb/s with the parser, records read per
   * second, sleeps per record, delivery latency p50 and p99 (µs), of all records and of each pass's first.
   */
  simulated: Record<string, LatencySim>;
  calibration: string;
  /** The runqueue wait the model draws for a woken reader on a busy CPU: its mean (ns) and how it was obtained. */
  runqueueWait: { ns: number; method: string };
  /** The latest `<host>-<date>-stalls.jsonl` beside it (bpf/tools/preempt-stalls.bt runs), summarised over its quiet runs; null when there is none. */
  stalls: { file: string; summaries: StallSummary[]; stolenRuns: number } | null;
  /**
   * The latest `<host>-<date>-probe.jsonl` beside it: the same runs with placement.sh's own `ps`
   * sampling, without it, and without it but with bpftrace's wake-to-run trace, interleaved;
   * summarised over its quiet runs; null when there is none.
   */
  probe: {
    file: string;
    summaries: ReaderLatencySummary[];
    wakeToRun: WakeToRunSummary[];
    stolenRuns: number;
  } | null;
  /**
   * The latest `<host>-<date>-preempt.jsonl`: runs with no probe, with the wake-to-run trace and with
   * the preemption trace, interleaved, and runs without a parser; and the what-if that puts the
   * traced waits into the model. Null when there is none.
   */
  waits: WaitsWhatIf | null;
}

export interface WaitsWhatIf {
  file: string;
  stolenRuns: number;
  summaries: ReaderLatencySummary[];
  wakeToRun: WakeToRunSummary[];
  preempt: PreemptTraceSummary[];
  /** The file's runs without a parser (Gb/s), the traffic the simulations are offered. */
  baselineGbps: Spread;
  /**
   * By mode, simulated at that baseline: with the model's exponential runqueue wait; with the traced
   * wake-to-run histogram in its place; and with the running reader also preempted at the traced rate
   * (per second it runs) for the traced stall lengths.
   */
  whatIf: Record<string, { exponential: LatencySim; measuredWait: LatencySim; measuredWaitAndPreemption: LatencySim | null }>;
}

/** The what-if of a `-preempt.jsonl` campaign (see WaitsWhatIf); null when it has no quiet runs without a parser. */
function waitsWhatIf(file: string, all: PlacementRun[], cal: FittedCalibrationFile, sim: SimulateOptions): WaitsWhatIf | null {
  const { kept, stolen } = splitBySteal(all);
  const baselineGbps = splitBaseline(kept, "veth");
  if (baselineGbps === null) return null;
  const preempt = summarisePreemptTrace(kept);
  const hs = harnessShape("veth");
  const opts = { ...sim, hardware: hs.hardware, workload: hs.workload };
  const whatIf: WaitsWhatIf["whatIf"] = {};
  for (const mode of ["perf", "ringbuf"] as const) {
    const wait = mergedTrace(kept, "veth", mode, "wakeToRun");
    if (wait === null) continue;
    const at = (extra: Partial<HarnessSimOptions>) => latencySim(simulateHarness(cal.calibration, { mode }, baselineGbps.median, { ...opts, ...extra }));
    const stalls = mergedTrace(kept, "veth", mode, "preemptStalls");
    const rate = preempt.find((x) => x.shape === "veth" && x.mode === mode)?.perRunningS.median;
    whatIf[mode] = {
      exponential: at({}),
      measuredWait: at({ runqueueWaitUs: wait }),
      measuredWaitAndPreemption:
        stalls === null || rate === undefined ? null : at({ runqueueWaitUs: wait, readerPreemption: { perRunningS: rate, stallUs: stalls } }),
    };
  }
  return { file, stolenRuns: stolen.length, summaries: summariseReaderLatency(kept), wakeToRun: summariseWakeToRun(kept), preempt, baselineGbps, whatIf };
}

/** One harness configuration simulated: what the latency section sets beside the measurement. */
export type LatencySim = { gbps: number; recordsPerS: number; sleepsPerRecord: number; p50Us: number; p99Us: number; firstP50Us: number; firstP99Us: number };

function latencySim(r: SimulationResult): LatencySim {
  return {
    gbps: r.withAgentGbps.mean,
    recordsPerS: r.eventsPerS.mean - r.lostPerS.mean,
    sleepsPerRecord: r.readerWakeupsPerS.mean / r.eventsPerS.mean,
    p50Us: r.latencyP50Us.mean,
    p99Us: r.latencyP99Us.mean,
    firstP50Us: r.firstRecordLatencyP50Us.mean,
    firstP99Us: r.firstRecordLatencyP99Us.mean,
  };
}

/**
 * The latest `<dataDir>/reader-latency/<hostClass>-<date>-latency.jsonl` (bpf/tools/placement.sh runs
 * with the loader's --delivery-latency), beside the same configurations simulated; null when there is none.
 */
export function readerLatencyEvidence(dataDir: string, cal: FittedCalibrationFile | null, sim: SimulateOptions): ReaderLatencyEvidence | null {
  if (cal === null) return null;
  const dir = join(dataDir, "reader-latency");
  const file = latestFile(dir, `${cal.calibration.hostClass}-`, "-latency.jsonl");
  if (file === null) return null;
  const { kept: runs, stolen } = splitBySteal(readPlacement(join(dir, file)));
  const summaries = summariseReaderLatency(runs);
  const baselineGbps: Record<string, Spread> = {};
  for (const x of summaries) {
    const b = splitBaseline(runs, x.shape);
    if (b !== null) baselineGbps[x.shape] = b;
  }
  if (Object.keys(baselineGbps).length === 0) return null;
  const steals = runs.flatMap((r) => (r.stealOfCpuTime === undefined ? [] : [r.stealOfCpuTime]));
  const simulated: ReaderLatencyEvidence["simulated"] = {};
  for (const x of summaries) {
    const base = baselineGbps[x.shape];
    if (x.mode === "off" || base === undefined) continue;
    // an unknown shape throws (harnessShape), never falls back to veth's profiles
    const hs = harnessShape(x.shape as Parameters<typeof harnessShape>[0]);
    const r = simulateHarness(cal.calibration, { mode: x.mode }, base.median, { ...sim, hardware: hs.hardware, workload: hs.workload });
    simulated[`${x.shape}|${x.mode}`] = latencySim(r);
  }
  const rq = cal.calibration.constants.runqueueWaitNs;
  const stallFile = latestFile(dir, `${cal.calibration.hostClass}-`, "-stalls.jsonl");
  let stalls: ReaderLatencyEvidence["stalls"] = null;
  if (stallFile !== null) {
    const { kept, stolen } = splitBySteal(readStallRuns(join(dir, stallFile)));
    const summaries = summariseStalls(kept);
    if (summaries.length > 0) stalls = { file: rel(join(dir, stallFile)), summaries, stolenRuns: stolen.length };
  }
  const probeFile = latestFile(dir, `${cal.calibration.hostClass}-`, "-probe.jsonl");
  let probe: ReaderLatencyEvidence["probe"] = null;
  if (probeFile !== null) {
    const { kept, stolen } = splitBySteal(readPlacement(join(dir, probeFile)));
    const summaries = summariseReaderLatency(kept);
    if (summaries.length > 0) probe = { file: rel(join(dir, probeFile)), summaries, wakeToRun: summariseWakeToRun(kept), stolenRuns: stolen.length };
  }
  const waitsFile = latestFile(dir, `${cal.calibration.hostClass}-`, "-preempt.jsonl");
  const waits = waitsFile === null ? null : waitsWhatIf(rel(join(dir, waitsFile)), readPlacement(join(dir, waitsFile)), cal, sim);
  return {
    stalls,
    probe,
    waits,
    file: rel(join(dir, file)),
    summaries,
    baselineGbps,
    steal: steals.length === runs.length && steals.length > 0 ? spread(steals) : null,
    stolenRuns: stolen.length,
    maxSteal: DEFAULT_MAX_STEAL_SHARE,
    simulated,
    calibration: cal.file,
    runqueueWait: { ns: rq.value, method: rq.method },
  };
}

/** What the host's placement probe says about the CPU a reader is pinned to (medians per configuration). */
export interface PlacementEvidence {
  file: string;
  runs: number;
  /** Range over the pinned configurations of the median share of softirq time on the reader's CPU. */
  pinned: { min: number; max: number };
  /** The same for CPU 1 with an unpinned reader or none. */
  unpinned: { min: number; max: number };
}

/** The latest `validation/data/placement/<hostClass>-<date>.jsonl`, summarised; null when there is none. */
export function placementEvidence(hostClass: string): PlacementEvidence | null {
  const dir = join(PACKAGE_ROOT, "validation", "data", "placement");
  const file = latestFile(dir, `${hostClass}-`, ".jsonl");
  if (file === null) return null;
  const runs = readPlacement(join(dir, file));
  const sum = summarisePlacement(runs);
  const range = (xs: number[]) => (xs.length > 0 ? { min: Math.min(...xs), max: Math.max(...xs) } : null);
  const pinned = range(sum.filter((x) => x.readerCpu >= 0).map((x) => x.softirqOnReaderCpu.median));
  const unpinned = range(sum.filter((x) => x.readerCpu < 0).map((x) => x.softirqOnReaderCpu.median));
  if (pinned === null || unpinned === null) return null;
  return { file: `validation/data/placement/${file}`, runs: runs.length, pinned, unpinned };
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
  const base = rows.filter((r): r is ThroughputRow => r.kind === "throughput" && r.configId === "tp-baseline").map((r) => r.iperf.bitsPerSecond / 1e9);
  if (base.length === 0) return null;
  const out = wakeupRows(wrows, fittedWakeupRuns(cal), median(base), cal, sim, "tpw-none");
  if (out.length === 0) return null;
  const fittedBy = (["irqWorkLatencyNs", "runqueueWaitNs"] as const).map((constant) => ({ constant, runs: cal.calibration.constants[constant].runs ?? [] }));
  return { file, rows: out, fittedBy };
}

/** Wakeup runs the calibration's wakeup constants were fitted on (in its own wakeup file). */
function fittedWakeupRuns(cal: FittedCalibrationFile): Set<string> {
  return new Set([...(cal.calibration.constants.irqWorkLatencyNs.runs ?? []), ...(cal.calibration.constants.runqueueWaitNs.runs ?? [])]);
}

/** One table row per wakeup-counting configuration of `wrows`: measured ratios beside the model's at `baselineGbps`. */
function wakeupRows(
  wrows: readonly DatasetRow[],
  fitted: Set<string>,
  baselineGbps: number,
  cal: FittedCalibrationFile,
  sim: HarnessSimOptions,
  noneConfig: string,
): WakeupComparisonRow[] {
  const ratios = wakeupRatios(wrows, noneConfig);
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
  return out;
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
      jointLow: Number(b.joint.low.toFixed(2)),
      jointHigh: Number(b.joint.high.toFixed(2)),
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
      .map((r) => ({
        vcpus: r.cores,
        tool: "retina-perf",
        overhead: (r.reduction_pct ?? r.reduction_pct_approx)!,
        label: `study: ${r.cores} cores, perf array, default`,
      })),
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
  const flowRows = requiredFlowsTable(rep, short);
  const found = flowRows.filter((r) => r.status === "found" && r.flows !== undefined).map((r) => r.flows!);
  const commonFlows = found.length > 0 ? Math.max(1, Math.round(median(found))) : undefined;
  // 2. ours
  const dataDir = options.dataDir ?? join(PACKAGE_ROOT, "validation", "data");
  const listPath =
    options.heldOutList !== undefined ? options.heldOutList : options.dataDir === undefined ? join(PACKAGE_ROOT, "validation", "held-out-datasets.json") : null;
  const measured = measuredData(dataDir, options.measuredCalibration, sim, listPath);
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
    settled: loadSettled(),
    required,
    requiredFlows: { rows: flowRows, common: commonFlows === undefined ? null : { flows: commonFlows, rows: atCommonFlows(rep, commonFlows, short) } },
    band: bandRows(rep, (hw) => loadHardware(hw).vcpus),
    dataDir,
    measured,
    wakeups,
    readerSplit: readerSplitEvidence(dataDir, measured.calibration, sim),
    readerLatency: readerLatencyEvidence(dataDir, measured.calibration, sim),
    windows: windowChecks(dataDir, measured.calibration, sim),
    ringbuf: { comparisons: compareRingbufTables(), host: hostTwoProducer() },
    scaling: { points, saturating, seedPoints: scalingSeedPoints(rep) },
    sensitivity: sens,
  };
}
