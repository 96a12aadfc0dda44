/**
 * Section 2 over the held-out dataset list (validation/held-out-datasets.json): the list's format,
 * a listed file that does not exist yet, runs dropped as contended, the score and goal per shape, the
 * reader-sleeps column, the chart per dataset. Synthetic rows (no simulation) unless stated; the
 * lo-p2 rows have the shape of a `bpfsim measure --shape lo-p2` smoke run (fixtures/lo-p2-smoke.jsonl).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DatasetRow } from "../../src/measure/jsonl.ts";
import { loadCalibration, loadHardware } from "../../src/models/load.ts";
import type { FittedCalibrationFile } from "../../src/validation/held-out.ts";
import type { MeasuredComparison, MeasuredValidation } from "../../src/validation/measured.ts";
import {
  compareHeldOutDataset,
  heldOutChartName,
  heldOutScore,
  readHeldOutDatasetList,
  runRanges,
  shapeGoals,
  type HeldOutDatasetEntry,
  type HeldOutDatasetResult,
  type MeasuredData,
  type ReportData,
} from "../../src/validation/report-data.ts";
import { measuredSection, wakeupSection } from "../../src/validation/report-sections.ts";
import { reportChartSpecs } from "../../src/validation/report-charts.ts";
import { PACKAGE_ROOT } from "../../src/models/paths.ts";

const cal: FittedCalibrationFile = { calibration: loadCalibration("kvm-2vcpu-amd-epyc"), heldOut: [], file: "models/calibration/kvm-2vcpu-amd-epyc.json" };
const SIM = { seed: 1, replications: 2, durationS: 0.22, warmupS: 0.02 };

/** A throughput row; `user` ticks of 200 total make its foreign share user / 200. */
const tp = (configId: string, rep: number, gbps: number, o: { settings?: object; shape?: string; user?: number; loader?: object } = {}): DatasetRow =>
  ({
    kind: "throughput",
    runId: `${configId}#${rep}`,
    configId,
    rep,
    hostClass: "kvm-2vcpu-amd-epyc",
    config: { id: configId, ...(o.settings ? { settings: o.settings } : {}), ...(o.shape ? { shape: o.shape } : {}) },
    durationS: 5,
    userHz: 100,
    iperf: { bitsPerSecond: gbps * 1e9, bytes: 1, retransmits: 0, senderCpuPercent: 0, receiverCpuPercent: 0 },
    procStat: { ctxt: 0, cpu: { user: o.user ?? 0, nice: 0, system: 150, idle: 50 - (o.user ?? 0), iowait: 0, irq: 0, softirq: 0, steal: 0 } },
    ...(o.loader ? { loader: o.loader } : {}),
  }) as unknown as DatasetRow;

const entry = (file: string, shape: "veth" | "lo-p2", maxForeignShare: number | null = 0.1, countsForGoal = true): HeldOutDatasetEntry => ({
  file,
  shape,
  maxForeignShare,
  countsForGoal,
});

describe("the held-out dataset list", () => {
  it("the shipped list: the calibration's own dataset first (no limit, not the goal's yardstick), then the veth and lo-p2 campaigns and the veth CPU-limit sweep at 0.1", () => {
    const l = readHeldOutDatasetList(join(PACKAGE_ROOT, "validation", "held-out-datasets.json"));
    expect(l.file).toBe("validation/held-out-datasets.json");
    expect(l.datasets.map((d) => [d.file, d.shape, d.maxForeignShare, d.countsForGoal])).toEqual([
      ["validation/data/kvm-2vcpu-amd-epyc-2026-11-25.jsonl", "veth", null, false],
      ["validation/data/kvm-2vcpu-amd-epyc-2026-12-02-heldout-veth.jsonl", "veth", 0.1, true],
      ["validation/data/kvm-2vcpu-amd-epyc-2026-12-02-heldout-lo-p2.jsonl", "lo-p2", 0.1, true],
      ["validation/data/kvm-2vcpu-amd-epyc-2026-12-02-limits-veth.jsonl", "veth", 0.1, true],
    ]);
    expect(l.maxForeignShareWhy).toMatch(/0\.1 because/);
  });
  it("a malformed entry is refused with its index", () => {
    const dir = mkdtempSync(join(tmpdir(), "heldout-list-"));
    const p = join(dir, "l.json");
    writeFileSync(
      p,
      JSON.stringify({
        note: "",
        datasets: [
          { file: "a.jsonl", shape: "veth", maxForeignShare: null },
          { file: "b.jsonl", shape: "tun", maxForeignShare: 0.1 },
        ],
      }),
    );
    expect(() => readHeldOutDatasetList(p)).toThrow(/datasets\[1\]\.shape/);
    writeFileSync(p, JSON.stringify({ datasets: [{ file: "a.jsonl", shape: "veth", maxForeignShare: 2 }] }));
    expect(() => readHeldOutDatasetList(p)).toThrow(/maxForeignShare/);
    // countsForGoal defaults to true
    writeFileSync(p, JSON.stringify({ datasets: [{ file: "a.jsonl", shape: "lo-p2", maxForeignShare: null }] }));
    expect(readHeldOutDatasetList(p).datasets[0].countsForGoal).toBe(true);
  });
  it("chart names: the calibration's own dataset keeps held-out.svg, another one is named after its file", () => {
    expect(heldOutChartName(entry("validation/data/a.jsonl", "veth"), true)).toBe("held-out.svg");
    expect(heldOutChartName(entry("validation/data/x-heldout-lo-p2.jsonl", "lo-p2"), false)).toBe("held-out-x-heldout-lo-p2.svg");
  });
  it("run lists as ranges (the wording of what each constant was fitted on)", () => {
    expect(runRanges(["tpw-perf#0", "tpw-perf#1", "tpw-perf#2", "tpw-ringbuf#0", "tpw-ringbuf#1", "tpw-ringbuf#2"])).toBe("tpw-perf#0–2, tpw-ringbuf#0–2");
    expect(runRanges(["a#0", "a#2", "a#3", "b"])).toBe("a#0,2–3, b");
  });
});

describe("compareHeldOutDataset", () => {
  it("a listed file that does not exist: not compared, said in one line, no crash", () => {
    const r = compareHeldOutDataset(entry("validation/data/not-yet.jsonl", "lo-p2"), cal, SIM, () => null);
    expect(r.exists).toBe(false);
    expect(r.validation).toBeNull();
    expect(r.chart).toBeNull();
    const md = measuredSection(section([r]));
    expect(md).toContain("### `validation/data/not-yet.jsonl` (lo-p2)\n\nNot measured yet: the file does not exist.");
    expect(md).toContain("- lo-p2: not measured yet (`validation/data/not-yet.jsonl` does not exist yet).");
  });

  it("contended runs (baseline included) are dropped and listed with their share; the rest compared as another campaign's file", () => {
    const rows = [
      tp("tp-lo-p2-baseline", 0, 20, { shape: "lo-p2" }),
      tp("tp-lo-p2-baseline", 1, 10, { shape: "lo-p2", user: 100 }), // 50% foreign: dropped
      tp("tp-lo-p2-none", 0, 18, { shape: "lo-p2", settings: { mode: "none" } }),
      tp("tp-lo-p2-none", 1, 17, { shape: "lo-p2", settings: { mode: "none" }, user: 30 }), // 15%: dropped
      tp("tp-none", 0, 5, { settings: { mode: "none" } }), // veth: another shape
    ];
    const r = compareHeldOutDataset(entry("validation/data/x.jsonl", "lo-p2"), cal, SIM, () => rows);
    const v = r.validation!;
    expect(r.calibrationDataset).toBe(false);
    expect(r.workload).toBe("iperf3-lo-p2");
    expect(v.baseline?.runs).toEqual(["tp-lo-p2-baseline#0"]);
    expect(v.selection.contended.map((c) => [c.runId, c.foreignShare])).toEqual([
      ["tp-lo-p2-baseline#1", 0.5],
      ["tp-lo-p2-none#1", 0.15],
    ]);
    expect(v.comparisons.map((c) => c.config.configId)).toEqual(["tp-lo-p2-none"]);
    const md = measuredSection(section([r]));
    expect(md).toContain(
      "Runs dropped as contended: 2, because other tenants used more than 10% of the CPUs in user space during them (foreignCpuShare): tp-lo-p2-baseline#1 (50%), tp-lo-p2-none#1 (15%).",
    );
    expect(md).toContain("Baseline (`tp-lo-p2-baseline`, 1 run, an input): median 20.00 Gb/s");
    // one configuration (the program without output), predicted
    expect(md).toMatch(/Inside the measured spread: [01] of 1 held-out configurations \((0|100)%\); 0 could not be predicted\./);
  });

  it("maxForeignShare null keeps every run", () => {
    const rows = [tp("tp-baseline", 0, 20), tp("tp-none", 0, 17, { settings: { mode: "none" }, user: 150 })];
    const r = compareHeldOutDataset(entry("validation/data/x.jsonl", "veth", null), cal, SIM, () => rows);
    expect(r.validation!.selection.contended).toEqual([]);
    expect(measuredSection(section([r]))).toContain("Runs dropped as contended: none (no limit on other tenants' CPU share is set for this dataset).");
  });

  it("the calibration's own dataset (its provenance names the file) is compared as before: runs not listed as held out are used", () => {
    const own = cal.calibration.provenance.datasets!.throughput[0];
    const rows = [tp("tp-baseline", 0, 20), tp("tp-none", 0, 17, { settings: { mode: "none" } })];
    const r = compareHeldOutDataset(entry(own, "veth", null, false), { ...cal, heldOut: ["tp-none#0"] }, SIM, () => rows);
    expect(r.calibrationDataset).toBe(true);
    expect(r.chart).toBe("held-out.svg");
    expect(r.validation!.baseline!.used).toBe(true);
    expect(r.validation!.comparisons.map((c) => c.config.configId)).toEqual(["tp-none"]);
  });

  it("lo-p2 rows as `bpfsim measure --shape lo-p2` writes them: predicted, with the reader's sleeps per record beside the model's", () => {
    const rows = readFileSync(new URL("./fixtures/lo-p2-smoke.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as DatasetRow);
    // the smoke run was taken on a busy machine: every run is contended at 0.1, so keep them all here
    const r = compareHeldOutDataset(entry("validation/data/x-heldout-lo-p2.jsonl", "lo-p2", null), cal, SIM, () => rows);
    const perf = r.validation!.comparisons.findIndex((c) => c.config.configId === "tp-lo-p2-perf");
    expect(r.validation!.comparisons[perf].result).not.toBeNull();
    expect(r.mechanisms[perf].cyclesPerRecord.measuredMedian).toBeCloseTo(10278 / 68646, 9);
    expect(r.mechanisms[perf].cyclesPerRecord.predicted).toBeGreaterThan(0);
    expect(r.validation!.selection.fittedConfigurations).toEqual([]); // no constant was fitted on a lo-p2 id
    const md = measuredSection(section([r]));
    // sleeps per record, then the reader's billed CPU (loader reader_cpu_s / duration_s), each measured / model
    const cores = r.mechanisms[perf].readerCores;
    expect(cores.predicted).toBeGreaterThan(0);
    const c3 = cores.measuredMedian!.toFixed(3).replace(".", "\\.");
    expect(md).toMatch(
      new RegExp(
        `\\| tp-lo-p2-perf \\| perf 64 pages, wakeup_events 1, sample 1/1, unlimited \\| 1 \\|.*\\| 0\\.150 \\(0\\.150–0\\.150\\) / \\d\\.\\d{3} \\| ${c3} \\(${c3}–${c3}\\) / \\d\\.\\d{3} \\|`,
      ),
    );
    expect(md).toContain("![Held-out configurations, measured and predicted](charts/held-out-x-heldout-lo-p2.png)");
    const charts = reportChartSpecs({ scaling: { points: [], saturating: [], seedPoints: [] }, measured: section([r]) } as unknown as ReportData);
    expect(Object.keys(charts)).toContain("held-out-x-heldout-lo-p2.svg");
  });
});

describe("a listed dataset's wakeup file", () => {
  const rows = [tp("tp-lo-p2-baseline", 0, 20, { shape: "lo-p2" })];
  const wl = (configId: string, rep: number, ipis: number, user = 0) =>
    tp(configId, rep, 20, {
      shape: "lo-p2",
      user,
      settings: { mode: "perf", perfPages: 64, wakeupEvents: 1 },
      loader: { emitted: 1000, failed: 0, irq_work_ipis: ipis, duration_s: 5, reader_cpu_s: 0 },
    });
  it("listed but not there yet: one line", () => {
    const e = { ...entry("validation/data/x.jsonl", "lo-p2"), wakeups: "validation/data/x-wakeups.jsonl" };
    const r = compareHeldOutDataset(e, cal, SIM, (f) => (f === e.file ? rows : null));
    expect(r.wakeups).toBe("missing");
    expect(measuredSection(section([r]))).toContain("Wakeups per record: `validation/data/x-wakeups.jsonl` not measured yet (the file does not exist).");
  });
  it("there: the shape's runs, contended ones dropped, predicted at the dataset's baseline; no run marked as fitted", () => {
    const e = { ...entry("validation/data/x.jsonl", "lo-p2"), wakeups: "validation/data/x-wakeups.jsonl" };
    const w = [
      wl("tpw-lo-p2-perf", 0, 1000),
      wl("tpw-lo-p2-perf", 1, 990),
      wl("tpw-lo-p2-perf", 2, 10, 100),
      tp("tpw-perf", 0, 20, { settings: { mode: "perf" }, loader: { emitted: 10, failed: 0, irq_work_ipis: 1 } }),
    ];
    const r = compareHeldOutDataset(e, cal, SIM, (f) => (f === e.file ? rows : w));
    const wk = r.wakeups as Exclude<HeldOutDatasetResult["wakeups"], "missing" | null | undefined>;
    expect(wk.rows.map((x) => [x.configId, x.runs, x.medianRatio, x.usedRuns])).toEqual([["tpw-lo-p2-perf", 2, 0.995, 0]]);
    expect("ratio" in wk.rows[0].predicted).toBe(true);
    const md = measuredSection(section([r]));
    expect(md).toContain("#### Wakeups per record (lo-p2)");
    expect(md).toContain("Runs used by the calibration are marked: none (no constant was fitted on this file's runs).");
    expect(md).toMatch(/\| tpw-lo-p2-perf \| 2 \| 0\.995 \(0\.990–1\.000\) \| \d\.\d{3} \| no \|/);
  });
});

/** A validation with made-up comparisons (no simulation): inside / outside / not predicted. */
function fakeValidation(cs: { id: string; inside: boolean | null; err: number | null }[], fitted: string[] = []): MeasuredValidation {
  return {
    baseline: { configId: "tp-baseline", runs: ["tp-baseline#0"], medianGbps: 20, minGbps: 20, maxGbps: 20, used: false },
    selection: { heldOut: [], partial: [], used: [], usedRuns: new Set(), fittedConfigurations: fitted, contended: [] },
    comparisons: cs.map(
      (c) =>
        ({
          config: {
            configId: c.id,
            settings: undefined,
            cpuLimit: undefined,
            runs: ["r#0", "r#1", "r#2"],
            gbps: [1, 2, 3],
            medianGbps: 2,
            minGbps: 1,
            maxGbps: 3,
          },
          scenario: "s",
          notes: [],
          result: null,
          errorPct: c.err,
          insideSpread: c.inside,
          measuredOverheadPct: 10,
        }) as MeasuredComparison,
    ),
  };
}

describe("scores and goal lines", () => {
  it("heldOutScore: not-predicted configurations count against the goal; mean |error| over the predicted; fitted ids kept apart", () => {
    const s = heldOutScore([
      fakeValidation(
        [
          { id: "tp-perf", inside: true, err: -10 },
          { id: "tp-a", inside: true, err: 20 },
          { id: "tp-b", inside: false, err: 30 },
          { id: "tp-none", inside: null, err: null },
        ],
        ["tp-perf"],
      ),
    ]);
    expect(s).toEqual({ n: 4, predicted: 3, inside: 2, unfitted: { n: 3, inside: 1 }, meanAbsErrorPct: 20, worstAbsErrorPct: 30, met: false });
    expect(
      heldOutScore([
        fakeValidation([
          { id: "a", inside: true, err: 1 },
          { id: "b", inside: true, err: 1 },
          { id: "c", inside: true, err: 1 },
          { id: "d", inside: true, err: 1 },
          { id: "e", inside: false, err: 1 },
        ]),
      ]).met,
    ).toBe(true);
  });

  it("shapeGoals pools each shape's counted, existing datasets; a shape whose datasets are all missing is 'not measured yet'", () => {
    const res = (file: string, shape: "veth" | "lo-p2", v: MeasuredValidation | null, countsForGoal = true): HeldOutDatasetResult => ({
      entry: entry(file, shape, 0.1, countsForGoal),
      exists: v !== null,
      calibrationDataset: false,
      hardware: "dev-kvm-2vcpu",
      workload: shape === "veth" ? "iperf3-veth" : "iperf3-lo-p2",
      validation: v,
      mechanisms: [],
      chart: null,
    });
    const g = shapeGoals([
      res("own.jsonl", "veth", fakeValidation([{ id: "x", inside: false, err: 50 }]), false),
      res("v1.jsonl", "veth", fakeValidation([{ id: "a", inside: true, err: 5 }])),
      res("v2.jsonl", "veth", fakeValidation([{ id: "a", inside: true, err: 15 }])),
      res("lo.jsonl", "lo-p2", null),
    ]);
    expect(g.map((x) => [x.shape, x.files, x.score?.inside, x.score?.n, x.score?.meanAbsErrorPct])).toEqual([
      ["veth", ["v1.jsonl", "v2.jsonl"], 2, 2, 10],
      ["lo-p2", [], undefined, undefined, undefined],
    ]);
  });

  it("the wakeup table says what runqueueWaitNs and irqWorkLatencyNs were fitted on, from the calibration's run lists", () => {
    const md = wakeupSection({
      file: "validation/data/x-wakeups.jsonl",
      rows: [],
      fittedBy: [
        { constant: "irqWorkLatencyNs", runs: ["tpw-perf#0", "tpw-perf#1", "tpw-perf#2"] },
        { constant: "runqueueWaitNs", runs: ["tpw-perf#0", "tpw-perf#1", "tpw-perf#2", "tpw-ringbuf#0", "tpw-ringbuf#1", "tpw-ringbuf#2"] },
      ],
    });
    expect(md).toContain(
      "irqWorkLatencyNs fitted on tpw-perf#0–2 (irq_work interrupts per record); runqueueWaitNs fitted on tpw-perf#0–2, tpw-ringbuf#0–2 (the reader's sleeps per record",
    );
    // the shipped calibration lists exactly those runs
    expect(cal.calibration.constants.runqueueWaitNs.runs).toEqual([
      "tpw-perf#0",
      "tpw-perf#1",
      "tpw-perf#2",
      "tpw-ringbuf#0",
      "tpw-ringbuf#1",
      "tpw-ringbuf#2",
    ]);
  });
});

/** Section 2's data around some listed results (the calibration's own dataset's validation is the first compared one). */
function section(results: HeldOutDatasetResult[]): MeasuredData {
  const hw = loadHardware("dev-kvm-2vcpu");
  const first = results.find((r) => r.validation !== null)?.validation ?? fakeValidation([]);
  return {
    validation: first,
    why: "",
    calibrationFile: cal.file,
    calibration: cal,
    datasets: [],
    rows: [],
    hardware: { name: hw.name, vcpus: hw.vcpus, bandwidthGbps: hw.nic.bandwidthGbps, rxQueues: hw.nic.rxQueues },
    heldOut: { list: { file: "validation/held-out-datasets.json", note: "", maxForeignShareWhy: "because.", datasets: results.map((r) => r.entry) }, results },
  };
}
