import { describe, expect, it } from "vitest";
import {
  bandJson,
  lossEvidence,
  runsPerByteLines,
  measuredSection,
  missesSection,
  readerSplitSection,
  requiredFlowsSection,
  requiredSection,
  skbDelayText,
  wakeupSection,
} from "../../src/validation/report-sections.ts";
import { bandRows } from "../../src/validation/report-data.ts";
import { loadCalibration } from "../../src/models/load.ts";
import { est, fakeReproduce } from "./report-fixtures.ts";
import type { MeasuredComparison, MeasuredValidation, MechanismComparison } from "../../src/validation/measured.ts";

const settings = { seed: 1, replications: 5, durationS: 0.22, sensitivityReplications: 2, sensitivityDurationS: 0.22 };

describe("report sections: markdown from data", () => {
  const rep = fakeReproduce();

  it("what the model misses: the 32-core default row, found by its scenario, with the factor it is short by", () => {
    const md = missesSection(rep);
    expect(md).toContain("- The 32-core default overhead is predicted at 10.0 pp against 43.0 pp published: 4.3x too small.");
    // the largest share (readerCpu, 6 pp) would have to grow (43 - 10 + 6) / 6 = 6.5x
    expect(md).toContain("or the largest share alone (readerCpu, 6.00 pp:");
    expect(md).toContain("would have to grow about 6.5x.");
    expect(md).toContain("were taken on a 16-vCPU node, not the 32-core one the reference file files them under: the study's `bpftool map show`");
    expect(md).toContain("- Event rate: the model emits 150000 records/s on the 16-vCPU node against 100000 published (+50%), and 200000 on the 32-core node.");
    // per record on that node: (14 / 100000) / (4 / 150000) = 5.25; the 32-core default row: 43 / 10 = 4.3
    expect(md).toContain(
      "  Per record, that node's published overhead (14% over 100000 records/s) is 5.2x the model's (4.0% over 150000), if the bpftrace run saw the load of the throughput test (the study does not say); the 32-core default row's 43.0% against 10.0% is a factor 4.3 (above).",
    );
    expect(md).toContain(
      "- Wakeups per record: predicted 1.00 on the 16-vCPU node (0.90 on the 32-core node), published ~0.5: the model gives (nearly) every perf record its own irq_work wakeup",
    );
    expect(md).toContain("the model's 0.5-CPU agent loses 10% there. The bound says nothing of the 32-core node, where the model's agent loses 25%.");
    expect(md).toContain("- Ring buffer at 32 cores: 3.0 pp predicted against 7.5 pp published (within 5 pp).");
    expect(md).toContain("- 64 cores: the study gives no baseline");
    expect(md).toContain("predicted 9.0 pp against ~50 pp.");
    expect(md).not.toContain("published ordering");
  });

  it("what the agent delivers: a table per row, the capped reader named from the data, the pinned row's order explained", () => {
    const md = missesSection(rep);
    expect(md).toContain("  | row | published % | predicted % | records output per s | lost | delivered per s | agent CPUs | throttled periods |");
    // 140000 x (1 - 0.3) = 98000 delivered, 30% lost
    expect(md).toContain("  | 32 cores, CPU limit | 43.0 | 10.0 | 140000 | 30% | 98000 | 0.50 | 60% |");
    expect(md).toContain("  | 32 cores, no CPU limits | 53.0 | 12.0 | 130000 | 0% | 130000 | 1.20 | 0% |");
    // delivered 95000, 98000, 95000 (16, 32, 64 cores) while outputs grow 100000 -> 190000 (1.9x)
    expect(md).toContain("delivers about the same number of records on every node (95000, 98000, 95000 per s) while the programs output 1.9x more");
    expect(md).toContain("That is why the model's overhead at 64 cores (9.0%) is not above 32 cores' (10.0%), where the study's rises.");
    expect(md).toContain("its default agent lost about 30% of its records at 32 cores");
    expect(md).not.toContain("The pinned agent has a whole CPU");

    const r = fakeReproduce();
    r.rows.push({
      ...r.rows[3],
      label: "pin",
      scenario: { ...r.rows[3].scenario, placement: "pinned" },
      published: 35,
      predicted: { ...r.rows[3].predicted, mean: 12 },
    });
    r.delivery[`${r.rows[3].table}|pin`] = { outputsPerS: 150000, lostShare: 0, deliveredPerS: 150000, agentCores: 0.8, throttledPct: 0 };
    const md2 = missesSection(r);
    expect(md2).toContain("The pinned agent has a whole CPU and loses 0% (the limited one 30%)");
    expect(md2).toContain("the model puts it above the default row (12.0% against 10.0%)");
    expect(md2).toContain("would have to stay with the records lost, or the limited agent");
    expect(md2).not.toContain("bpfsim measure --lost");

    // with a calibration that measured the lost output: its cost beside a stored record's and its wakeup's
    const cal = loadCalibration("kvm-2vcpu-amd-epyc");
    const k = cal.constants;
    const md4 = missesSection(r, cal);
    const pct = (100 * k.perfLostOutputNs.value) / (k.perfOutputNs.value + k.irqWorkNs.value + k.wakeupNs.value);
    expect(md4).toContain(
      `an output into a full perf ring costs ${k.perfLostOutputNs.value.toFixed(0)} ns against ${k.perfOutputNs.value.toFixed(0)} ns stored and ${(k.irqWorkNs.value + k.wakeupNs.value).toFixed(0)} ns more`,
    );
    expect(md4).toContain(`so a lost record costs ${pct.toFixed(0)}% of a delivered one`);
    expect(pct).toBeLessThan(5);
    expect(md4).toContain("would have to stay with the records lost (on our host it does not: above), or the limited agent");
    // the literature's estimate is not a measurement: no claim about our host
    expect(missesSection(r, loadCalibration("literature"))).not.toContain("bpfsim measure --lost");

    // a reader that keeps up everywhere: no cap claimed
    const r3 = fakeReproduce();
    for (const k of Object.keys(r3.delivery)) r3.delivery[k] = { ...r3.delivery[k], lostShare: 0, deliveredPerS: r3.delivery[k].outputsPerS };
    const md3 = missesSection(r3);
    expect(md3).not.toContain("delivers about the same number of records");
    expect(md3).not.toContain("A check the study could run");
  });

  it("program runs per byte: the runs' range beside the model's, and how many fewer records the model makes", () => {
    const q = (measured: number, model: number | null) =>
      ({ kbPerProgramRun: { measuredMedian: measured, measuredMin: null, measuredMax: null, predicted: model } }) as unknown as MechanismComparison;
    const m = { comparisons: [{}, {}, {}] } as unknown as MeasuredValidation;
    const [line] = runsPerByteLines(m, [q(12, null), q(12.5, 15.5), q(13, 15.5)]);
    // model median 15.5 / measured median 12.5 = 1.24: 1 - 1/1.24 = 19% fewer records
    expect(line).toBe(
      "Program runs per byte: the runs saw one program run per 12.0-13.0 KB received (each configuration's median over its runs, 3 configurations), the model one per 15.5 KB where every run outputs (its workload's skb size and ACK rate), so it makes 19% fewer records of the same traffic than these runs did; the calibration's per-record constants were fitted with the same workload on its own runs.",
    );
    expect(runsPerByteLines(m, [q(15, 15.5)])[0]).toContain("about the same.");
    expect(runsPerByteLines(m, [q(20, 15)])[0]).toContain("so it makes 33% more records of the same traffic");
    expect(runsPerByteLines(m, [q(12, null)])).toEqual([]);
  });

  it("loss evidence: a limited configuration that lost records beside its unlimited twin, in the same file", () => {
    const cmp = (configId: string, scenario: string, overhead: number) =>
      ({ config: { configId }, scenario, measuredOverheadPct: overhead, result: { overheadPct: est(40.5) } }) as unknown as MeasuredComparison;
    const lim = cmp("tp-perf-limit025", "perf 64 pages, wakeup_events 1, sample 1/1, limited 0.25 CPU", 19.4);
    const unl = cmp("tp-perf", "perf 64 pages, wakeup_events 1, sample 1/1, unlimited", 32.5);
    const m = { comparisons: [unl, lim] } as unknown as MeasuredValidation;
    const q = (measured: number, model: number) =>
      ({ lostPerOutput: { measuredMedian: measured, measuredMin: null, measuredMax: null, predicted: model } }) as unknown as MechanismComparison;
    const [line] = lossEvidence(m, lim, q(0.26, 0.01));
    expect(line).toBe(
      "tp-perf-limit025: with 26% of its records lost (median) the node lost 19.4% of its throughput, against 32.5% with the same buffer and the reader unlimited (tp-perf): losing records made the buffer cheaper, as the model has it (a record that finds its ring full is neither copied nor woken for); the model's reader loses 1% there, so it predicts 40.5%.",
    );
    // dearer when limited: said so, against the model's premise
    const dear = cmp("tp-perf-limit025", lim.scenario, 40);
    expect(lossEvidence({ comparisons: [unl, dear] } as unknown as MeasuredValidation, dear, q(0.26, 0.2))[0]).toContain(
      "losing records did not make the buffer cheaper here, against the model's premise",
    );
    // the model loses about as much: said plainly
    expect(lossEvidence(m, lim, q(0.46, 0.48))[0]).toContain(
      "as the model has it (a record that finds its ring full is neither copied nor woken for); the model's reader loses 48% there and it predicts 40.5%.",
    );
    // little lost, or no twin: nothing
    expect(lossEvidence(m, lim, q(0.01, 0.01))).toEqual([]);
    expect(lossEvidence({ comparisons: [lim] } as unknown as MeasuredValidation, lim, q(0.26, 0.01))).toEqual([]);
  });

  it("a wakeup ratio close to the published one says what it bounds: the share of outputs that found room", () => {
    const r = fakeReproduce();
    const wr = r.rows.find((x) => x.metric === "wakeup_ratio" && x.scenario.hardware === "azure-d16s-v5")!;
    wr.predicted = { ...wr.predicted, mean: 0.52 };
    wr.error = 4;
    const md = missesSection(r);
    expect(md).toContain("- Wakeups per record: predicted 0.52 on the 16-vCPU node (0.90 on the 32-core node), published ~0.5: close.");
    expect(md).toContain(
      "on the 16-vCPU node the study's agent lost at most ~50% of its records (that much if irq_work coalesced none); the model's 0.5-CPU agent loses 10% there.",
    );
  });

  it("the skb delay text reads the 32-core default, ring buffer and 16-core rows", () => {
    const t = skbDelayText(rep);
    expect(t).toContain("at 32 cores the perf array's hooks add 6.0 µs (p50; p99 12.0 µs)");
    expect(t).toContain("the ring buffer's 2.0 µs (p99 4.0 µs)");
    expect(t).toContain("; at 16 cores the perf array's add 5.0 µs");
    // 100 * 6 / (100 + 6) = 5.66 %
    expect(t).toContain("that is 5.7% for the perf array at 32 cores");
    expect(t).toContain("where 14.0% was published");
    expect(t.endsWith("so latency alone would not explain the study's scaling either.")).toBe(true);
  });

  it("no 32-core default row: no skb delay text", () => {
    const r = fakeReproduce();
    r.rows = r.rows.filter((x) => x.scenario.tool !== "retina-perf" || x.scenario.placement !== "limited" || x.table !== "32-core scenarios");
    expect(skbDelayText(r)).toBe("");
  });

  it("what each row would need: a 32-core row is prefixed, the spread between rows is stated", () => {
    const base = { targetPct: 43, modelPct: 10, modelNsPerRecord: 2000, achievedPct: 43, eventsPerS: 1e5, status: "found" as const };
    const md = requiredSection(
      [
        { ...base, table: "32-core scenarios", label: "default", extraNs: 1000 },
        { ...base, table: "throughput by core count (perf array, default)", label: "16 cores", extraNs: 8000 },
      ] as Parameters<typeof requiredSection>[0],
      settings,
    );
    expect(md).toContain("| 32 cores: default | 43.0 | 10.0 | 2.0 | 1.0 | 43.0 | 100000 | found |");
    expect(md).toContain("- The rows need between 1.0 µs (default) and 8.0 µs (16 cores) more per record: a factor of 8.0. No single missing per-record cost");
    expect(md).toContain("2 replications of 0.22 s");
  });

  it("wakeups per record: one table row per configuration, a failed simulation stated", () => {
    expect(wakeupSection(null)).toBe("");
    const md = wakeupSection({
      file: "validation/data/x-wakeups.jsonl",
      rows: [
        { configId: "tpw-perf", runs: 3, medianRatio: 0.9, minRatio: 0.8, maxRatio: 1, predicted: { ratio: 0.95 }, usedRuns: 3 },
        { configId: "tpw-ringbuf", runs: 2, medianRatio: 0.1, minRatio: 0.05, maxRatio: 0.2, predicted: { error: "boom" }, usedRuns: 0 },
      ],
    });
    expect(md).toContain("Dataset: `validation/data/x-wakeups.jsonl`");
    expect(md).toContain("| tpw-perf | 3 | 0.900 (0.800–1.000) | 0.950 | 3 of 3 runs |");
    expect(md).toContain("| tpw-ringbuf | 2 | 0.100 (0.050–0.200) | failed: boom | no |");
  });

  it("our measurements: with nothing compared, the reason", () => {
    const md = measuredSection({
      validation: null,
      why: "No dataset under `x`: nothing measured to compare.",
      calibrationFile: null,
      calibration: null,
      datasets: [],
      rows: [],
      hardware: null,
    });
    expect(md).toBe("## 2. Our measurements (held-out configurations)\n\nNo dataset under `x`: nothing measured to compare.\n");
  });

  it("where the reader's CPU goes: a row per mode and split flag, measured beside the model, its charges worked out", () => {
    expect(readerSplitSection(null)).toBe("");
    const sp = (v: number) => ({ median: v, mad: 0, min: v, max: v, n: 1 });
    const base = {
      shape: "veth",
      runs: 1,
      gbps: sp(10),
      recordsPerS: sp(1000),
      readerCores: sp(0.2),
      sleepsPerRecord: sp(0.2),
      clockUsPerSleep: sp(1000),
      clockNsPerRecord: sp(200000),
    };
    const md = readerSplitSection({
      file: "validation/data/reader-split/x-split.jsonl",
      summaries: [
        { ...base, mode: "perf", split: true, epollUsPerSleep: sp(12), walkNsPerRecord: sp(200), epollShare: sp(0.9) },
        { ...base, mode: "perf", split: false },
      ],
      baselineGbps: sp(20),
      simulated: { perf: { recordsPerS: 1500, sleepsPerRecord: 0.25, billedUsPerSleep: 900, billedNsPerRecord: 225000 } },
      model: {
        calibration: "c.json",
        contextSwitchNs: 3000,
        epollWaitNs: 500,
        consumeNs: 20,
        methods: { contextSwitchNs: "fitted", epollWaitNs: "literature", consumeNs: "measured" },
      },
    });
    // 2 x 3000 + 2 x 500 = 7000 ns per sleep; 200 / 20 = 10 times the per-record charge
    const quoted = [
      "runs without a parser give the traffic offered, 20.0 (20.0–20.0) Gb/s, which the model is offered too",
      "| perf | yes | 1 | 1000 / 1500 | 0.200 / 0.250 | 1000.0 / 900.0 | 200000 / 225000 | 12.0 (12.0–12.0) | 200 (200–200) | 0.90 (0.90–0.90) |",
      "| perf | no | 1 | 1000 / 1500 | 0.200 / 0.250 | 1000.0 / 900.0 | 200000 / 225000 | — | — | — |",
      "(epollWaitNs 500 ns, literature): 7.0 µs, the rest of its figure per sleep",
      "Measured, 90% of the reader's clock is the epoll path",
      "10 times the model's consumeNs (20.0 ns, measured",
      "Per sleep the model bills 900.0 µs (perf) against 1000.0 µs (perf, split), 1000.0 µs (perf) measured",
    ];
    for (const q of quoted) expect(md, q).toContain(q);
  });

  it("the band file the notebooks read: rounded, with each row's node size, tool and placement", () => {
    const rows = bandRows(rep, (hw) => (hw === "azure-d32s-v5" ? 32 : NaN));
    expect(rows).toEqual([
      {
        key: "32-core scenarios|the usual deployment",
        cores: 32,
        tool: "retina-perf",
        placement: "limited",
        published: 43,
        atDefaults: 10.12,
        low: 8.46,
        high: 20.79,
        jointLow: 7.5,
        jointHigh: 24.25,
      },
    ]);
    const json = JSON.parse(bandJson(rows));
    expect(json.generatedBy).toBe("npm run validate (src/validation/report.ts)");
    expect(json.rows).toEqual(rows);
  });

  it("what a window-limited receiver would need: flows per row, every row at the median, the rise and the order said from the data", () => {
    const row = (table: string, label: string, target: number, flows: number | undefined, status: "found" | "already-above" | "unreachable") => ({
      table,
      label,
      targetPct: target,
      modelPct: 10,
      baselineGbps: 8,
      flows,
      achievedPct: target + 1,
      oneFlowPct: 70,
      status,
      evaluations: 4,
    });
    const byCores = "throughput by core count (perf array, default)";
    const s32 = "32-core scenarios";
    const d = {
      rows: [row(byCores, "4 cores", 0, undefined, "already-above"), row(byCores, "16 cores", 14, 7, "found"), row(s32, "ring buffer", 7.5, 3, "found")],
      common: {
        flows: 3,
        rows: [
          { table: byCores, label: "4 cores", published: 0, predictedPct: 1 },
          { table: byCores, label: "16 cores", published: 14, predictedPct: 20 },
          { table: byCores, label: "32 cores", published: 44, predictedPct: 40 },
          { table: byCores, label: "64 cores", published: 50, predictedPct: 45 },
          { table: s32, label: "perf array, default", published: 43, predictedPct: 40 },
          { table: s32, label: "ring buffer", published: 7.5, predictedPct: 9 },
        ],
      },
    };
    const md = requiredFlowsSection(d, settings);
    expect(md).toContain("| 16 cores | 14.0 | 10.0 | 70.0 | 7 | 15.0 | found |");
    expect(md).toContain("| 4 cores | 0.0 | 10.0 | 70.0 | (already above) | 1.0 | already-above |");
    expect(md).toContain("The rows need between 3 and 7 window-limited flows; at the median, 3, every row:");
    expect(md).toContain("rises with core count (4 < 16 < 32 <= 64)");
    expect(md).toContain("the 32-core order (highest overhead first) is perf array, default > ring buffer, the published one.");
    expect(md).toContain("5 of 6 rows are within 5 pp (mean |error| 3.4 pp), against 2 of 3 (5.5 pp) with CPU-bound receivers.");
    expect(md).toContain("the rows need between 3 and 7 flows");
    const tied = { ...d, common: { ...d.common, rows: d.common.rows.map((r) => (r.label === "ring buffer" ? { ...r, predictedPct: 39.8 } : r)) } };
    const mdTie = requiredFlowsSection(tied, settings);
    expect(mdTie).toContain("with perf array, default and ring buffer within 0.5 pp of each other (a tie, not an order)");
    expect(mdTie).not.toContain("> ring buffer, the published one.");
    const flat = { ...d, common: { ...d.common, rows: d.common.rows.map((r) => (r.label === "64 cores" ? { ...r, predictedPct: 30 } : r)) } };
    expect(requiredFlowsSection(flat, settings)).toContain("does not rise with core count");
    expect(requiredFlowsSection({ rows: d.rows, common: null }, settings)).not.toContain("at the median");
  });
});
