/**
 * `sweepChart(rows, x, y, color)`: a sweep's points, one field against another, coloured by a third.
 * Fields are spec fields (`hardware`, `trafficGbps`, ...) or result metrics (`overheadPct`, `lostPerS`, ...,
 * plotted as their mean).
 */
import type { VegaLiteSpec } from "./render.ts";

export interface SweepRow {
  spec: Record<string, unknown>;
  result?: Record<string, unknown>;
}

/** The value of a field in a sweep row: a spec field, or a result metric's mean. */
export function sweepValue(row: SweepRow, field: string): unknown {
  if (field in row.spec) return row.spec[field];
  const v = row.result?.[field];
  if (v !== null && typeof v === "object" && "mean" in (v as object)) return (v as { mean: number }).mean;
  return v;
}

export function sweepChart(rows: SweepRow[], x: string, y: string, color?: string): VegaLiteSpec {
  const values = rows
    .filter((r) => r.result !== undefined)
    .map((r) => ({ x: sweepValue(r, x), y: sweepValue(r, y), ...(color ? { c: String(sweepValue(r, color)) } : {}) }));
  const quant = values.every((v) => typeof v.x === "number");
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${y} by ${x}${color ? ` and ${color}` : ""}`,
    width: 360,
    height: 220,
    data: { values },
    mark: { type: quant ? "line" : "point", point: quant ? true : undefined, filled: true } as object,
    encoding: {
      x: { field: "x", type: quant ? "quantitative" : "nominal", title: x },
      y: { field: "y", type: "quantitative", title: y },
      ...(color ? { color: { field: "c", type: "nominal", title: color } } : {}),
    },
  } as VegaLiteSpec;
}
