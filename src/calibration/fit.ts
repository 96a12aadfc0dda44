/**
 * Fits bpfsim's cost constants (CALIBRATION_CONSTANTS, src/models/types.ts) to one dataset of
 * `bpfsim measure`. What each constant comes from (medians over repetitions):
 *  - bpfProgramNs       test-run, mode none, 1 producer.
 *  - perfOutputNs       perf with a watermark larger than the run (no wakeup ever), no consumer,
 *                       minus none.
 *  - ringbufLockHoldNs  ringbuf (no consumer: only the first record notifies) at 1..nproc
 *                       producers, each minus the perf-watermark growth with producers (the
 *                       part of the slow-down that is not the lock), fitted with the
 *                       finite-source queue (repairman.ts): the effective hold under contention.
 *  - ringbufOutputNs    ringbuf, 1 producer, no consumer, minus none, minus the literature
 *                       uncontended hold (the data cannot separate it at one producer).
 *  - irqWorkNs          perf wakeup_events=1 minus perf watermark, no consumer: every record
 *                       queues irq_work (self-IPI) but no task waits.
 *  - wakeupNs           perf wakeup_events=1 with a live consumer minus without: waking the
 *                       reader (wake_up_all -> ep_poll_callback -> try_to_wake_up).
 *  - perfLostOutputNs, ringbufLostOutputNs
 *                       with a lost-output dataset (`bpfsim measure --lost`, FitOptions.lost):
 *                       an output into a full ring over the same output stored, measured in one
 *                       sitting (each minus mode none; the ring buffer's also minus the literature
 *                       hold, as it still takes the lock), times perfOutputNs / ringbufOutputNs.
 *                       Without one, the literature's.
 *  - consumeNs          CPU per record of draining a full buffer after a test run without
 *                       consumer (perf watermark, ringbuf): pure consume cost.
 *  - contextSwitchNs    regression over the fitting throughput runs:
 *                       reader CPU − consumeNs·records = c · (context switches of the reader),
 *                       where c is the reader's CPU per sleep/wake cycle. The node model charges
 *                       such a cycle as two switches (out and in) and two epoll_wait calls (the one
 *                       that sleeps and the one that returns events), so contextSwitchNs =
 *                       c / 2 − epollWaitNs, with epollWaitNs from the literature.
 *  - softirqNsPerByte   baseline-like throughput runs (program in mode none, whose counters
 *                       give the skb count): (system+softirq+irq CPU − skbs·softirqNsPerSkb −
 *                       hook runs·bpfProgramNs) / bytes; softirqNsPerSkb stays literature.
 * Everything else is copied from the literature file. Throughput runs not used (other
 * configurations, later repetitions, runs that started on a busy machine) are listed as heldOut,
 * for validation of the model against this host.
 */
import { CALIBRATION_CONSTANTS, type CalibratedConstant, type CalibrationFile, type CalibrationConstantName } from "../models/types.ts";
import type { DatasetRow, MicrobenchRow, ThroughputRow } from "../measure/jsonl.ts";
import { linearLeastSquares } from "./optimise.ts";
import { fitLockHold } from "./repairman.ts";
import { mad, median } from "./stats.ts";

export interface FitOptions {
  /** Path of the dataset, as cited in `source`. */
  datasetPath: string;
  literature: CalibrationFile;
  /** Throughput configurations whose repetitions < fitReps are used for fitting. */
  fitConfigs?: string[];
  /** @defaultValue 3 */
  fitReps?: number;
  command?: string;
  date?: string;
  /**
   * A lost-output dataset (`bpfsim measure --lost`: micro-lost-* runs) and its path: fits
   * perfLostOutputNs and ringbufLostOutputNs (fitLostOutputs). Omitted: both from the literature.
   */
  lost?: { rows: DatasetRow[]; path: string };
}

export type FittedCalibration = CalibrationFile & { heldOut: string[] };

export const DEFAULT_FIT_CONFIGS = ["tp-baseline", "tp-none", "tp-perf", "tp-ringbuf"];

function micro(rows: DatasetRow[], id: string): MicrobenchRow[] {
  return rows.filter((r): r is MicrobenchRow => r.kind === "microbench" && r.configId === id);
}

function medianNs(rows: DatasetRow[], id: string): { value: number; runs: string[]; spread: number } {
  const rs = micro(rows, id);
  if (rs.length === 0) throw new Error(`dataset has no microbench rows for ${id}`);
  const xs = rs.map((r) => r.loader.ns_per_run_mean);
  return { value: median(xs), runs: rs.map((r) => r.runId), spread: mad(xs) };
}

const round = (x: number, digits = 3) => Number(x.toPrecision(digits + 2));

export function fitCalibration(rows: DatasetRow[], o: FitOptions): FittedCalibration {
  const src = o.datasetPath;
  const lit = o.literature.constants;
  const out = {} as Record<CalibrationConstantName, CalibratedConstant>;
  const fromLit = (name: CalibrationConstantName, note?: string): CalibratedConstant => {
    const l = lit[name];
    if (!l) throw new Error(`literature file lacks ${name}`);
    return { ...l, method: "literature", source: note ? `${l.source} (${note})` : l.source };
  };
  const hostClass = rows[0]?.hostClass ?? "unknown";
  const host = rows.find((r) => r.host)?.host;
  const nproc = host?.nproc ?? Math.max(...rows.filter((r) => r.kind === "microbench").map((r) => (r as MicrobenchRow).config.producers));

  // --- microbenchmarks ---
  const none = medianNs(rows, "micro-none-p1");
  out.bpfProgramNs = {
    value: round(none.value),
    unit: "ns",
    method: "measured",
    source: `${src}: BPF_PROG_TEST_RUN of endpoint_ingress, output mode none, 1 producer, median of ${none.runs.length} (MAD ${round(none.spread)} ns)`,
    runs: none.runs,
  };
  const perfWm = medianNs(rows, "micro-perf-wm-p1-nc");
  out.perfOutputNs = {
    value: round(Math.max(0, perfWm.value - none.value)),
    unit: "ns",
    method: "measured",
    source: `${src}: test-run perf (wakeup_watermark above the run's bytes: no wakeups), 1 producer, no consumer, minus mode none; medians ${round(perfWm.value)} - ${round(none.value)} ns`,
    runs: [...perfWm.runs, ...none.runs],
  };

  const rb1 = medianNs(rows, "micro-ringbuf-default-p1-nc");
  const points: { producers: number; cycleNs: number }[] = [];
  const lockRuns: string[] = [];
  for (let p = 1; p <= nproc; p++) {
    const rb = micro(rows, `micro-ringbuf-default-p${p}-nc`);
    const pf = micro(rows, `micro-perf-wm-p${p}-nc`);
    if (rb.length === 0 || pf.length === 0) continue;
    const interference = median(pf.map((r) => r.loader.ns_per_run_mean)) - perfWm.value;
    points.push({ producers: p, cycleNs: median(rb.map((r) => r.loader.ns_per_run_mean)) - (p === 1 ? 0 : interference) });
    lockRuns.push(...rb.map((r) => r.runId), ...pf.map((r) => r.runId));
  }
  const litHold = lit.ringbufLockHoldNs?.value ?? 0;
  if (points.length >= 2) {
    const lf = fitLockHold(points, { uncontendedHoldNs: litHold });
    out.ringbufLockHoldNs = {
      value: round(lf.holdNs),
      unit: "ns",
      method: "fitted",
      source:
        `${src}: finite-source (machine-repairman) MVA fit of ringbuf test-run cycle times at ${points.map((p) => p.producers).join(",")} producers ` +
        `(no consumer; the perf-watermark growth with producers subtracted as non-lock interference), cycles ${points.map((p) => round(p.cycleNs)).join(" / ")} ns, ` +
        `think time fixed at T(1) - ${litHold} ns (literature uncontended hold). This is the EFFECTIVE hold under contention on this host: it includes moving the ` +
        `lock word, producer_pos and the header lines between CPUs on every reservation, so it is an upper bound of the cache-hot uncontended hold` +
        (lf.points < 2 ? `; only ${lf.points} contended point (nproc = ${nproc}), so the residual says nothing about the model` : ""),
      residual: round(lf.relRms),
      runs: lockRuns,
    };
  } else {
    out.ringbufLockHoldNs = fromLit("ringbufLockHoldNs", "TODO: needs test runs at >= 2 producers");
  }
  out.ringbufOutputNs = {
    value: round(Math.max(0, rb1.value - none.value - litHold)),
    unit: "ns",
    method: "measured",
    source: `${src}: test-run ringbuf, 1 producer, no consumer (one notification in the whole run), minus mode none (${round(rb1.value)} - ${round(none.value)} ns), minus the literature uncontended lock hold (${litHold} ns)`,
    runs: [...rb1.runs, ...none.runs],
  };

  if (o.lost !== undefined) {
    const l = fitLostOutputs(o.lost.rows, {
      perfOutputNs: out.perfOutputNs.value,
      ringbufOutputNs: out.ringbufOutputNs.value,
      holdNs: litHold,
      path: o.lost.path,
    });
    out.perfLostOutputNs = l.perfLostOutputNs;
    out.ringbufLostOutputNs = l.ringbufLostOutputNs;
  }

  const perfWe = medianNs(rows, "micro-perf-we1-p1-nc");
  out.irqWorkNs = {
    value: round(Math.max(0, perfWe.value - perfWm.value)),
    unit: "ns",
    method: "measured",
    source: `${src}: test-run perf wakeup_events=1 minus watermark, 1 producer, no consumer (${round(perfWe.value)} - ${round(perfWm.value)} ns): irq_work_queue + self-IPI + perf_pending_irq with no waiter; measured in a VM, so it includes this host's VM exits (do not add vmExitNs on top for this host class)`,
    runs: [...perfWe.runs, ...perfWm.runs],
  };
  const perfWeC = medianNs(rows, "micro-perf-we1-p1-c");
  out.wakeupNs = {
    value: round(Math.max(0, perfWeC.value - perfWe.value)),
    unit: "ns",
    method: "measured",
    source: `${src}: test-run perf wakeup_events=1 with a live consumer minus without (${round(perfWeC.value)} - ${round(perfWe.value)} ns): wake_up_all -> ep_poll_callback -> try_to_wake_up of the reader on the other CPU (VM: includes the IPI's exits)`,
    runs: [...perfWeC.runs, ...perfWe.runs],
  };

  const drainRows = rows.filter(
    (r): r is MicrobenchRow =>
      r.kind === "microbench" &&
      /^micro-(perf-wm|ringbuf-default|ringbuf-nowakeup)-p\d+-nc$/.test(r.configId) &&
      r.loader.records > 0 &&
      Number(r.loader.drain_cpu_s) > 0,
  );
  if (drainRows.length > 0) {
    const per = drainRows.map((r) => (Number(r.loader.drain_cpu_s) * 1e9) / r.loader.records);
    out.consumeNs = {
      value: round(median(per)),
      unit: "ns",
      method: "measured",
      source: `${src}: CPU time (CLOCK_THREAD_CPUTIME_ID) of draining a full perf ring / ring buffer after the producers stopped, per record (libbpf perf_buffer__consume / ring_buffer__consume with a counting callback); median of ${per.length} (MAD ${round(mad(per))} ns)`,
      residual: round(mad(per) / median(per)),
      runs: drainRows.map((r) => r.runId),
    };
  } else {
    out.consumeNs = fromLit("consumeNs", "TODO: no drain measurements in the dataset");
  }

  // --- throughput runs ---
  const fitConfigs = new Set(o.fitConfigs ?? DEFAULT_FIT_CONFIGS);
  const fitReps = o.fitReps ?? 3;
  const tput = rows.filter((r): r is ThroughputRow => r.kind === "throughput");
  // Runs that started on a busy machine (preRun.quiet false) are never fitted.
  const used = tput.filter((r) => fitConfigs.has(r.configId) && r.rep < fitReps && r.preRun?.quiet !== false);
  const heldOut = tput.filter((r) => !used.includes(r)).map((r) => r.runId);

  const readerRuns = used.filter((r) => r.loader && r.loader.records > 0 && typeof r.loader.reader_cpu_s === "number");
  if (readerRuns.length >= 2) {
    const X = readerRuns.map((r) => [Number(r.loader!.voluntary_ctxt_switches) + Number(r.loader!.involuntary_ctxt_switches)]);
    const y = readerRuns.map((r) => Number(r.loader!.reader_cpu_s) * 1e9 - out.consumeNs.value * r.loader!.records);
    const fit = linearLeastSquares(X, y, { nonNegative: true });
    const epollNs = lit.epollWaitNs.value;
    const cycle = fit.coef[0]!;
    out.contextSwitchNs = {
      value: round(Math.max(0, cycle / 2 - epollNs)),
      unit: "ns",
      method: "fitted",
      source: `${src}: least squares over throughput runs, reader CPU - consumeNs x records = c x reader context switches, c = ${round(cycle)} ns per sleep/wake cycle; the model charges a cycle as 2 switches + 2 epoll_wait calls, so contextSwitchNs = c/2 - epollWaitNs (${epollNs} ns, literature)`,
      residual: round(fit.relRms),
      runs: readerRuns.map((r) => r.runId),
    };
  } else {
    out.contextSwitchNs = fromLit("contextSwitchNs", "TODO: no throughput runs with a reader");
  }

  out.softirqNsPerSkb = fromLit("softirqNsPerSkb", "one operating point (veth, TSO-sized skbs) cannot separate per-skb from per-byte cost");
  const kernRuns = used.filter((r) => r.configId === "tp-none" && r.loader && Number(r.loader.seen) > 0);
  if (kernRuns.length > 0) {
    const perSkb = out.softirqNsPerSkb.value;
    const per = kernRuns.map((r) => {
      const ticks = r.procStat.cpu.system + r.procStat.cpu.softirq + r.procStat.cpu.irq;
      const kernelNs = (ticks / r.userHz) * 1e9;
      const hookRuns = Number(r.loader!.seen);
      const skbs = hookRuns / 2; // every skb crosses two hooks (one on each veth end)
      return (kernelNs - skbs * perSkb - hookRuns * out.bpfProgramNs.value) / r.iperf.bytes;
    });
    const v = median(per);
    out.softirqNsPerByte = {
      value: round(Math.max(0, v)),
      unit: "ns/byte",
      method: "fitted",
      source: `${src}: /proc/stat system+softirq+irq time over iperf3 runs with the program in mode none, minus skbs x softirqNsPerSkb (literature) and hook runs x bpfProgramNs, per byte received; veth between namespaces, so it also holds the sender's TCP path and both user copies (no NIC)`,
      residual: round(mad(per) / Math.abs(v || 1)),
      runs: kernRuns.map((r) => r.runId),
    };
  } else {
    out.softirqNsPerByte = fromLit("softirqNsPerByte", "TODO: no mode-none throughput runs");
  }

  for (const name of CALIBRATION_CONSTANTS) if (!out[name]) out[name] = fromLit(name, "not measurable by the bpf/ harness");

  const ordered = Object.fromEntries(CALIBRATION_CONSTANTS.map((n) => [n, out[n]])) as Record<CalibrationConstantName, CalibratedConstant>;
  return {
    hostClass,
    description: `Cost constants measured and fitted on ${hostClass} (${host?.cpuModel ?? "unknown CPU"}, kernel ${host?.kernel ?? "?"}, ${nproc} vCPUs) with bpfsim's own TC parser (bpf/); the rest copied from models/calibration/literature.json.`,
    provenance: {
      command: o.command ?? `bpfsim calibrate --data ${src}`,
      date: o.date ?? new Date().toISOString().slice(0, 10),
      datasets: { throughput: [src], wakeups: [], ...(o.lost !== undefined ? { lost: [o.lost.path] } : {}) },
      host: host as Record<string, unknown> | undefined,
    },
    constants: ordered,
    heldOut,
  };
}

/** The output costs fitLostOutputs scales, and the dataset path its sources cite. */
export interface StoredOutputCosts {
  perfOutputNs: number;
  ringbufOutputNs: number;
  /** The uncontended ring buffer lock hold taken out of both ring buffer figures (the literature's). */
  holdNs: number;
  path: string;
}

/**
 * What an output costs when its ring is full, from a lost-output dataset (`bpfsim measure --lost`,
 * 1 producer): the full ring's extra ns per program run over mode none, as a share of the stored
 * output's measured in the same sitting, times the stored output's calibrated cost. A ratio taken in
 * one sitting, because this machine drifts between sittings.
 *  - perf: `perf_output_begin` reads data_tail, finds no room and counts the loss (rb->lost,
 *    event->lost_samples): no copy, and no wakeup (wakeup_events counts only stored samples).
 *  - ring buffer: `__bpf_ringbuf_reserve` still takes the lock and reads the positions, then fails:
 *    no copy, no commit, no notification. The lock is the lock model's; this is the rest.
 */
export function fitLostOutputs(
  rows: DatasetRow[],
  c: StoredOutputCosts,
): Pick<Record<CalibrationConstantName, CalibratedConstant>, "perfLostOutputNs" | "ringbufLostOutputNs"> {
  const none = medianNs(rows, "micro-lost-none-p1");
  const fit = (mode: "perf" | "ringbuf", storedNs: number, hold: number): CalibratedConstant => {
    const stored = medianNs(rows, `micro-lost-${mode}-stored-p1`);
    const full = medianNs(rows, `micro-lost-${mode}-full-p1`);
    const storedExtra = stored.value - none.value - hold;
    const fullExtra = full.value - none.value - hold;
    if (!(storedExtra > 0)) {
      throw new Error(
        `${c.path}: micro-lost-${mode}-stored-p1 = ${round(stored.value)} ns is not above mode none (${round(none.value)} ns) plus ${hold} ns: the stored output has no cost to scale by`,
      );
    }
    const share = Math.max(0, fullExtra) / storedExtra;
    const name = mode === "perf" ? "perfOutputNs" : "ringbufOutputNs";
    return {
      value: round(share * storedNs),
      unit: "ns",
      method: "measured",
      source:
        `${c.path}: test-run ${mode}, 1 producer, no consumer, into the smallest ring (all but the first ~30 outputs lost) against a ring too big to fill, ` +
        `in one sitting: medians ${round(full.value)} and ${round(stored.value)} ns per run, mode none ${round(none.value)} ns` +
        (hold > 0 ? `, each less the literature lock hold (${hold} ns)` : "") +
        `: a lost output costs ${round(share, 2)} of a stored one, times ${name} (${round(storedNs)} ns)`,
      residual: round(Math.max(full.spread, stored.spread) / storedExtra),
      runs: [...full.runs, ...stored.runs, ...none.runs],
    };
  };
  return { perfLostOutputNs: fit("perf", c.perfOutputNs, 0), ringbufLostOutputNs: fit("ringbuf", c.ringbufOutputNs, c.holdNs) };
}
