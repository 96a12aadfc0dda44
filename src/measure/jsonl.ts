/**
 * The measurement dataset format: JSON Lines under validation/data/<host-class>-<date>.jsonl,
 * one object per repetition, `kind` "microbench" or "throughput", with its configuration, its
 * repetition number and the raw results (loader JSON, iperf3 summary, /proc/stat deltas).
 */
import { appendFileSync } from "node:fs";
import { MeasureError } from "./options.ts";
import { readTextFile } from "../models/read.ts";
import type { HostDescription } from "./host.ts";
import type { LoaderReport } from "./loader.ts";
import type { MicrobenchConfig, ThroughputConfig } from "./grid.ts";
import type { ProcStat } from "./procstat.ts";

interface RowBase {
  /** `<config id>#<rep>`, unique in a dataset; calibration files cite rows by it. */
  runId: string;
  configId: string;
  rep: number;
  startedAt: string;
  hostClass: string;
  host?: HostDescription;
  /** Idle share of the CPUs just before the run, and how long the harness waited for it. */
  preRun?: { idleShare: number; waitedMs: number; quiet: boolean };
}

export interface MicrobenchRow extends RowBase {
  kind: "microbench";
  config: MicrobenchConfig;
  loader: LoaderReport & { ns_per_run_mean: number; consumer_cpu_s: number };
}

export interface ThroughputRow extends RowBase {
  kind: "throughput";
  config: ThroughputConfig;
  durationS: number;
  iperf: { bitsPerSecond: number; bytes: number; retransmits: number; senderCpuPercent: number; receiverCpuPercent: number };
  /** /proc/stat difference over the iperf3 run (ctxt; CPU ticks of USER_HZ). */
  procStat: ProcStat;
  userHz: number;
  /**
   * Loader JSON; undefined for the baseline. With config.countWakeups it also holds the
   * WakeupCounts fields (perf_event_output_calls, perf_event_wakeup_calls, irq_work_ipis, ...).
   */
  loader?: LoaderReport;
  /** cgroup cpu.stat after the run, when a CPU limit applied. */
  cgroupCpuStat?: Record<string, number>;
}

export type DatasetRow = MicrobenchRow | ThroughputRow;

/** The loader's --count-wakeups counters (non-negative integers, or null where not counted). */
export const WAKEUP_COUNT_FIELDS = [
  "perf_event_output_calls",
  "perf_event_wakeup_calls",
  "perf_pending_irq_calls",
  "bpf_ringbuf_notify_calls",
  "irq_work_ipis",
] as const;

/**
 * A repetition that failed (its loader or iperf3 died): kept in the dataset so the failure is on
 * record; readers skip it (parseDataset returns only measurement rows).
 */
export interface FailedRow {
  kind: "failed";
  /** The kind of repetition that failed. */
  of: "microbench" | "throughput";
  runId: string;
  startedAt: string;
  hostClass: string;
  reason: string;
}

export function appendFailedRow(path: string, row: FailedRow): void {
  appendFileSync(path, `${JSON.stringify(row)}\n`);
}

export function appendRow(path: string, row: DatasetRow): void {
  appendFileSync(path, `${JSON.stringify(row)}\n`);
}

/**
 * The JSON objects of a JSON Lines text, each with `where` ("<label>:<line>") for its errors; blank
 * lines are skipped.
 * @throws MeasureError naming the line when it is not JSON or not an object
 */
export function jsonObjectLines(text: string, label: string): { o: Record<string, unknown>; where: string }[] {
  const out: { o: Record<string, unknown>; where: string }[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${label}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new MeasureError(`${where}: not JSON (${(e as Error).message})`);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new MeasureError(`${where}: not an object`);
    out.push({ o: v as Record<string, unknown>, where });
  });
  return out;
}

/** Parses a dataset; throws naming the line for anything that is not a well-formed row. */
export function parseDataset(text: string, label = "dataset"): DatasetRow[] {
  const rows: DatasetRow[] = [];
  for (const { o, where } of jsonObjectLines(text, label)) {
    if (o.kind === "failed") continue; // a failed repetition on record: no measurement in it
    if (o.kind !== "microbench" && o.kind !== "throughput") {
      throw new MeasureError(`${where}: kind = ${JSON.stringify(o.kind)}: must be "microbench" or "throughput"`);
    }
    for (const f of ["runId", "configId"]) {
      if (typeof o[f] !== "string") throw new MeasureError(`${where}: ${f} = ${JSON.stringify(o[f])}: must be a string`);
    }
    if (typeof o.rep !== "number") throw new MeasureError(`${where}: rep = ${JSON.stringify(o.rep)}: must be a number`);
    if (typeof o.config !== "object" || o.config === null) throw new MeasureError(`${where}: config missing`);
    if (o.kind === "microbench" && typeof (o.loader as Record<string, unknown> | undefined)?.ns_per_run_mean !== "number") {
      throw new MeasureError(`${where}: loader.ns_per_run_mean missing`);
    }
    if (o.kind === "throughput" && typeof (o.iperf as Record<string, unknown> | undefined)?.bitsPerSecond !== "number") {
      throw new MeasureError(`${where}: iperf.bitsPerSecond missing`);
    }
    const l = o.loader as Record<string, unknown> | undefined;
    if (o.kind === "throughput" && l) {
      for (const f of WAKEUP_COUNT_FIELDS) {
        if (f in l && l[f] !== null && !(typeof l[f] === "number" && Number.isFinite(l[f]) && (l[f] as number) >= 0)) {
          throw new MeasureError(`${where}: loader.${f} = ${JSON.stringify(l[f])}: must be a count or null`);
        }
      }
    }
    rows.push(o as unknown as DatasetRow);
  }
  return rows;
}

export function readDataset(path: string): DatasetRow[] {
  return parseDataset(readTextFile(path, "dataset", { maxBytes: 256 * 1024 * 1024, error: (m, v) => new MeasureError(m, path, v) }), path);
}
