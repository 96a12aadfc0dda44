/**
 * The validation report's Vega-Lite specs, from the report's data (report-data.ts): overhead against
 * node size with the study's points (scaling), and the held-out configurations measured beside
 * predicted. Values rounded to 3 decimals so the SVGs are byte-stable.
 */
import type { VegaLiteSpec } from "../charts/render.ts";
import { f } from "./markdown.ts";
import type { MeasuredValidation } from "./measured.ts";
import type { ReportData, SeedPoint } from "./report-data.ts";
import type { ScalingPoint } from "./scaling.ts";

export function scalingSpec(points: ScalingPoint[], seedPoints: SeedPoint[]): VegaLiteSpec {
  const pred = points.map((p) => ({
    vcpus: p.vcpus,
    tool: p.tool,
    overhead: Number(f(p.result.overheadPct.mean, 3)),
    low: Number(f(p.result.overheadPct.low, 3)),
    high: Number(f(p.result.overheadPct.high, 3)),
  }));
  return {
    width: 520,
    height: 300,
    title: "Predicted overhead against node size (lines) and the field study (points)",
    layer: [
      {
        data: { values: pred },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "vcpus", type: "quantitative", scale: { type: "log", base: 2 }, title: "vCPUs", axis: { values: [4, 8, 16, 32, 64, 128, 192] } },
          y: { field: "overhead", type: "quantitative", title: "throughput overhead (%)" },
          color: { field: "tool", type: "nominal", title: "tool" },
        },
      },
      {
        data: { values: seedPoints },
        mark: { type: "point", shape: "diamond", size: 120, filled: true },
        encoding: {
          x: { field: "vcpus", type: "quantitative" },
          y: { field: "overhead", type: "quantitative" },
          color: { field: "tool", type: "nominal" },
          tooltip: { field: "label", type: "nominal" },
        },
      },
    ],
  } as VegaLiteSpec;
}

export function heldOutSpec(m: MeasuredValidation, title = "Held-out configurations on the 2-vCPU KVM host"): VegaLiteSpec {
  const values = m.comparisons.flatMap((c) => {
    const rows = [
      {
        config: c.config.configId,
        series: "measured median (min–max)",
        value: Number(f(c.config.medianGbps, 3)),
        low: Number(f(c.config.minGbps, 3)),
        high: Number(f(c.config.maxGbps, 3)),
      },
    ];
    if (c.result)
      rows.push({
        config: c.config.configId,
        series: "predicted (95% CI)",
        value: Number(f(c.result.withAgentGbps.mean, 3)),
        low: Number(f(c.result.withAgentGbps.low, 3)),
        high: Number(f(c.result.withAgentGbps.high, 3)),
      });
    return rows;
  });
  return {
    width: 520,
    height: 300,
    title,
    data: { values },
    encoding: {
      y: { field: "config", type: "nominal", title: null, sort: null },
      yOffset: { field: "series", type: "nominal" },
      color: { field: "series", type: "nominal", title: null },
    },
    layer: [
      { mark: { type: "rule" }, encoding: { x: { field: "low", type: "quantitative", title: "throughput (Gb/s)" }, x2: { field: "high" } } },
      { mark: { type: "point", filled: true, size: 60 }, encoding: { x: { field: "value", type: "quantitative" } } },
    ],
  } as VegaLiteSpec;
}

/** The report's charts by file name (under validation/charts/): the held-out chart only when something was compared. */
export function reportChartSpecs(d: ReportData): Record<string, VegaLiteSpec> {
  const specs: Record<string, VegaLiteSpec> = { "scaling.svg": scalingSpec(d.scaling.points, d.scaling.seedPoints) };
  if (hasHeldOutChart(d)) specs["held-out.svg"] = heldOutSpec(d.measured.validation!);
  // each other dataset of the held-out list that compared something: its own chart
  for (const r of d.measured.heldOut?.results ?? []) {
    if (r.chart === null || r.validation === null || r.calibrationDataset) continue;
    specs[r.chart] = heldOutSpec(r.validation, `Held-out configurations on the 2-vCPU KVM host: ${r.entry.file.replace(/^.*\//, "")} (${r.entry.shape})`);
  }
  return specs;
}

/** Whether the report has the held-out chart (some configuration of our dataset was compared). */
export function hasHeldOutChart(d: ReportData): boolean {
  return d.measured.validation !== null && d.measured.validation.comparisons.length > 0;
}
