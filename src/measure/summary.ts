/**
 * Per-configuration summary of a dataset: median and spread (MAD, min, max) over repetitions of
 * throughput (Gb/s), system context switches per second and loader records/failures for
 * throughput rows, and ns per run for microbenchmark rows. A shared, noisy machine is
 * described by medians and spreads, never by one run.
 */
import { mad, median } from "../engine/robust-stats.ts";
import type { DatasetRow } from "./jsonl.ts";

export interface Spread {
  median: number;
  mad: number;
  min: number;
  max: number;
  n: number;
}

export function spread(xs: number[]): Spread {
  return { median: median(xs), mad: mad(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** The runs kept by `keep`, grouped by traffic shape and mode, in the order each group first appears. */
export function groupByShapeMode<R extends { shape: string; mode: string }>(runs: readonly R[], keep: (r: R) => boolean = () => true): R[][] {
  const groups = new Map<string, R[]>();
  for (const r of runs) {
    if (!keep(r)) continue;
    const k = `${r.shape}|${r.mode}`;
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [r]);
    else g.push(r);
  }
  return [...groups.values()];
}

/** Share of a histogram's counts in the bins that start at `fromUs` or later ([low, high, count] bins); 0 when empty. */
export function shareFrom(bins: readonly (readonly [number, number, number])[], fromUs: number): number {
  const total = bins.reduce((a, b) => a + b[2], 0);
  return total > 0 ? bins.filter(([low]) => low >= fromUs).reduce((a, b) => a + b[2], 0) / total : 0;
}

export interface ConfigSummary {
  configId: string;
  kind: DatasetRow["kind"];
  /** Throughput rows: Gb/s. Microbench rows: ns per run. */
  value: Spread;
  /** Throughput rows: relative to the baseline's median (1 = no loss). */
  relativeToBaseline?: number;
  ctxtPerS?: Spread;
  records?: Spread;
  failed?: Spread;
  /**
   * The loader's reader, per record read, where the loader reports getrusage's split (reader_user_s,
   * reader_sys_s): its user-space ns (ring walk, callback) and its kernel ns (epoll, switches, and the
   * interrupts billed to it), the two parts of its billed CPU.
   */
  readerUserNsPerRecord?: Spread;
  readerSysNsPerRecord?: Spread;
}

export function summarise(rows: DatasetRow[]): ConfigSummary[] {
  const groups = new Map<string, DatasetRow[]>();
  for (const r of rows) groups.set(r.configId, [...(groups.get(r.configId) ?? []), r]);
  const out: ConfigSummary[] = [];
  for (const [configId, rs] of groups) {
    const kind = rs[0]!.kind;
    if (kind === "microbench") {
      out.push({ configId, kind, value: spread(rs.map((r) => (r.kind === "microbench" ? r.loader.ns_per_run_mean : NaN))) });
    } else {
      const t = rs.filter((r) => r.kind === "throughput");
      out.push({
        configId,
        kind,
        value: spread(t.map((r) => r.iperf.bitsPerSecond / 1e9)),
        ctxtPerS: spread(t.map((r) => r.procStat.ctxt / r.durationS)),
        ...(t[0]!.loader ? { records: spread(t.map((r) => r.loader!.records)), failed: spread(t.map((r) => r.loader!.failed)) } : {}),
        ...readerSplit(t),
      });
    }
  }
  const base = out.find((s) => s.configId === "tp-baseline");
  if (base) for (const s of out) if (s.kind === "throughput") s.relativeToBaseline = s.value.median / base.value.median;
  return out;
}

/** ns per record read of the reader's user and system time, over the runs whose loader reports them and read something. */
function readerSplit(rows: DatasetRow[]): Pick<ConfigSummary, "readerUserNsPerRecord" | "readerSysNsPerRecord"> {
  const user: number[] = [];
  const sys: number[] = [];
  for (const r of rows) {
    const l = r.kind === "throughput" ? (r.loader as Record<string, unknown> | undefined) : undefined;
    const n = Number(l?.records);
    const u = Number(l?.reader_user_s);
    const k = Number(l?.reader_sys_s);
    if (!(n > 0) || !Number.isFinite(u) || !Number.isFinite(k)) continue;
    user.push((u * 1e9) / n);
    sys.push((k * 1e9) / n);
  }
  return user.length === 0 ? {} : { readerUserNsPerRecord: spread(user), readerSysNsPerRecord: spread(sys) };
}
