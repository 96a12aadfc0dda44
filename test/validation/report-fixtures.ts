/** Synthetic reproduce rows for the report's unit tests (the real ones take minutes to simulate). */
import type { Estimate } from "../../src/engine/index.ts";
import type { ReproduceResult, ReproduceRow } from "../../src/validation/reproduce.ts";
import { SHAPE } from "../../src/validation/reproduce.ts";
import { SEED_TABLES } from "../../src/validation/seed.ts";

export const est = (mean: number): Estimate => ({ mean, halfWidth: 0.1, low: mean - 0.1, high: mean + 0.1, n: 3 });

export function row(
  table: keyof typeof SEED_TABLES,
  label: string,
  metric: ReproduceRow["metric"],
  cores: number,
  tool: string,
  placement: string,
  published: number,
  predicted: number,
): ReproduceRow {
  const unit: ReproduceRow["errorUnit"] = metric === "reduction_pct" ? "pp" : metric.endsWith("gbps") ? "Gb/s" : "%";
  return {
    table: SEED_TABLES[table],
    label,
    metric,
    published,
    publishedQualifier: "=",
    predicted: est(predicted),
    error: unit === "%" ? (100 * (predicted - published)) / published : predicted - published,
    errorUnit: unit,
    status: "predicted",
    withinGoal: metric === "reduction_pct" ? Math.abs(predicted - published) <= 5 : null,
    scenario: { hardware: SHAPE[cores], tool, placement, workload: "tcp-receiver-saturating", receiveCostScale: 1, mobileCostScale: 1 },
  };
}

/** The study's rows with made-up predictions; labels worded differently from the study's on purpose where the report must not rely on them. */
export function fakeReproduce(): ReproduceResult {
  const rows = [
    row("byCores", "16 cores", "reduction_pct", 16, "retina-perf", "limited", 14, 4),
    row("byCores", "64 cores", "reduction_pct", 64, "retina-perf", "limited", 50, 9),
    row("scenarios32", "limits off", "reduction_pct", 32, "retina-perf", "unlimited", 53, 12),
    row("scenarios32", "the usual deployment", "reduction_pct", 32, "retina-perf", "limited", 43, 10),
    row("scenarios32", "rb", "reduction_pct", 32, "retina-ringbuf", "limited", 7.5, 3),
    row("eventRates", "records", "events_per_s", 16, "retina-perf", "limited", 100000, 150000),
    row("eventRates", "ratio", "wakeup_ratio", 16, "retina-perf", "limited", 0.5, 1),
    row("eventRates", "records on the bigger node", "events_per_s", 32, "retina-perf", "limited", 100000, 200000),
    row("eventRates", "ratio on the bigger node", "wakeup_ratio", 32, "retina-perf", "limited", 0.5, 0.9),
  ];
  const skb = (p50: number) => ({ p50: est(p50), p99: est(2 * p50) });
  return {
    source: "test",
    calibration: "literature",
    options: {},
    rows,
    summary: {
      countedRows: 5,
      withinGoal: 0,
      meanAbsErrorPp: 0,
      worstAbsErrorPp: 0,
      predictedOrder: ["limits off", "the usual deployment", "rb"],
      orderingPreserved: true,
    },
    family: { points: [], fit: {} as ReproduceResult["family"]["fit"] },
    attribution32: { readerCpu: est(6), wakeups: est(3), dedicatedCpus: est(0) },
    attribution32ByScenario: {},
    lostShare32: 0.25,
    lostShareRatesNode: 0.1,
    skbDelayUs: {
      [`${SEED_TABLES.byCores}|16 cores`]: skb(5),
      [`${SEED_TABLES.scenarios32}|the usual deployment`]: skb(6),
      [`${SEED_TABLES.scenarios32}|rb`]: skb(2),
    },
    delivery: {
      [`${SEED_TABLES.byCores}|16 cores`]: { outputsPerS: 100000, lostShare: 0.05, deliveredPerS: 95000, agentCores: 0.4, throttledPct: 50 },
      [`${SEED_TABLES.byCores}|64 cores`]: { outputsPerS: 190000, lostShare: 0.5, deliveredPerS: 95000, agentCores: 0.5, throttledPct: 70 },
      [`${SEED_TABLES.scenarios32}|the usual deployment`]: { outputsPerS: 140000, lostShare: 0.3, deliveredPerS: 98000, agentCores: 0.5, throttledPct: 60 },
      [`${SEED_TABLES.scenarios32}|limits off`]: { outputsPerS: 130000, lostShare: 0, deliveredPerS: 130000, agentCores: 1.2, throttledPct: 0 },
    },
    band: {
      [`${SEED_TABLES.scenarios32}|the usual deployment`]: {
        published: 43,
        atDefaults: 10.123,
        low: 8.456,
        high: 20.789,
        covers: false,
        byUnknown: {},
        joint: { low: 7.5, high: 24.25, lowAt: { kernel: "6.6" }, highAt: { vmExitNs: 2500, receiverThreadsPerCpu: 2 }, covers: false },
      },
    },
  };
}
