/**
 * Fidelity pins: the figures README.md quotes under "Where it stands (measured, honestly)", recomputed
 * here with the library functions (never read from validation/REPORT.md) and held to the README's
 * own rounding. A model change that moves one of them fails this file until README.md (and the
 * report) say the new figure: update the constant below together with the README line it names.
 *
 * Settings are the report's (src/validation/report.ts OPTS: seed 1, 5 replications of 0.22 s, 20 ms
 * warm-up), which is what the README's figures were taken from; same seed, same bits, so the
 * tolerances are the quoted rounding (half the last quoted digit), not a noise allowance.
 *
 * Left out because they need the band over the unknowns or the ablation (minutes on 2 cores): the
 * README table's "band over the unknowns" and "joint band" columns, "only the 4-core row's published
 * value lies inside its band, joint or not", and the ablation's "+13.0 of its +9.3 pp; ksoftirqd +3.2". test/validation/report.test.ts
 * regenerates the whole report (band and ablation included) in `npm test`.
 *
 * Cost on this project's 2-core machine (shared with other jobs): reproduce without the band ~10-23 s,
 * the 9 held-out configurations ~10-19 s, two wakeup simulations ~4 s, the ring buffer tables ~4 s.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { reproduce, type ReproduceResult } from "../../src/validation/reproduce.ts";
import { validateMeasured, type MeasuredValidation } from "../../src/validation/measured.ts";
import { readFittedCalibration } from "../../src/validation/held-out.ts";
import { compareHeldOutDataset, readerLatencyEvidence, readerSplitEvidence, readHeldOutDatasetList, shapeGoals } from "../../src/validation/report-data.ts";
import { compareRingbufTables, hostTwoProducer, TOLERANCE, type TableComparison } from "../../src/validation/ringbuf-tables.ts";
import { readDataset } from "../../src/measure/jsonl.ts";
import { summarise } from "../../src/measure/summary.ts";
import type { DatasetRow } from "../../src/measure/jsonl.ts";
import { median } from "../../src/engine/robust-stats.ts";
import { simulatedWakeupRatio, wakeupRatios } from "../../src/calibration/wakeup-fit.ts";
import { fitEventpollEras } from "../../src/calibration/eventpoll-fit.ts";
import { fitSchedLockLaw } from "../../src/calibration/go-runtime-fit.ts";
import { EVENTPOLL_LOCK, GO_RUNTIME } from "../../src/models/mechanisms.ts";
import { PACKAGE_ROOT } from "../../src/models/paths.ts";
import { findRow } from "../../src/validation/report-rows.ts";
import { loadCalibration } from "../../src/models/load.ts";
import { delayPoints } from "../../src/calibration/delay-response.ts";
import { windowCheck } from "../../src/validation/window-check.ts";
import { atCommonFlows, requiredFlowsTable } from "../../src/validation/required-flows.ts";
import { EVENT_RATES_NODE } from "../../src/validation/seed.ts";

// ---------------------------------------------------------------------------------------------------
// The quoted figures. Each names the README.md line it comes from ("Where it stands", as of 8e8ac01).
// ---------------------------------------------------------------------------------------------------

/** README.md table "| row | published | predicted | band over the unknowns |": predicted overhead, %. */
const README_ROW_PREDICTED_PCT = {
  "4 cores": 0.0, // "| 4 cores | 0% | 0.0% (ok) | 0.0-0.0 |"
  "16 cores": 10.3, // "| 16 cores | 14% | 10.3% (ok) | 8.4-13.6 |"
  "32 cores, default (CPU limit)": 19.6, // "| 32 cores, default (CPU limit) | 44% / 43% | 19.6% | 5.4-23.5 |"
  "64 cores": 17.2, // "| 64 cores | ~50% | 17.2% | 4.0-19.8 |"
  "32 cores, no CPU limits": 27.3, // "| 32 cores, no CPU limits | 53% | 27.3% | 10.2-31.0 |"
  "32 cores, reader pinned": 23.7, // "| 32 cores, reader pinned | 35% | 23.7% | 6.1-27.7 |"
  "32 cores, ring buffer": 5.4, // "| 32 cores, ring buffer | 7.5% | 5.4% (ok) | 2.6-6.2 |"
} as const;
/** Quoted to 0.1 pp: the recomputed figure must round to it. */
const ROW_TOL_PP = 0.05;

/** "3 of 8 counted rows are within 5 pp (before the many-core work: 2), mean |error| 15.4 pp (24.7)." */
const README_COUNTED_ROWS = 8;
const README_WITHIN_5PP = 3;
const README_MEAN_ABS_ERROR_PP = 15.4;
const MEAN_ERR_TOL_PP = 0.05;
/** "the 32-core rows miss by 11-26 pp" (whole pp: rounding tolerance 0.5 pp). */
const README_32_CORE_MISS_PP = { min: 11, max: 26 };
const MISS_TOL_PP = 0.5;
/**
 * "the limited agent now keeps up with more of its records (at 32 cores it loses 29% of them)";
 * "There the model emits 145k records/s and wakes the reader for 0.95 of them, losing 5%" (the
 * 16-vCPU node of the study's bpftrace run).
 */
const README_LOST_SHARE_32 = 0.29;
const README_RATES_NODE = { recordsPerS: 145_000, wakeupsPerRecord: 0.95, lostShare: 0.05 };
/** "Per record, that node's published overhead ... is 2.1x the model's ...: the factor the 32-core default row asks for (2.2)". */
const README_PER_RECORD_FACTOR = { ratesNode: 2.1, default32: 2.2 };

/**
 * "median throughput baseline 20.6 Gb/s (18.6–23.7), perf array 11.2 Gb/s (10.6–12.9), ring buffer
 * 13.9 Gb/s (13.3–16.8)": the dataset's tp-baseline, tp-perf and tp-ringbuf runs, median (min-max).
 * Quoted to 0.1 Gb/s; the ring buffer's 13.95 median is quoted as 13.9 (rounded down), so the tolerance
 * is half the last digit plus float slack.
 */
const README_OWN_HARDWARE_GBPS = {
  "tp-baseline": { median: 20.6, min: 18.6, max: 23.7 },
  "tp-perf": { median: 11.2, min: 10.6, max: 12.9 },
  "tp-ringbuf": { median: 13.9, min: 13.3, max: 16.8 },
} as const;
const GBPS_TOL = 0.05 + 1e-3;

/**
 * "every perf record gets its own wakeup (1.000 per record) and the ring buffer notifies for 0.23 of
 * its records; the model, calibrated on part of these runs, gives 1.000 and 0.15": measured medians
 * of tpw-perf and tpw-ringbuf in the wakeups dataset, and the model's ratio for each.
 */
const README_WAKEUPS_PER_RECORD = { "tpw-perf": 1.0, "tpw-ringbuf": 0.23 } as const;
const WAKEUP_MEASURED_TOL = { "tpw-perf": 0.0005, "tpw-ringbuf": 0.005 } as const; // quoted to 3 and 2 decimals
const README_WAKEUPS_MODEL = { "tpw-perf": 1.0, "tpw-ringbuf": 0.15 } as const;
const WAKEUP_MODEL_TOL = { "tpw-perf": 0.0005, "tpw-ringbuf": 0.005 } as const;

/**
 * "On the calibration's own dataset 6 of 9 held-out configurations land inside their measured min–max (mean error 10.6%)."
 */
const README_HELD_OUT = 9;
const README_HELD_OUT_INSIDE = 6;
const README_HELD_OUT_MEAN_ERROR_PCT = 10.6;
/**
 * "Repeated on a quiet machine ...: iperf3 -P 2 over loopback ... 10 of 12 configurations inside (83%,
 * mean error 8.3%: goal met), veth 10 of 12 (83%, mean error 11.2%: goal met)."
 */
/**
 * "a perf reader limited to 0.25 CPU lost 26% of its records and cost the node less throughput than the
 * same reader unlimited (19.4% against 32.5% over veth, 27.8% against 42.7% over loopback ...), where the
 * model's reader keeps up there and loses 0-1%": measured overheads of each campaign's perf-limit025 and
 * unlimited perf configurations, the limited one's lost share, and the model's.
 */
const README_LOSS_EVIDENCE = {
  "validation/data/kvm-2vcpu-amd-epyc-2026-12-02-heldout-veth.jsonl": { limited: "tp-perf-limit025", unlimited: "tp-perf", pct: [19.4, 32.5] },
  "validation/data/kvm-2vcpu-amd-epyc-2026-12-02-heldout-lo-p2.jsonl": { limited: "tp-lo-p2-perf-limit025", unlimited: "tp-lo-p2-perf", pct: [27.8, 42.7] },
} as const;
const README_LOSS_LOST = 0.26;
const README_LOSS_MODEL_MAX = 0.01;
/** "the limited reader delivering about the same ~140k records/s on the 16-, 32- and 64-core nodes" (within 10% of 140k). */
const README_DELIVERED_PER_S = 140_000;
/** "each row's published overhead is reached with 1 to 7 window-limited flows. With 2 flows for every row, 4 of 8 rows are within 5 pp (mean |error| 8.1 pp ...) ... 16 cores overshoot (39% against 14%) and the 32-core perf rows tie (50.6-50.8%)" */
const README_FLOWS = { range: [1, 7], common: 2, within: 4, meanErrPp: 8.1, sixteen: 39, perf32: [50.6, 50.8] };
/** "To lose nothing at 32 and 64 cores, the study's agent would need 1.4-1.8 times the records per CPU-second that the model gives it (its records output over those delivered)." */
const README_KEEP_UP_FACTOR = { 32: 1.4, 64: 1.8 } as const;

const README_CAMPAIGNS = {
  "validation/data/kvm-2vcpu-amd-epyc-2026-12-02-heldout-veth.jsonl": { configurations: 12, inside: 10, meanErrorPct: 11.2, goalMet: true },
  "validation/data/kvm-2vcpu-amd-epyc-2026-12-02-heldout-lo-p2.jsonl": { configurations: 12, inside: 10, meanErrorPct: 8.3, goalMet: true },
} as const;
/**
 * "A CPU-limit sweep ... puts 9 of its 10 configurations inside: at 0.1 CPU the perf reader lost 46% of
 * its records (model 49%) and the node lost 21.7% of its throughput against 31.6% unlimited (model
 * 24.1%) ... the ring buffer at 0.1 CPU (2.9% measured, 10.6% predicted) ... throttled less (0.45 of
 * the time against 0.77)", and veth pooled "19 of 22".
 */
const README_SWEEP = {
  file: "validation/data/kvm-2vcpu-amd-epyc-2026-12-02-limits-veth.jsonl",
  configurations: 10,
  inside: 9,
  perf010: { lost: 0.46, modelLost: 0.49, pct: 21.7, unlimitedPct: 31.6, modelPct: 24.1 },
  ringbuf010: { pct: 2.9, modelPct: 10.6, throttled: 0.77, modelThrottled: 0.45 },
  vethPooled: { inside: 19, n: 22 },
} as const;
/**
 * "the measured readers were throttled for 0.42-0.48 of each run (cgroup cpu.stat), perf and ring buffer
 * alike on both shapes; the model throttles only the veth perf reader (0.23)": the four *-limit025
 * configurations of the two campaigns, measured medians and the model's throttled share.
 */
/**
 * "the perf reader spends 501 ns of user time and 3044 ns of system time per record, the ring buffer
 * reader 207 and 2118, at about 0.2 sleeps per record each": `bpfsim measure --summarise` of the
 * reader-split dataset (medians, whole ns).
 */
const README_READER_SPLIT = {
  file: "validation/data/reader-split/kvm-2vcpu-amd-epyc-2026-12-02-quick.jsonl",
  "tp-perf": { user: 501, sys: 3044 },
  "tp-ringbuf": { user: 207, sys: 2118 },
} as const;
/** "the model's interrupt time billed per record exceeds the ring buffer reader's by about 1.8 us" (veth campaign). */
const README_STRETCH_GAP_US = 1.8;
const README_THROTTLED = { measured: { min: 0.42, max: 0.48 }, vethPerfModel: 0.23, othersModel: 0 } as const;
const SHARE_TOL = 0.005;
const HELD_OUT_ERR_TOL_PCT = 0.05;
/**
 * "unlimited, its perf reader is billed 0.34 cores (the model now 0.32; ...), so under a 0.25-CPU limit it
 * sits at the limit and its perf rings lose 26% of the records. The model's limited reader now reaches
 * the limit too, but loses about 1%": the veth campaign's tp-perf and tp-perf-limit025 (loader
 * reader_cpu_s / duration_s and failed / (emitted + failed), medians; the model's agentCpuBilledCores
 * and lost / outputs). "0.20" (the model before this change) is history and not recomputed.
 */
const README_READER = {
  file: "validation/data/kvm-2vcpu-amd-epyc-2026-12-02-heldout-veth.jsonl",
  perfCores: { measured: 0.34, model: 0.32 },
  limit025: { cpuLimit: 0.25, measuredLost: 0.26, modelLost: 0.01 },
} as const;
const CORES_TOL = 0.005;

/**
 * "14 of 70 multi-producer points within ±25% (the EPYC CCD cliff and the 1-to-2 step on EPYC and
 * Kunpeng are reproduced; Sapphire Rapids' drop at 2 producers is not ...). On this host the 1-to-2
 * producer ratio was predicted at 1.21 before it was measured and came out 1.77-1.81."
 */
const README_RINGBUF_POINTS = 70;
const README_RINGBUF_WITHIN = 14;
const README_HOST_PREDICTED_RATIO = 1.21;
const README_HOST_MEASURED_RATIO = { min: 1.77, max: 1.81 };
const RATIO_TOL = 0.005;

/**
 * "fitted on the stress-epoll tables M1/M2 within 2-15%": the relative RMS error of each kernel era's
 * fit (src/calibration/eventpoll-fit.ts), best 2%, worst 15% (whole percent: tolerance 0.5%).
 */
const README_EVENTPOLL_REL_RMS_PCT = { min: 2, max: 15 };
const EVENTPOLL_TOL_PCT = 0.5;
/**
 * "(agent/go-runtime.ts, fitted on golang/go#67585, M4)": README quotes no figure; the law it refers
 * to is validation/REPORT.md's "share(P) = exp(-6.525 + 0.0624 P)" (many-core mechanisms table), and
 * test/calibration/go-runtime-fit.test.ts holds the fit to the table within 6% (log error).
 */
const REPORT_GO_LAW = { a: -6.525, b: 0.0624 };
const GO_LAW_TOL = { a: 0.0005, b: 0.00005 };
const GO_MAX_LOG_ERROR = 0.06;

// ---------------------------------------------------------------------------------------------------

const SIM = { seed: 1, replications: 5, durationS: 0.22, warmupS: 0.02 };
const DATA = join(PACKAGE_ROOT, "validation", "data");
const MEASURED_CAL = join(PACKAGE_ROOT, "models", "calibration", "kvm-2vcpu-amd-epyc.json");
const DATASET = join(DATA, "kvm-2vcpu-amd-epyc-2026-11-25.jsonl");
const WAKEUP_DATASET = join(DATA, "kvm-2vcpu-amd-epyc-2026-11-25-wakeups.jsonl");

/** The README's row labels, as reproduce's (table, label) of the reduction_pct row. */
const ROW_OF: Record<keyof typeof README_ROW_PREDICTED_PCT, { table: RegExp; label: RegExp }> = {
  "4 cores": { table: /by core count/, label: /^4 cores$/ },
  "16 cores": { table: /by core count/, label: /^16 cores$/ },
  "32 cores, default (CPU limit)": { table: /32-core scenarios/, label: /default/ },
  "64 cores": { table: /by core count/, label: /^64 cores$/ },
  "32 cores, no CPU limits": { table: /32-core scenarios/, label: /no CPU limits/ },
  "32 cores, reader pinned": { table: /32-core scenarios/, label: /pinned/ },
  "32 cores, ring buffer": { table: /32-core scenarios/, label: /ring buffer/ },
};

describe("fidelity: the field study (README 'Where it stands', first item)", () => {
  let rep: ReproduceResult;
  beforeAll(() => {
    rep = reproduce({ ...SIM });
  }, 180_000);
  it("what a window-limited receiver would need, as README quotes it (the report's short settings)", () => {
    const short = { seed: 1, replications: 2, durationS: 0.22, warmupS: 0.02 };
    const rows = requiredFlowsTable(rep, short);
    const flows = rows.filter((r) => r.status === "found").map((r) => r.flows!);
    expect([Math.min(...flows), Math.max(...flows)]).toEqual(README_FLOWS.range);
    const common = atCommonFlows(rep, README_FLOWS.common, short);
    const within = common.filter((r) => Math.abs(r.predictedPct - r.published) <= 5).length;
    const mean = common.reduce((a, r) => a + Math.abs(r.predictedPct - r.published), 0) / common.length;
    expect(within).toBe(README_FLOWS.within);
    expect(Math.round(mean * 10) / 10).toBe(README_FLOWS.meanErrPp);
    const at = (label: string) => common.find((r) => r.label === label)!.predictedPct;
    expect(Math.round(at("16 cores"))).toBe(README_FLOWS.sixteen);
    const perf32 = common.filter((r) => /32-core/.test(r.table) && /perf array/.test(r.label)).map((r) => Math.round(r.predictedPct * 10) / 10);
    expect([Math.min(...perf32), Math.max(...perf32)]).toEqual(README_FLOWS.perf32);
  }, 120_000);

  it("the limited reader delivers about the same records per second on the 16-, 32- and 64-core nodes", () => {
    for (const cores of [16, 32, 64]) {
      const row = rep.rows.find((r) => r.metric === "reduction_pct" && /core count/.test(r.table) && r.label === `${cores} cores`)!;
      const d = rep.delivery[`${row.table}|${row.label}`]!;
      const delivered = d.deliveredPerS;
      expect(Math.abs(delivered / README_DELIVERED_PER_S - 1), `${cores} cores: ${delivered}`).toBeLessThanOrEqual(0.1);
    }
  });
  it("to keep up, the limited agent would need 1.4x (32 cores) and 1.8x (64 cores) the records it delivers", () => {
    for (const cores of [32, 64] as const) {
      const row = rep.rows.find((r) => r.metric === "reduction_pct" && /core count/.test(r.table) && r.label === `${cores} cores`)!;
      const d = rep.delivery[`${row.table}|${row.label}`]!;
      expect(Math.round((10 * d.outputsPerS) / d.deliveredPerS) / 10, `${cores} cores`).toBe(README_KEEP_UP_FACTOR[cores]);
    }
  });
  const overhead = (name: keyof typeof README_ROW_PREDICTED_PCT) => {
    const { table, label } = ROW_OF[name];
    const rows = rep.rows.filter((r) => r.metric === "reduction_pct" && table.test(r.table) && label.test(r.label));
    expect(rows, name).toHaveLength(1);
    return rows[0];
  };

  it.each(Object.keys(README_ROW_PREDICTED_PCT) as (keyof typeof README_ROW_PREDICTED_PCT)[])(
    "%s: predicted overhead as README quotes it (±0.05 pp)",
    (name) => {
      const r = overhead(name);
      expect(r.status).toBe("predicted");
      expect(Math.abs(r.predicted.mean - README_ROW_PREDICTED_PCT[name])).toBeLessThanOrEqual(ROW_TOL_PP);
    },
  );

  it("the rows README marks (ok) are within 5 pp, and only those", () => {
    const ok = ["4 cores", "16 cores", "32 cores, ring buffer"];
    for (const name of Object.keys(README_ROW_PREDICTED_PCT) as (keyof typeof README_ROW_PREDICTED_PCT)[]) {
      expect(overhead(name).withinGoal, name).toBe(ok.includes(name));
    }
  });

  it(`${README_WITHIN_5PP} of ${README_COUNTED_ROWS} counted rows within 5 pp, mean |error| ${README_MEAN_ABS_ERROR_PP} pp`, () => {
    expect(rep.summary.countedRows).toBe(README_COUNTED_ROWS);
    expect(rep.summary.withinGoal).toBe(README_WITHIN_5PP);
    expect(Math.abs(rep.summary.meanAbsErrorPp - README_MEAN_ABS_ERROR_PP)).toBeLessThanOrEqual(MEAN_ERR_TOL_PP);
    // and the summary is what the rows say
    const counted = rep.rows.filter((r) => r.status === "predicted" && r.metric === "reduction_pct");
    expect(counted).toHaveLength(README_COUNTED_ROWS);
    const mean = counted.reduce((s, r) => s + Math.abs(r.error), 0) / counted.length;
    expect(mean).toBeCloseTo(rep.summary.meanAbsErrorPp, 9);
  });

  it("the perf array's overhead rises from 4 to 16 to 32 cores, and 64 cores predict less than 32", () => {
    const p4 = overhead("4 cores").predicted.mean;
    const p16 = overhead("16 cores").predicted.mean;
    const p32 = overhead("32 cores, default (CPU limit)").predicted.mean;
    const p64 = overhead("64 cores").predicted.mean;
    expect(p4).toBeLessThan(p16);
    expect(p16).toBeLessThan(p32);
    expect(p64).toBeLessThan(p32);
  });

  it("the bpftrace rates' 16-vCPU node and the 32-core loss, as README quotes them", () => {
    const rate = (metric: "events_per_s" | "wakeup_ratio") => findRow(rep.rows, { table: "eventRates", cores: EVENT_RATES_NODE.cores, metric });
    expect(EVENT_RATES_NODE.cores).toBe(16);
    // "145k": rounded to the thousand
    expect(Math.abs(rate("events_per_s")!.predicted.mean - README_RATES_NODE.recordsPerS)).toBeLessThanOrEqual(500);
    expect(Math.abs(rate("wakeup_ratio")!.predicted.mean - README_RATES_NODE.wakeupsPerRecord)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(rep.lostShareRatesNode - README_RATES_NODE.lostShare)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(rep.lostShare32 - README_LOST_SHARE_32)).toBeLessThanOrEqual(0.005);
    const oh = findRow(rep.rows, { table: "byCores", cores: EVENT_RATES_NODE.cores, metric: "reduction_pct" })!;
    const ev = rate("events_per_s")!;
    const perRecord = oh.published / ev.published / (oh.predicted.mean / ev.predicted.mean);
    expect(Math.abs(perRecord - README_PER_RECORD_FACTOR.ratesNode)).toBeLessThanOrEqual(0.05);
    const d = findRow(rep.rows, { table: "scenarios32", tool: "retina-perf", placement: "limited", metric: "reduction_pct" })!;
    expect(Math.abs(d.published / d.predicted.mean - README_PER_RECORD_FACTOR.default32)).toBeLessThanOrEqual(0.05);
  });

  it(`the 32-core perf rows miss by ${README_32_CORE_MISS_PP.min}-${README_32_CORE_MISS_PP.max} pp`, () => {
    const miss = rep.rows
      .filter((r) => r.metric === "reduction_pct" && r.status === "predicted" && /32/.test(r.table + r.label) && !/ring buffer/.test(r.label))
      .map((r) => Math.abs(r.error));
    // 32 cores in the core-count table, and default / no limits / pinned in the 32-core table
    expect(miss).toHaveLength(4);
    expect(Math.abs(Math.min(...miss) - README_32_CORE_MISS_PP.min)).toBeLessThanOrEqual(MISS_TOL_PP);
    expect(Math.abs(Math.max(...miss) - README_32_CORE_MISS_PP.max)).toBeLessThanOrEqual(MISS_TOL_PP);
  });

  it("the 32-core ordering is not preserved: the default deployment is predicted cheaper than the pinned one", () => {
    expect(rep.summary.orderingPreserved).toBe(false);
    const o = rep.summary.predictedOrder;
    // predictedOrder is by with-agent throughput, lowest first: cheaper = later
    expect(o.findIndex((l) => /default/.test(l))).toBeGreaterThan(o.findIndex((l) => /pinned/.test(l)));
  });

  it("the family's receive costs are fitted inputs: the 16- and 32-core baselines are given back exactly", () => {
    expect(rep.family.points.map((p) => p.cores)).toEqual([16, 32]);
    expect(rep.family.fit.logRms).toBeLessThan(1e-3);
    for (const r of rep.rows.filter((x) => x.metric === "baseline_gbps")) expect(r.status).toBe("fitted-input");
  });
});

/**
 * "on our host an output into a full perf ring costs 126 ns (`perfLostOutputNs`) against 230 ns stored
 * and 7.5 us more for a stored record's irq_work and wakeup, about 2% of a delivered record"
 */
const README_LOST_OUTPUT = { lostNs: 126, storedNs: 230, wakeUs: 7.5, sharePct: 2 } as const;

describe("fidelity: a lost record's cost (README 'Where it stands', first item)", () => {
  it("the shipped calibration measured it on the lost-output dataset, as README quotes it", () => {
    const k = loadCalibration("kvm-2vcpu-amd-epyc").constants;
    expect(k.perfLostOutputNs.method).toBe("measured");
    expect(k.perfLostOutputNs.source).toContain("validation/data/kvm-2vcpu-amd-epyc-2026-12-03-lost.jsonl");
    expect(Math.round(k.perfLostOutputNs.value)).toBe(README_LOST_OUTPUT.lostNs);
    expect(Math.round(k.perfOutputNs.value)).toBe(README_LOST_OUTPUT.storedNs);
    const wake = k.irqWorkNs.value + k.wakeupNs.value;
    expect(Math.round(wake / 100) / 10).toBe(README_LOST_OUTPUT.wakeUs);
    expect(Math.round((100 * k.perfLostOutputNs.value) / (k.perfOutputNs.value + wake))).toBe(README_LOST_OUTPUT.sharePct);
  });
});

/**
 * "with the receive window capped ... the perf array cost 52% of the throughput against 38% with the
 * window autotuned in the same sitting, and the ring buffer 28% against 7%, while the CPUs were less
 * busy and the round trip grew (37 to 84 us with perf)"
 */
const README_WINDOW = {
  file: "validation/data/kvm-2vcpu-amd-epyc-2026-12-03-injected-delay-w16k.jsonl",
  windowBytes: 16384,
  pct: { perf: { capped: 52, autotuned: 38 }, ringbuf: { capped: 28, autotuned: 7 } },
  rttUs: { none: 37, perf: 84 },
  /** "it puts the perf array at 61% (CPU time alone: 46%) and the ring buffer at 26% (CPU time alone: 0%) against 56% and 35% measured" */
  model: { perf: { predicted: 61, cpuOnly: 46, measured: 56 }, ringbuf: { predicted: 26, cpuOnly: 0, measured: 35 } },
} as const;

describe("fidelity: the window-capped delay campaign (README 'Where it stands', first item)", () => {
  it("the agent's burn-0 cost with and without the cap, the CPUs' busy share and the round trip, as README quotes them", () => {
    const rows = readDataset(join(PACKAGE_ROOT, README_WINDOW.file));
    const capped = delayPoints(rows, { windowBytes: README_WINDOW.windowBytes }).points;
    const auto = delayPoints(rows).points;
    const b0 = (pts: typeof capped, mode: string) => pts.find((p) => p.mode === mode && p.burnNs === 0)!;
    for (const mode of ["perf", "ringbuf"] as const) {
      const pct = (pts: typeof capped) => Math.round(100 * (1 - b0(pts, mode).gbps.median / b0(pts, "none").gbps.median));
      expect(pct(capped), mode).toBe(README_WINDOW.pct[mode].capped);
      expect(pct(auto), mode).toBe(README_WINDOW.pct[mode].autotuned);
      expect(b0(capped, mode).busyShare, mode).toBeLessThan(b0(auto, mode).busyShare);
    }
    expect(Math.round(b0(capped, "none").tcp!.meanRttUs)).toBe(README_WINDOW.rttUs.none);
    expect(Math.round(b0(capped, "perf").tcp!.meanRttUs)).toBe(README_WINDOW.rttUs.perf);
  });
  it("the node model's window-limited receiver on those runs, as README quotes it (report settings)", () => {
    const c = windowCheck(readDataset(join(PACKAGE_ROOT, README_WINDOW.file)), loadCalibration("kvm-2vcpu-amd-epyc"), { ...SIM })!;
    for (const mode of ["perf", "ringbuf"] as const) {
      const r = c.rows.find((x) => x.mode === mode && x.capped)!;
      expect({ predicted: Math.round(r.predictedPct), cpuOnly: Math.round(r.cpuOnlyPct), measured: Math.round(r.measuredPct) }, mode).toEqual(
        README_WINDOW.model[mode],
      );
    }
  });
});

describe("fidelity: our own hardware (README 'Where it stands', second item)", () => {
  let rows: DatasetRow[];
  let measured: MeasuredValidation;
  beforeAll(() => {
    rows = readDataset(DATASET);
    measured = validateMeasured(rows, readFittedCalibration(MEASURED_CAL), SIM);
  }, 180_000);

  it.each(Object.keys(README_OWN_HARDWARE_GBPS) as (keyof typeof README_OWN_HARDWARE_GBPS)[])("%s: median (min-max) Gb/s as README quotes it", (configId) => {
    const gbps = rows
      .filter((r) => r.kind === "throughput" && r.configId === configId)
      .map((r) => (r.kind === "throughput" ? r.iperf.bitsPerSecond / 1e9 : NaN));
    expect(gbps).toHaveLength(5); // "5 runs of 5 s each"
    const q = README_OWN_HARDWARE_GBPS[configId];
    expect(Math.abs(median(gbps) - q.median)).toBeLessThanOrEqual(GBPS_TOL);
    expect(Math.abs(Math.min(...gbps) - q.min)).toBeLessThanOrEqual(GBPS_TOL);
    expect(Math.abs(Math.max(...gbps) - q.max)).toBeLessThanOrEqual(GBPS_TOL);
  });

  it(`${README_HELD_OUT} held-out configurations, mean |error| ${README_HELD_OUT_MEAN_ERROR_PCT}% of the measured median, ${README_HELD_OUT_INSIDE} inside the min-max`, () => {
    const predicted = measured.comparisons.filter((c) => c.errorPct !== null);
    expect(predicted).toHaveLength(README_HELD_OUT);
    const meanErr = predicted.reduce((s, c) => s + Math.abs(c.errorPct!), 0) / predicted.length;
    expect(Math.abs(meanErr - README_HELD_OUT_MEAN_ERROR_PCT)).toBeLessThanOrEqual(HELD_OUT_ERR_TOL_PCT);
    const inside = predicted.filter((c) => c.insideSpread).length;
    expect(inside).toBe(README_HELD_OUT_INSIDE);
  });

  it.each(Object.keys(README_CAMPAIGNS) as (keyof typeof README_CAMPAIGNS)[])(
    "%s: configurations inside their min-max and mean error as README quotes them",
    (file) => {
      const entry = readHeldOutDatasetList(join(PACKAGE_ROOT, "validation", "held-out-datasets.json")).datasets.find((d) => d.file === file)!;
      expect(entry.countsForGoal).toBe(true);
      const r = compareHeldOutDataset(entry, readFittedCalibration(MEASURED_CAL), SIM, (f) => readDataset(join(PACKAGE_ROOT, f)));
      const q = README_CAMPAIGNS[file];
      const cmp = r.validation!.comparisons;
      expect(cmp).toHaveLength(q.configurations);
      const predicted = cmp.filter((c) => c.errorPct !== null);
      expect(predicted).toHaveLength(q.configurations); // every configuration predicted, the parser without output too
      expect(cmp.filter((c) => c.insideSpread).length).toBe(q.inside);
      const meanErr = predicted.reduce((s, c) => s + Math.abs(c.errorPct!), 0) / predicted.length;
      expect(Math.abs(meanErr - q.meanErrorPct)).toBeLessThanOrEqual(HELD_OUT_ERR_TOL_PCT);
      expect(q.inside / q.configurations >= 0.8).toBe(q.goalMet);
      const limited = cmp.map((c, i) => ({ id: c.config.configId, t: r.mechanisms[i]!.throttledShare })).filter((x) => x.id.endsWith("-limit025"));
      expect(limited).toHaveLength(2);
      for (const { id, t } of limited) {
        expect(t.measuredMedian!, id).toBeGreaterThanOrEqual(README_THROTTLED.measured.min - SHARE_TOL);
        expect(t.measuredMedian!, id).toBeLessThanOrEqual(README_THROTTLED.measured.max + SHARE_TOL);
        const model = id === "tp-perf-limit025" ? README_THROTTLED.vethPerfModel : README_THROTTLED.othersModel;
        expect(Math.abs(t.predicted! - model), `${id} model ${t.predicted}`).toBeLessThanOrEqual(SHARE_TOL);
      }
      {
        const ev = README_LOSS_EVIDENCE[file];
        const at = (id: string) => cmp.findIndex((c) => c.config.configId === id);
        const lim = cmp[at(ev.limited)]!;
        const unl = cmp[at(ev.unlimited)]!;
        expect(Math.abs(lim.measuredOverheadPct - ev.pct[0]), ev.limited).toBeLessThanOrEqual(0.05);
        expect(Math.abs(unl.measuredOverheadPct - ev.pct[1]), ev.unlimited).toBeLessThanOrEqual(0.05);
        const lost = r.mechanisms[at(ev.limited)]!.lostPerOutput;
        expect(Math.abs(lost.measuredMedian! - README_LOSS_LOST), `${ev.limited} lost`).toBeLessThanOrEqual(0.005);
        expect(lost.predicted!, `${ev.limited} model lost`).toBeLessThanOrEqual(README_LOSS_MODEL_MAX + 0.005);
      }
      if (file === README_READER.file) {
        // "the model's interrupt time billed per record exceeds the ring buffer reader's by about 1.8 us"
        const stretchUs = (id: string) => {
          const res = cmp.find((c) => c.config.configId === id)!.result!;
          return ((res.agentCpuBilledCores.mean - res.agentCpuCores.mean) / res.eventsPerS.mean) * 1e6;
        };
        expect(Math.abs(stretchUs("tp-perf") - stretchUs("tp-ringbuf") - README_STRETCH_GAP_US)).toBeLessThanOrEqual(0.05);
        const mech = (id: string) => r.mechanisms[cmp.findIndex((c) => c.config.configId === id)]!;
        const perf = mech("tp-perf").readerCores;
        expect(Math.abs(perf.measuredMedian! - README_READER.perfCores.measured), `measured ${perf.measuredMedian}`).toBeLessThanOrEqual(CORES_TOL);
        expect(Math.abs(perf.predicted! - README_READER.perfCores.model), `model ${perf.predicted}`).toBeLessThanOrEqual(CORES_TOL);
        const lim = mech("tp-perf-limit025");
        expect(
          Math.abs(lim.lostPerOutput.measuredMedian! - README_READER.limit025.measuredLost),
          `lost ${lim.lostPerOutput.measuredMedian}`,
        ).toBeLessThanOrEqual(CORES_TOL);
        expect(Math.abs(lim.lostPerOutput.predicted! - README_READER.limit025.modelLost), `model lost ${lim.lostPerOutput.predicted}`).toBeLessThanOrEqual(
          CORES_TOL,
        );
        // "reaches the limit too": billed at the quota, to the README's two decimals
        expect(lim.readerCores.predicted!).toBeGreaterThanOrEqual(README_READER.limit025.cpuLimit - CORES_TOL);
        expect(lim.readerCores.measuredMedian!).toBeGreaterThanOrEqual(README_READER.limit025.cpuLimit - 0.015); // "sits at the limit" (0.236)
      }
    },
    180_000,
  );

  it("the CPU-limit sweep: configurations inside, the perf array's and ring buffer's 0.1-CPU points, veth pooled", () => {
    const list = readHeldOutDatasetList(join(PACKAGE_ROOT, "validation", "held-out-datasets.json"));
    const entry = list.datasets.find((d) => d.file === README_SWEEP.file)!;
    expect(entry.countsForGoal).toBe(true);
    const r = compareHeldOutDataset(entry, readFittedCalibration(MEASURED_CAL), SIM, (f) => readDataset(join(PACKAGE_ROOT, f)));
    const cmp = r.validation!.comparisons;
    expect(cmp).toHaveLength(README_SWEEP.configurations);
    expect(cmp.filter((c) => c.insideSpread).length).toBe(README_SWEEP.inside);
    const at = (id: string) => cmp.findIndex((c) => c.config.configId === id);
    const p = cmp[at("tp-perf-limit010")]!;
    const pq = r.mechanisms[at("tp-perf-limit010")]!;
    expect(Math.abs(pq.lostPerOutput.measuredMedian! - README_SWEEP.perf010.lost)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(pq.lostPerOutput.predicted! - README_SWEEP.perf010.modelLost)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(p.measuredOverheadPct - README_SWEEP.perf010.pct)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(cmp[at("tp-perf")]!.measuredOverheadPct - README_SWEEP.perf010.unlimitedPct)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(p.result!.overheadPct.mean - README_SWEEP.perf010.modelPct)).toBeLessThanOrEqual(0.05);
    const rb = cmp[at("tp-ringbuf-limit010")]!;
    const rq = r.mechanisms[at("tp-ringbuf-limit010")]!;
    expect(rb.insideSpread).toBe(false);
    expect(Math.abs(rb.measuredOverheadPct - README_SWEEP.ringbuf010.pct)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(rb.result!.overheadPct.mean - README_SWEEP.ringbuf010.modelPct)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(rq.throttledShare.measuredMedian! - README_SWEEP.ringbuf010.throttled)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(rq.throttledShare.predicted! - README_SWEEP.ringbuf010.modelThrottled)).toBeLessThanOrEqual(0.005);
    expect(rq.lostPerOutput.measuredMedian).toBe(0);
    // veth pooled over the files that count toward its goal
    const results = list.datasets.map((e) =>
      e.file === README_SWEEP.file ? r : compareHeldOutDataset(e, readFittedCalibration(MEASURED_CAL), SIM, (f) => readDataset(join(PACKAGE_ROOT, f))),
    );
    const veth = shapeGoals(results).find((g) => g.shape === "veth")!.score!;
    expect([veth.inside, veth.n]).toEqual([README_SWEEP.vethPooled.inside, README_SWEEP.vethPooled.n]);
  }, 300_000);

  it("the reader's user and system ns per record on the reader-split run, as README quotes them", () => {
    const s = summarise(readDataset(join(PACKAGE_ROOT, README_READER_SPLIT.file)));
    for (const id of ["tp-perf", "tp-ringbuf"] as const) {
      const c = s.find((x) => x.configId === id)!;
      expect(Math.abs(c.readerUserNsPerRecord!.median - README_READER_SPLIT[id].user), id).toBeLessThanOrEqual(0.5);
      expect(Math.abs(c.readerSysNsPerRecord!.median - README_READER_SPLIT[id].sys), id).toBeLessThanOrEqual(0.5);
    }
  });

  it("wakeups per record: measured 1.000 (perf) and 0.23 (ring buffer); the model gives 1.000 and 0.15", () => {
    const wrows = readDataset(WAKEUP_DATASET);
    const ratios = wakeupRatios(wrows);
    const base = median(
      rows.filter((r) => r.kind === "throughput" && r.configId === "tp-baseline").map((r) => (r.kind === "throughput" ? r.iperf.bitsPerSecond / 1e9 : NaN)),
    );
    const cal = readFittedCalibration(MEASURED_CAL).calibration;
    for (const configId of ["tpw-perf", "tpw-ringbuf"] as const) {
      const m = median(ratios.get(configId)!.ratios);
      expect(Math.abs(m - README_WAKEUPS_PER_RECORD[configId]), configId).toBeLessThanOrEqual(WAKEUP_MEASURED_TOL[configId]);
      const settings = wrows.find((r) => r.kind === "throughput" && r.configId === configId)!.config.settings!;
      const model = simulatedWakeupRatio(cal, settings, base, SIM);
      expect(Math.abs(model - README_WAKEUPS_MODEL[configId]), `${configId}: model ${model}`).toBeLessThanOrEqual(WAKEUP_MODEL_TOL[configId]);
    }
  }, 120_000);
});

describe("fidelity: the ring buffer's reservation lock (README 'Where it stands', third item)", () => {
  let cmp: TableComparison[];
  beforeAll(() => {
    cmp = compareRingbufTables();
  }, 120_000);
  const row = (table: string, producers: number) => cmp.find((c) => c.table.id === table)!.rows.find((r) => r.producers === producers)!;

  it(`${README_RINGBUF_WITHIN} of ${README_RINGBUF_POINTS} multi-producer points within ±25%`, () => {
    expect(TOLERANCE).toBe(0.25);
    const multi = cmp.flatMap((c) => c.rows.filter((r) => r.producers > 1));
    expect(multi).toHaveLength(README_RINGBUF_POINTS);
    expect(multi.filter((r) => r.within).length).toBe(README_RINGBUF_WITHIN);
  });

  it("the EPYC 1-to-2 step and CCD cliff and Kunpeng's 1-to-2 step are reproduced; Sapphire Rapids' drop at 2 producers is not", () => {
    // the 1-to-2 step (published 1.36x the 1-producer rate on EPYC, 0.88x on Kunpeng)
    expect(row("T5-epyc", 2).within).toBe(true);
    expect(row("T5-kunpeng", 2).within).toBe(true);
    // the CCD cliff as a step: rate at 8 producers / rate at 4, within the same ±25% criterion
    const pub = row("T5-epyc", 8).publishedNorm / row("T5-epyc", 4).publishedNorm;
    const pred = row("T5-epyc", 8).predictedNorm / row("T5-epyc", 4).predictedNorm;
    expect(pub).toBeLessThan(0.5); // a cliff
    expect(Math.abs(pred / pub - 1)).toBeLessThanOrEqual(TOLERANCE);
    expect(row("T4-raw", 2).within).toBe(false);
    expect(row("T4-rq", 2).within).toBe(false);
  });

  it(`this host: 1-to-2 producer ratio predicted ${README_HOST_PREDICTED_RATIO}, measured ${README_HOST_MEASURED_RATIO.min}-${README_HOST_MEASURED_RATIO.max}`, () => {
    const host = hostTwoProducer();
    expect(host).not.toBeNull();
    expect(Math.abs(host!.predictedRatio - README_HOST_PREDICTED_RATIO)).toBeLessThanOrEqual(RATIO_TOL);
    const medians = host!.sets.map((s) => s.measuredMedian);
    expect(medians).toHaveLength(2); // SCHED_FIFO and plain
    expect(Math.abs(Math.min(...medians) - README_HOST_MEASURED_RATIO.min)).toBeLessThanOrEqual(RATIO_TOL);
    expect(Math.abs(Math.max(...medians) - README_HOST_MEASURED_RATIO.max)).toBeLessThanOrEqual(RATIO_TOL);
  });
});

describe("fidelity: the mechanism fits README names", () => {
  it(`eventpoll: every era fitted on M1/M2 within ${README_EVENTPOLL_REL_RMS_PCT.min}-${README_EVENTPOLL_REL_RMS_PCT.max}% (relative RMS)`, () => {
    const rms = Object.values(fitEventpollEras(EVENTPOLL_LOCK)).map((f) => 100 * f.relRms);
    expect(rms).toHaveLength(EVENTPOLL_LOCK.eras.length);
    expect(Math.abs(Math.min(...rms) - README_EVENTPOLL_REL_RMS_PCT.min)).toBeLessThanOrEqual(EVENTPOLL_TOL_PCT);
    expect(Math.abs(Math.max(...rms) - README_EVENTPOLL_REL_RMS_PCT.max)).toBeLessThanOrEqual(EVENTPOLL_TOL_PCT);
  });

  it("go runtime: sched.lock contention law exp(a + b P) as the report states it, within 6% of golang/go#67585's table", () => {
    const fit = fitSchedLockLaw(GO_RUNTIME.schedLockContention.points);
    expect(Math.abs(fit.a - REPORT_GO_LAW.a)).toBeLessThanOrEqual(GO_LAW_TOL.a);
    expect(Math.abs(fit.b - REPORT_GO_LAW.b)).toBeLessThanOrEqual(GO_LAW_TOL.b);
    expect(fit.maxLogError).toBeLessThan(GO_MAX_LOG_ERROR);
  });
});

/**
 * "All that the model bills its reader per sleep (17.4 us perf, 11.4 us ring buffer, interrupt stretch
 * included) ... where they part is how often the reader sleeps (model 0.233 and 0.118 per record ...)":
 * the report's section "Where the reader's CPU goes", at the report's settings.
 */
const README_READER_SPLIT_MODEL = { perf: { usPerSleep: 17.4, sleepsPerRecord: 0.233 }, ringbuf: { usPerSleep: 11.4, sleepsPerRecord: 0.118 } } as const;

describe("fidelity: where the reader's CPU goes (README 'Our own hardware')", () => {
  it("the model's reader per sleep and sleeps per record, as README quotes them", () => {
    const e = readerSplitEvidence(DATA, readFittedCalibration(MEASURED_CAL), SIM);
    expect(e).not.toBeNull();
    for (const mode of ["perf", "ringbuf"] as const) {
      const m = e!.simulated[mode]!;
      expect(Math.abs(m.billedUsPerSleep - README_READER_SPLIT_MODEL[mode].usPerSleep), mode).toBeLessThanOrEqual(0.05);
      expect(Math.abs(m.sleepsPerRecord - README_READER_SPLIT_MODEL[mode].sleepsPerRecord), mode).toBeLessThanOrEqual(0.0005);
    }
  }, 120_000);
});

/**
 * "the reader answers a wakeup in 29-32 us at the median (59-82 us at p90), but a tenth of all records
 * waits 0.6-1.1 ms or more and the p99 is 3.2-3.7 ms ... (its first record of a pass: 13-24 us at the
 * median, 135-218 us at p99, against 220-296 us measured), but its delivery latency has no such tail
 * (p99 133-249 us) ... preempted 17-483 times a second, 68-219 us on average, 0.4-2.9% of the time":
 * the report's section "How long a record waits for the reader", at the report's settings. Ranges are
 * low to high over perf and ring buffer, as quoted.
 */
const README_LATENCY = {
  measured: { firstP50Us: [29, 32], firstP90Us: [59, 82], p90Ms: [0.6, 1.1], p99Ms: [3.2, 3.7], firstP99Us: [220, 296] },
  model: { firstP50Us: [13, 24], firstP99Us: [135, 218], p99Us: [133, 249] },
  /** "preempted 17-483 times a second ..., 68-219 us on average, 0.4-2.9% of the time" (bpf/tools/preempt-stalls.bt runs). */
  stalls: { perS: [17, 483], meanUs: [68, 219], stalledPct: [0.4, 2.9] },
  /**
   * "the sampling made most of the p90 (perf 261 to 112 us, ring buffer 612 to 207 us without it) but not
   * the p99 (2.4-2.8 ms without it). 0.03-0.15% of the reader's wakeups wait 0.5 ms or more (2 a second
   * with perf, 33 with the ring buffer) ... The mean wait, 11-12 us" (the *-probe.jsonl campaign).
   */
  probe: {
    p90Us: { perf: [261, 112], ringbuf: [612, 207] },
    p99MsUnsampled: [2.4, 2.8],
    longPct: [0.03, 0.15],
    longPerS: { perf: 2, ringbuf: 33 },
    meanUs: [11, 12],
  },
  /** "the traced waits give the ring buffer's record p99 (3.6 ms against 3.5 ms measured, 3.2-4.1 over the runs) but not the perf array's (0.22 ms against 2.8 ms)" (model with both traces / measured without a trace). */
  whatIfP99Ms: { perf: [0.22, 2.8], ringbuf: [3.6, 3.5] },
  whatIfRingbufRangeMs: [3.2, 4.1],
} as const;

describe("fidelity: how long a record waits for the reader (README 'Our own hardware')", () => {
  it("the measured waits, the model's, and the stall check, as README quotes them", () => {
    const e = readerLatencyEvidence(DATA, readFittedCalibration(MEASURED_CAL), SIM);
    expect(e).not.toBeNull();
    const range = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
    const near = (got: number[], want: readonly number[], tol: number, what: string) => {
      expect(Math.abs(got[0]! - want[0]!), `${what} low`).toBeLessThanOrEqual(tol);
      expect(Math.abs(got[1]! - want[1]!), `${what} high`).toBeLessThanOrEqual(tol);
    };
    const s = e!.summaries.filter((x) => x.mode !== "off" && x.shape === "veth");
    expect(s.map((x) => x.mode)).toEqual(["perf", "ringbuf"]);
    near(range(s.map((x) => Math.round(x.firstP50Us.median))), README_LATENCY.measured.firstP50Us, 0, "first p50");
    near(range(s.map((x) => Math.round(x.firstP90Us.median))), README_LATENCY.measured.firstP90Us, 0, "first p90");
    near(range(s.map((x) => x.p90Us.median / 1000)), README_LATENCY.measured.p90Ms, 0.05, "p90 ms");
    near(range(s.map((x) => x.p99Us.median / 1000)), README_LATENCY.measured.p99Ms, 0.05, "p99 ms");
    near(range(s.map((x) => Math.round(x.firstP99Us.median))), README_LATENCY.measured.firstP99Us, 0, "first p99");
    const sims = s.map((x) => e!.simulated[`veth|${x.mode}`]!);
    near(range(sims.map((m) => Math.round(m.firstP50Us))), README_LATENCY.model.firstP50Us, 0, "model first p50");
    near(range(sims.map((m) => Math.round(m.firstP99Us))), README_LATENCY.model.firstP99Us, 0, "model first p99");
    near(range(sims.map((m) => Math.round(m.p99Us))), README_LATENCY.model.p99Us, 0, "model p99");
    const st = e!.stalls!.summaries;
    expect(st.map((x) => x.mode)).toEqual(["perf", "ringbuf"]);
    near(range(st.map((x) => Math.round(x.perS.median))), README_LATENCY.stalls.perS, 0, "preemptions per s");
    near(range(st.map((x) => Math.round(x.meanUs.median))), README_LATENCY.stalls.meanUs, 0, "mean stall");
    near(range(st.map((x) => 100 * x.stalledShare.median)), README_LATENCY.stalls.stalledPct, 0.05, "share preempted");
    const p = e!.probe!;
    const row = (mode: string, probe: string) => p.summaries.find((x) => x.mode === mode && x.probe === probe)!;
    for (const mode of ["perf", "ringbuf"] as const) {
      near(
        [Math.round(row(mode, "ps").p90Us.median), Math.round(row(mode, "none").p90Us.median)],
        README_LATENCY.probe.p90Us[mode],
        0,
        `${mode} p90 with / without ps`,
      );
      expect(Math.round(p.wakeToRun.find((x) => x.mode === mode)!.longPerS.median), `${mode} long waits per s`).toBe(README_LATENCY.probe.longPerS[mode]);
    }
    near(range(["perf", "ringbuf"].map((m) => row(m, "none").p99Us.median / 1000)), README_LATENCY.probe.p99MsUnsampled, 0.05, "p99 without ps");
    near(range(p.wakeToRun.map((x) => 100 * x.longShare.median)), README_LATENCY.probe.longPct, 0.005, "long share");
    near(range(p.wakeToRun.map((x) => Math.round(x.meanUs.median))), README_LATENCY.probe.meanUs, 0, "mean wait");
    const w = e!.waits!;
    for (const mode of ["perf", "ringbuf"] as const) {
      const [model, measured] = README_LATENCY.whatIfP99Ms[mode];
      const m = w.whatIf[mode]!.measuredWaitAndPreemption!.p99Us / 1000;
      const none = w.summaries.find((x) => x.mode === mode && x.probe === "none")!.p99Us;
      // quoted to 2 significant figures: 0.22 ms, 3.6 ms
      expect(Math.abs(m - model), `${mode} what-if model p99`).toBeLessThanOrEqual(model < 1 ? 0.005 : 0.05);
      expect(Math.abs(none.median / 1000 - measured), `${mode} measured p99`).toBeLessThanOrEqual(0.05);
      if (mode === "ringbuf") near([none.min / 1000, none.max / 1000], README_LATENCY.whatIfRingbufRangeMs, 0.05, "ringbuf measured p99 range");
    }
  }, 120_000);
});
