/**
 * `ringbuf-bench` beside the published multi-producer tables of the kernel's ring buffer benchmark
 * (validation/data/ringbuf/ringbuf-bench-tables.json: T2/T3 Ryzen 9 7950X, T4 Sapphire Rapids, T5 EPYC 9654
 * and Kunpeng 920), each normalised to its own 1-producer value, and the 1 -> 2 producer point of this
 * host's loader test-run against its prediction (validation/data/ringbuf/ringbuf-2producer-*).
 *
 * Where the model's constants come from:
 * - the lines each reservation moves: models/benchmarks/ringbuf-reservation.json (kernel source);
 * - each line's transfer time: the table's hardware profile (models/hardware/bench-*.json, published
 *   core-to-core latencies, estimates where marked);
 * - the lock's local critical section: the literature calibration's ringbufLockHoldNs (10 ns);
 * - the producer's own ns per record outside the lock: fixed per table so that the model's 1-producer
 *   rate equals the table's 1-producer rate (`producerRecordNs`). That is the normaliser itself: the
 *   shape at 2..52 producers is predicted, not fitted.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadCalibration, loadHardware } from "../models/load.ts";
import { PACKAGE_ROOT } from "../models/paths.ts";
import { reservationLinesOnPath, ringbufRecordBytes, type RingbufLockKind } from "../kernel/ringbuf.ts";
import { ringbufBench, SELFTEST } from "../node/ringbuf-bench.ts";
import { SHIPPED_RESERVATION_LINES } from "../node/agent-buffer.ts";
import { costsFrom } from "../node/costs.ts";

export const TABLES_FILE = join(PACKAGE_ROOT, "validation", "data", "ringbuf", "ringbuf-bench-tables.json");
const DATA_DIR = join(PACKAGE_ROOT, "validation", "data", "ringbuf");
/** The shape criterion of issue 11: predicted / published normalised rate within this band. */
export const TOLERANCE = 0.25;

export interface PublishedTable {
  id: string;
  title: string;
  source: string;
  machine: string;
  hardware: string;
  lockKind: RingbufLockKind;
  /**
   * Whether the kernel the table ran on reserved with the pending loop (kernel/ringbuf.ts step 3:
   * cfa1a2329a69, June 2024); false for tables posted before it.
   */
  pendingLoop: boolean;
  /** The selftest consumer the table used (the model runs rb-libbpf's; see ringbuf-bench.ts). */
  consumer: string;
  batchCnt: number;
  producers: number[];
  recordsMps: number[];
  note?: string;
}

export interface TableRow {
  producers: number;
  publishedMps: number;
  /** Published rate / the table's 1-producer rate. */
  publishedNorm: number;
  predictedMps: number;
  predictedNorm: number;
  /** predictedNorm / publishedNorm. */
  ratio: number;
  within: boolean;
  /**
   * From 2 producers: ns each moved line would take if the published rate were set by the lock alone,
   * (1 / rate - local hold) / lines on the path (pending at 2 producers, queued from 3); null at 1.
   */
  impliedLineNs: number | null;
}

export interface TableComparison {
  table: PublishedTable;
  /** ns per record outside the lock that makes the model's 1-producer rate the table's. */
  producerRecordNs: number;
  rows: TableRow[];
  /** Producer counts of the table the hardware profile cannot run (more producers than it has CPUs). */
  notModelled: number[];
}

export function loadPublishedTables(file = TABLES_FILE): PublishedTable[] {
  const j = JSON.parse(readFileSync(file, "utf8")) as { tables: PublishedTable[] };
  for (const t of j.tables) {
    if (typeof t.pendingLoop !== "boolean") {
      throw new RangeError(`${file}: table ${t.id}: pendingLoop = ${JSON.stringify(t.pendingLoop)}: must be true or false`);
    }
    if (t.producers.length !== t.recordsMps.length || t.producers[0] !== 1) {
      throw new RangeError(`${file}: table ${t.id}: producers and recordsMps must pair up and start at 1 producer`);
    }
  }
  return j.tables;
}

/**
 * Runs `ringbuf-bench` for each table at each of its producer counts the profile can hold.
 * @param durationS simulated seconds per point (the first 10% warm-up)
 */
export function compareRingbufTables(opts: { durationS?: number; tables?: PublishedTable[] } = {}): TableComparison[] {
  const cal = loadCalibration("literature");
  const durationS = opts.durationS ?? 0.002;
  return (opts.tables ?? loadPublishedTables()).map((t) => {
    const hw = loadHardware(t.hardware);
    const run = (producers: number, producerRecordNs: number) =>
      ringbufBench(hw, cal, {
        producers,
        batchCnt: t.batchCnt,
        lockKind: t.lockKind,
        pendingLoop: t.pendingLoop,
        producerRecordNs,
        perf: false,
        durationS,
      }).ringbuf.recordsPerS;
    // the producer's own cost: bisection for the value at which the model's 1-producer rate is the
    // table's (the rate falls as the cost rises, though not smoothly: wakeups come and go with the phase
    // of producer and consumer, so the closest point seen is kept)
    const target = t.recordsMps[0] * 1e6;
    let lo = 0;
    let hi = 1e3 / t.recordsMps[0];
    let pr = hi;
    let bestErr = Infinity;
    for (let i = 0; i < 16; i++) {
      const mid = (lo + hi) / 2;
      const x = run(1, mid);
      const err = Math.abs(x / target - 1);
      if (err < bestErr) {
        bestErr = err;
        pr = mid;
      }
      if (x > target) lo = mid;
      else hi = mid;
    }
    const base = run(1, pr);
    const hold = costsFrom(cal).ringbufLockHoldNs;
    const recordBytes = ringbufRecordBytes(SELFTEST.sampleBytes);
    const linesAt = (n: number) => reservationLinesOnPath(SHIPPED_RESERVATION_LINES, n === 2 ? 1 : 2, recordBytes, t.pendingLoop);
    const rows: TableRow[] = [];
    const notModelled: number[] = [];
    t.producers.forEach((n, i) => {
      if (n >= hw.vcpus) {
        notModelled.push(n);
        return;
      }
      const x = n === 1 ? base : run(n, pr);
      const publishedNorm = t.recordsMps[i] / t.recordsMps[0];
      const predictedNorm = x / base;
      const ratio = predictedNorm / publishedNorm;
      rows.push({
        producers: n,
        publishedMps: t.recordsMps[i],
        publishedNorm,
        predictedMps: x / 1e6,
        predictedNorm,
        ratio,
        within: Math.abs(ratio - 1) <= TOLERANCE + 1e-9,
        impliedLineNs: n === 1 ? null : (1e3 / t.recordsMps[i] - hold) / linesAt(n),
      });
    });
    return { table: t, producerRecordNs: pr, rows, notModelled };
  });
}

export interface HostRunSet {
  /** "fifo": producers run under `chrt -f 10` (SCHED_FIFO), so other work on the host cannot deschedule them; "other": plain. */
  sched: "fifo" | "other";
  /** Per alternating pair: 2 * ns_per_run(1 producer) / ns_per_run(2 producers). */
  measuredRatios: number[];
  measuredMedian: number;
  measuredMin: number;
  measuredMax: number;
  nsPerRun: { p1Median: number; p2Median: number };
  /** Median over 2-producer runs of (the busier producer's test-run time / the run's wall time): near 1 when both ran throughout. */
  coRunning: number;
  loadavg: { min: number; max: number };
  /** predicted / measured median - 1. */
  error: number;
}

export interface HostTwoProducer {
  predictionFile: string;
  datasetFile: string;
  predictedRatio: number;
  predictedNsPerRun: { p1: number; p2: number };
  sets: HostRunSet[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface HostRow {
  runId: string;
  sched?: "fifo" | "other";
  loadavg1: number;
  loader: { producers: number; repeat: number; ns_per_run: number[]; ns_per_run_mean: number; wall_s: number };
}

/** The newest ringbuf-2producer-<date>.jsonl beside its prediction, or null when none was measured. */
export function hostTwoProducer(dir = DATA_DIR): HostTwoProducer | null {
  const files = readdirSync(dir)
    .filter((f) => /^ringbuf-2producer-\d{4}-\d{2}-\d{2}\.jsonl$/.test(f))
    .sort();
  if (files.length === 0) return null;
  const datasetFile = files[files.length - 1];
  const predictionFile = "ringbuf-2producer-prediction.json";
  const pred = JSON.parse(readFileSync(join(dir, predictionFile), "utf8")) as {
    predicted: { ratio2to1: number; nsPerRunMean: { p1: number; p2: number } };
  };
  const rows = readFileSync(join(dir, datasetFile), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as HostRow);
  const sets: HostRunSet[] = [];
  for (const sched of ["fifo", "other"] as const) {
    const mine = rows.filter((r) => (r.sched ?? "other") === sched);
    if (mine.length === 0) continue;
    // runs are taken in alternating pairs: rb-testrun[-fifo]-p1#i then -p2#i
    const byPair = new Map<string, { p1?: number; p2?: number }>();
    for (const r of mine) {
      const key = r.runId.split("#")[1];
      const e = byPair.get(key) ?? {};
      if (r.loader.producers === 1) e.p1 = r.loader.ns_per_run_mean;
      if (r.loader.producers === 2) e.p2 = r.loader.ns_per_run_mean;
      byPair.set(key, e);
    }
    const measuredRatios = [...byPair.values()].filter((e) => e.p1 && e.p2).map((e) => (2 * e.p1!) / e.p2!);
    if (measuredRatios.length === 0) throw new RangeError(`${datasetFile}: sched ${sched}: no pair of 1- and 2-producer runs`);
    const p1 = mine.filter((r) => r.loader.producers === 1).map((r) => r.loader.ns_per_run_mean);
    const p2rows = mine.filter((r) => r.loader.producers === 2);
    const loads = mine.map((r) => r.loadavg1);
    const m = median(measuredRatios);
    sets.push({
      sched,
      measuredRatios,
      measuredMedian: m,
      measuredMin: Math.min(...measuredRatios),
      measuredMax: Math.max(...measuredRatios),
      nsPerRun: { p1Median: median(p1), p2Median: median(p2rows.map((r) => r.loader.ns_per_run_mean)) },
      coRunning: median(p2rows.map((r) => (Math.max(...r.loader.ns_per_run) * r.loader.repeat) / 1e9 / r.loader.wall_s)),
      loadavg: { min: Math.min(...loads), max: Math.max(...loads) },
      error: pred.predicted.ratio2to1 / m - 1,
    });
  }
  return {
    predictionFile: `validation/data/${predictionFile}`,
    datasetFile: `validation/data/${datasetFile}`,
    predictedRatio: pred.predicted.ratio2to1,
    predictedNsPerRun: pred.predicted.nsPerRunMean,
    sets,
  };
}

const f2 = (x: number) => x.toFixed(2);
const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(0)}%`;

/** The report section: each table side by side with the model, what is met and what is not, and this host's point. */
/** The lines a reservation moves on each contended path, as the report words them, for a table's kernel. */
function linesText(t: PublishedTable): string {
  const rb = ringbufRecordBytes(SELFTEST.sampleBytes);
  const n = (path: 1 | 2) => String(Number(reservationLinesOnPath(SHIPPED_RESERVATION_LINES, path, rb, t.pendingLoop).toFixed(2)));
  return `${n(1)} on the pending path at 2 producers, ${n(2)} on the queued path from 3${t.pendingLoop ? "" : "; a kernel before the pending loop"}`;
}

export function renderRingbufTablesSection(comparisons: TableComparison[], host: HostTwoProducer | null): string {
  const cal = loadCalibration("literature");
  const out: string[] = [];
  out.push("## The ring buffer's reservation lock: `ringbuf-bench` beside the kernel benchmark's tables");
  out.push("");
  out.push(
    "Each table is normalised to its own 1-producer rate. Model: src/kernel/ringbuf.ts (RingbufLock) in `ringbuf-bench`; lines per reservation from " +
      "models/benchmarks/ringbuf-reservation.json (kernel source), transfer times from the table's models/hardware/bench-*.json, the lock's local " +
      "critical section 10 ns (literature calibration), the producer's own ns per record set so that the model's 1-producer rate is the table's. " +
      `Criterion: predicted / published within ±${TOLERANCE * 100}% at each producer count. No constant is tuned per table beyond that normaliser.`,
  );
  for (const c of comparisons) {
    const met = c.rows.filter((r) => r.within).length;
    out.push("");
    out.push(`### ${c.table.id}: ${c.table.machine} (${c.table.lockKind}, ${c.table.hardware})`);
    out.push("");
    out.push(`Source: ${c.table.title}; ${c.table.source}. Producer cost outside the lock: ${c.producerRecordNs.toFixed(1)} ns per record.`);
    if (c.table.note) out.push(`Note: ${c.table.note}`);
    out.push("");
    out.push("| producers | published M/s | published norm. | predicted M/s | predicted norm. | ratio | within ±25% | implied ns per moved line |");
    out.push("|---:|---:|---:|---:|---:|---:|:---:|---:|");
    for (const r of c.rows) {
      out.push(
        `| ${r.producers} | ${r.publishedMps.toFixed(3)} | ${f2(r.publishedNorm)} | ${r.predictedMps.toFixed(3)} | ${f2(r.predictedNorm)} | ${f2(r.ratio)} | ${r.within ? "yes" : "no"} | ${r.impliedLineNs === null ? "" : r.impliedLineNs.toFixed(0)} |`,
      );
    }
    const t = loadHardware(c.table.hardware).cacheLineTransferNs;
    out.push("");
    out.push(
      `Implied ns per moved line: what each line the source counts (${linesText(c.table)}) would have to take ` +
        `for the published rate to be the lock's alone, after the ${cal.constants.ringbufLockHoldNs.value} ns local hold; the profile's idle figures are ` +
        `${t.sameLlc} ns in an LLC and ${t.crossLlc} ns across.`,
    );
    out.push("");
    out.push(
      `${met} of ${c.rows.length} producer counts within ±25%` +
        (c.notModelled.length ? `; not modelled (more producers than the profile's CPUs): ${c.notModelled.join(", ")}` : "") +
        ".",
    );
  }
  out.push("");
  out.push("### What is met and what is not");
  out.push("");
  const all = comparisons.flatMap((c) => c.rows.filter((r) => r.producers > 1));
  out.push(`Over all tables, ${all.filter((r) => r.within).length} of ${all.length} multi-producer points are within ±25%.`);
  out.push("");
  for (const c of comparisons) {
    const multi = c.rows.filter((r) => r.producers > 1);
    const met = multi.filter((r) => r.within).map((r) => r.producers);
    const missed = multi.filter((r) => !r.within);
    const lo = Math.min(...missed.map((r) => r.ratio));
    const hi = Math.max(...missed.map((r) => r.ratio));
    out.push(
      `- ${c.table.id}: met at ${met.length ? met.join(", ") : "none"}; ` +
        (missed.length
          ? `missed at ${missed.map((r) => r.producers).join(", ")} (predicted / published ${lo === hi ? f2(lo) : `${f2(lo)}-${f2(hi)}`})`
          : "nothing missed") +
        ".",
    );
  }
  const cliff = comparisons.find((c) => c.table.id === "T5-epyc");
  const at = (c: TableComparison, n: number) => c.rows.find((r) => r.producers === n);
  if (cliff && at(cliff, 4) && at(cliff, 8)) {
    const p = at(cliff, 8)!.predictedNorm / at(cliff, 4)!.predictedNorm;
    const q = at(cliff, 8)!.publishedNorm / at(cliff, 4)!.publishedNorm;
    out.push(
      `- The EPYC 9654 CCD cliff as a step: rate at 8 producers / rate at 4 (CPUs 1-4 on the consumer's CCD; CPU 8 on the next) ` +
        `published ${f2(q)}, predicted ${f2(p)} (ratio ${f2(p / q)}).`,
    );
  }
  out.push("");
  out.push(
    "Why the misses: per record under contention the published tables imply far more time than the lines counted from the source (on the " +
      "2025 kernels 3 on the pending path, 5 on the queued path) take at the idle core-to-core latencies, on Sapphire Rapids from 2 producers on (about 370 ns per " +
      "record at 2 producers) and on EPYC 9654 once three or more producers queue (predicted rates too high). What the model leaves out is the " +
      "likely rest: transfers under load are slower than the idle ping-pong figures (home-agent queuing when many CPUs hit one line), and " +
      "upgrades of lines read shared (the consumer polls producer_pos and every header). Kunpeng 920 runs on its own measured core-to-core " +
      "latencies (a Kunpeng 920-6426's published matrix: about 35 ns within a die, 80 ns across): its 1 -> 2 step holds, and from 8 producers " +
      "on its predicted rates are too high as on EPYC 9654, so on all three machines with many producers the lines counted take well under the " +
      "time the tables imply. (With the Ice Lake figures it borrowed before, 50 ns for every pair on a die, 11 of its 16 points were within " +
      "±25%: a right answer for a wrong transfer time.) Sapphire Rapids still borrows Ice Lake's 51 ns; no measured Sapphire Rapids matrix was " +
      "at hand. The rate at 1 producer fixes each machine's producer cost, and the comparison is sensitive to it: on the Ryzen the " +
      "producer's own path is ~10 ns, so the 3- and 4-producer points swing with a few ns of it. T2 and T3 ran on a 2023 kernel, before " +
      "the reservation's pending loop (June 2024), so their reservations read no previous header and move that line only when the new " +
      "header is written on it (3 times in 4 for 16-byte records). The line " +
      "counts stay what the source shows; nothing is tuned to close the gap. Where the lock is the bottleneck from 2 producers on and transfers are short (the Ryzen 9 7950X), the shape holds.",
  );
  out.push("");
  out.push("### This host: 1 -> 2 producers, predicted before it was measured");
  out.push("");
  if (host === null) {
    out.push("No dataset yet (validation/data/ringbuf/ringbuf-2producer-<date>.jsonl).");
  } else {
    out.push(
      `Prediction (${host.predictionFile}, committed before the runs): records/s ratio 2 producers / 1 producer = ${f2(host.predictedRatio)} ` +
        `(ns per test-run ${host.predictedNsPerRun.p1} -> ${host.predictedNsPerRun.p2}). Measured: ${host.datasetFile}, ` +
        "`bpfsim-loader --test-run --mode ringbuf --producers 1|2 --repeat 100000 --ringbuf-bytes 67108864` in alternating pairs (thread i pinned to CPU i, no consumer).",
    );
    out.push("");
    out.push("| runs | pairs | ratio median (min-max) | ns per test-run, 1 / 2 producers (median) | producers co-running | load average | prediction off by |");
    out.push("|---|---:|---|---|---:|---|---:|");
    for (const s of host.sets) {
      const inside = host.predictedRatio >= s.measuredMin && host.predictedRatio <= s.measuredMax;
      out.push(
        `| ${s.sched === "fifo" ? "SCHED_FIFO (chrt -f 10)" : "plain"} | ${s.measuredRatios.length} | ${f2(s.measuredMedian)} (${f2(s.measuredMin)}-${f2(s.measuredMax)}) | ` +
          `${s.nsPerRun.p1Median.toFixed(0)} / ${s.nsPerRun.p2Median.toFixed(0)} | ${(s.coRunning * 100).toFixed(0)}% | ${s.loadavg.min}-${s.loadavg.max} | ` +
          `${pct(s.error)}${inside ? " (inside the range)" : " (outside the range)"} |`,
      );
    }
    out.push("");
    out.push(
      "Reading: other work shared the 2 vCPUs (load average above 2), so in the plain runs the two producers often did not run at the same time " +
        "(co-running = the busier producer's test-run time over the run's wall time); under SCHED_FIFO they did throughout, and that set is the test " +
        "of the prediction. Contention added only ~" +
        (host.sets[0] ? `${(host.sets[0].nsPerRun.p2Median - host.sets[0].nsPerRun.p1Median).toFixed(0)} ns` : "?") +
        " per test-run, where the model charges the lock three line transfers of 60 ns (the dev-kvm-2vcpu profile's) on top " +
        "of a hold the calibration had already fitted as an effective hold on this host. The transfers themselves are not short: bpf/tools/c2c.c " +
        "measured this guest's at 41-65 ns or 208-258 ns one way, by where the host had put the two vCPUs (the profile's source). So the small " +
        "contention more likely says that the two producers' reservations rarely met at the lock (each test-run's own work spaces them), " +
        "where the model's identical producers fall into step. The 1-producer cost was also above the calibration's (262 ns on 2026-11-25), " +
        "a sign of a busier host.",
    );
  }
  return out.join("\n");
}
