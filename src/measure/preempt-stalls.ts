/**
 * How long the live reader waits when it is preempted: runs of `bpf/tools/preempt-stalls.bt`
 * (bpftrace on sched:sched_switch: a switch away from the loader's thread while it is runnable
 * starts a stall, the switch back ends it) during `bpf/tools/placement.sh` runs, one JSON line per
 * run: the stalls counted in `seconds`, their mean and total (µs), who took the CPU, and the log2
 * histogram of their lengths as [low µs, high µs, count] bins.
 */
import { readFileSync } from "node:fs";
import { jsonObjectLines } from "./jsonl.ts";
import { groupByShapeMode, shareFrom, spread, type Spread } from "./summary.ts";

export interface StallRun {
  shape: string;
  mode: "perf" | "ringbuf";
  rep: number;
  seconds: number;
  gbps: number | null;
  stealOfCpuTime: number | null;
  stalls: number;
  meanUs: number;
  totalUs: number;
  preemptedBy: Record<string, number>;
  histUs: [number, number, number][];
}

/** Parses the campaign's JSON lines; a malformed line throws with its number and the field at fault. */
export function parseStallRuns(text: string, file = "stalls"): StallRun[] {
  const out: StallRun[] = [];
  for (const { o, where } of jsonObjectLines(text, file)) {
    const bad = (field: string) => new Error(`${where}: ${field} = ${JSON.stringify(o[field])}: not valid`);
    const nonNeg = (k: string) => typeof o[k] === "number" && Number.isFinite(o[k]) && (o[k] as number) >= 0;
    if (typeof o.shape !== "string") throw bad("shape");
    if (o.mode !== "perf" && o.mode !== "ringbuf") throw bad("mode");
    for (const k of ["seconds", "stalls", "meanUs", "totalUs"]) if (!nonNeg(k)) throw bad(k);
    if (!((o.seconds as number) > 0)) throw bad("seconds");
    if (!((o.stalls as number) > 0)) throw bad("stalls");
    const hist = o.histUs;
    if (!Array.isArray(hist) || hist.length === 0 || !hist.every((b) => Array.isArray(b) && b.length === 3 && b.every((x) => typeof x === "number" && x >= 0)))
      throw bad("histUs");
    const by = o.preemptedBy;
    if (typeof by !== "object" || by === null || Array.isArray(by) || !Object.values(by).every((v) => typeof v === "number" && v >= 0))
      throw bad("preemptedBy");
    out.push({
      shape: o.shape,
      mode: o.mode,
      rep: Number(o.rep ?? 0),
      seconds: o.seconds as number,
      gbps: typeof o.gbps === "number" ? o.gbps : null,
      stealOfCpuTime: typeof o.stealOfCpuTime === "number" ? o.stealOfCpuTime : null,
      stalls: o.stalls as number,
      meanUs: o.meanUs as number,
      totalUs: o.totalUs as number,
      preemptedBy: by as Record<string, number>,
      histUs: hist as [number, number, number][],
    });
  }
  return out;
}

export interface StallSummary {
  shape: string;
  mode: StallRun["mode"];
  runs: number;
  /** Preemptions (stalls) per second. */
  perS: Spread;
  /** Mean stall, µs. */
  meanUs: Spread;
  /** Share of the time the reader spent preempted: total stall time over the window. */
  stalledShare: Spread;
  /** Share of the stalls in bins starting at 512 µs or later. */
  longShare: Spread;
  /** Share of the preemptions by the most frequent taker, and its name (over all runs). */
  topTaker: { comm: string; share: number };
}

/** Per shape and mode, over the runs given (leave out the contended ones first: reader-latency.ts splitBySteal). */
export function summariseStalls(runs: StallRun[]): StallSummary[] {
  const out: StallSummary[] = [];
  for (const rs of groupByShapeMode(runs)) {
    const by = new Map<string, number>();
    for (const r of rs) for (const [c, n] of Object.entries(r.preemptedBy)) by.set(c, (by.get(c) ?? 0) + n);
    const total = [...by.values()].reduce((a, b) => a + b, 0);
    const [comm, n] = [...by.entries()].sort((a, b) => b[1] - a[1])[0]!;
    out.push({
      shape: rs[0]!.shape,
      mode: rs[0]!.mode,
      runs: rs.length,
      perS: spread(rs.map((r) => r.stalls / r.seconds)),
      meanUs: spread(rs.map((r) => r.meanUs)),
      stalledShare: spread(rs.map((r) => r.totalUs / 1e6 / r.seconds)),
      longShare: spread(rs.map((r) => shareFrom(r.histUs, 512))),
      topTaker: { comm, share: n / total },
    });
  }
  return out.sort((a, b) => `${a.shape}|${a.mode}`.localeCompare(`${b.shape}|${b.mode}`));
}

export function readStallRuns(path: string): StallRun[] {
  return parseStallRuns(readFileSync(path, "utf8"), path);
}
