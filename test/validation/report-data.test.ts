import { describe, expect, it } from "vitest";
import { loadCalibration } from "../../src/models/load.ts";
import { calibrationDatasets, scalingSeedPoints } from "../../src/validation/report-data.ts";
import { hasHeldOutChart, reportChartSpecs, scalingSpec } from "../../src/validation/report-charts.ts";
import type { ReportData } from "../../src/validation/report-data.ts";
import { fakeReproduce } from "./report-fixtures.ts";

describe("report data", () => {
  it("compares with the datasets the calibration's provenance names (not other files of the same host)", () => {
    const cal = loadCalibration("kvm-2vcpu-amd-epyc");
    expect(cal.provenance.datasets).toEqual({
      throughput: ["validation/data/kvm-2vcpu-amd-epyc-2026-11-25.jsonl"],
      wakeups: ["validation/data/kvm-2vcpu-amd-epyc-2026-11-25-wakeups.jsonl"],
      lost: ["validation/data/kvm-2vcpu-amd-epyc-2026-12-03-lost.jsonl"],
    });
    // the lost-output microbenchmarks fitted two constants but hold no throughput runs: never compared
    const found = [
      "validation/data/kvm-2vcpu-amd-epyc-2026-11-25-contended.jsonl",
      "validation/data/kvm-2vcpu-amd-epyc-2026-11-25.jsonl",
      "validation/data/kvm-2vcpu-amd-epyc-2026-12-03-lost.jsonl",
    ];
    expect(calibrationDatasets(cal, found)).toEqual(["validation/data/kvm-2vcpu-amd-epyc-2026-11-25.jsonl"]);
  });

  it("a calibration that names no dataset (hand-written, or written before the field): every dataset found", () => {
    const lit = loadCalibration("literature");
    expect(lit.provenance.datasets).toEqual({ throughput: [], wakeups: [] });
    const { datasets: _d, ...old } = lit.provenance;
    const found = ["validation/data/a.jsonl", "validation/data/b.jsonl"];
    expect(calibrationDatasets(lit, found)).toEqual(found);
    expect(calibrationDatasets({ ...lit, provenance: old }, found)).toEqual(found);
  });

  it("the scaling chart's study points: table 1's overheads and the 32-core ring buffer row (found by its scenario)", () => {
    const pts = scalingSeedPoints(fakeReproduce());
    expect(pts.map((p) => [p.vcpus, p.tool, p.overhead])).toEqual([
      [4, "retina-perf", 0],
      [16, "retina-perf", 14],
      [32, "retina-perf", 44],
      [64, "retina-perf", 50],
      [32, "retina-ringbuf", 7.5],
    ]);
  });
});

describe("report charts", () => {
  it("the held-out chart only when something was compared; the scaling chart always", () => {
    const d = { scaling: { points: [], saturating: [], seedPoints: [] }, measured: { validation: null } } as unknown as ReportData;
    expect(hasHeldOutChart(d)).toBe(false);
    expect(Object.keys(reportChartSpecs(d))).toEqual(["scaling.svg"]);
    const withComparisons = { ...d, measured: { validation: { comparisons: [] } } } as unknown as ReportData;
    expect(hasHeldOutChart(withComparisons)).toBe(false);
  });

  it("the scaling spec draws predictions rounded to 3 decimals and the study's points as diamonds", () => {
    const e = (m: number) => ({ mean: m, halfWidth: 0, low: m - 0.00012, high: m + 0.00012, n: 2 });
    const spec = scalingSpec(
      [{ hardware: "azure-d4s-v5", vcpus: 4, tool: "retina-perf", result: { overheadPct: e(1.23456) } } as never],
      [{ vcpus: 32, tool: "retina-ringbuf", overhead: 7.5, label: "study" }],
    ) as { layer: { data: { values: Record<string, unknown>[] }; mark: { shape?: string } }[] };
    expect(spec.layer[0].data.values).toEqual([{ vcpus: 4, tool: "retina-perf", overhead: 1.235, low: 1.234, high: 1.235 }]);
    expect(spec.layer[1].mark.shape).toBe("diamond");
    expect(spec.layer[1].data.values[0].overhead).toBe(7.5);
  });
});
