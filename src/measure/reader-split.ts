/**
 * Where a live reader's CPU goes: runs of `bpf/tools/placement.sh` with the loader's
 * `--split-reader-cpu` (LOADER_EXTRA), which splits the reader thread's clock at each poll's first
 * record: before it, the epoll path (epoll_wait's entry, the sleep's switch out and back in, the
 * return, and the interrupts billed to the thread meanwhile on a kernel without IRQ time
 * accounting); from it to the poll's end, the walk over the records (libbpf's ring walk, the
 * loader's callback, the record's lines brought over from the producing CPU). Runs without the flag
 * in the same file show what the split's extra clock reads (about three per poll) cost.
 */
import { readPlacement, type PlacementRun } from "./placement.ts";
import { spread, type Spread } from "./summary.ts";

export interface ReaderSplitSummary {
  shape: string;
  mode: PlacementRun["mode"];
  /** Whether the runs split the reader's clock (--split-reader-cpu). */
  split: boolean;
  runs: number;
  gbps: Spread;
  recordsPerS: Spread;
  /** The reader's thread clock over the run, in cores. */
  readerCores: Spread;
  /** Voluntary context switches (sleeps) per record read. */
  sleepsPerRecord: Spread;
  /** The reader's whole clock over its sleeps (µs) and over its records read (ns), run by run. */
  clockUsPerSleep: Spread;
  clockNsPerRecord: Spread;
  /** Split runs only: µs of the reader's clock in the epoll path per sleep, and ns in the walk per record read. */
  epollUsPerSleep?: Spread;
  walkNsPerRecord?: Spread;
  /** Split runs only: the epoll path's share of the reader's clock. */
  epollShare?: Spread;
}

const num = (l: Record<string, unknown>, k: string): number => {
  const v = l[k];
  return typeof v === "number" && Number.isFinite(v) ? v : NaN;
};

/**
 * Per shape, mode and split flag, over the runs whose loader read records: medians and spreads.
 * @throws Error naming the run when a split run lacks one of the split's fields
 */
export function summariseReaderSplit(runs: PlacementRun[]): ReaderSplitSummary[] {
  const groups = new Map<string, { run: PlacementRun; l: Record<string, unknown> }[]>();
  for (const run of runs) {
    const l = run.loader;
    if (l === undefined || l === null || !(num(l, "records") > 0) || !(num(l, "duration_s") > 0) || run.gbps === null) continue;
    const split = "reader_wait_cpu_s" in l;
    const k = `${run.shape}|${run.mode}|${split}`;
    groups.set(k, [...(groups.get(k) ?? []), { run, l }]);
  }
  const out: ReaderSplitSummary[] = [];
  for (const [k, rs] of groups) {
    const split = k.endsWith("|true");
    const per = (f: (l: Record<string, unknown>) => number) => spread(rs.map((x) => f(x.l)));
    const s: ReaderSplitSummary = {
      shape: rs[0]!.run.shape,
      mode: rs[0]!.run.mode,
      split,
      runs: rs.length,
      gbps: spread(rs.map((x) => x.run.gbps!)),
      recordsPerS: per((l) => num(l, "records") / num(l, "duration_s")),
      readerCores: per((l) => num(l, "reader_cpu_s") / num(l, "duration_s")),
      sleepsPerRecord: per((l) => num(l, "voluntary_ctxt_switches") / num(l, "records")),
      clockUsPerSleep: per((l) => (num(l, "reader_cpu_s") * 1e6) / Math.max(1, num(l, "voluntary_ctxt_switches"))),
      clockNsPerRecord: per((l) => (num(l, "reader_cpu_s") * 1e9) / num(l, "records")),
    };
    if (split) {
      for (const { run, l } of rs) {
        for (const f of ["reader_wait_cpu_s", "reader_drain_cpu_s", "voluntary_ctxt_switches", "reader_cpu_s"]) {
          if (!(num(l, f) >= 0))
            throw new Error(`reader split: ${run.shape} ${run.mode} rep ${run.rep}: loader.${f} = ${JSON.stringify(l[f])}: not a number >= 0`);
        }
      }
      s.epollUsPerSleep = per((l) => (num(l, "reader_wait_cpu_s") * 1e6) / Math.max(1, num(l, "voluntary_ctxt_switches")));
      s.walkNsPerRecord = per((l) => (num(l, "reader_drain_cpu_s") * 1e9) / num(l, "records"));
      s.epollShare = per((l) => num(l, "reader_wait_cpu_s") / (num(l, "reader_wait_cpu_s") + num(l, "reader_drain_cpu_s")));
    }
    out.push(s);
  }
  return out.sort((a, b) => `${a.shape}|${a.mode}|${a.split}`.localeCompare(`${b.shape}|${b.mode}|${b.split}`));
}

/** Gb/s of the runs without a parser (mode "off") of `shape`: the traffic the others were offered; null when there are none. */
export function splitBaseline(runs: PlacementRun[], shape: string): Spread | null {
  const g = runs.filter((r) => r.mode === "off" && r.shape === shape && r.gbps !== null).map((r) => r.gbps!);
  return g.length === 0 ? null : spread(g);
}

export function readReaderSplit(path: string): ReaderSplitSummary[] {
  return summariseReaderSplit(readPlacement(path));
}
