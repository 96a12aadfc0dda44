/**
 * `sweepChart(rows, x, y, color)`: a sweep's points, one field against another, coloured by a third.
 * Fields are spec fields (`hardware`, `trafficGbps`, ...) or result metrics (`overheadPct`, `lostPerS`, ...,
 * plotted as their mean).
 *
 * Hardware is ordered by vCPUs (then name), on an axis or in a legend, never alphabetically. On a
 * nominal x, the colours of one x value sit side by side (xOffset) so no point hides another; on a
 * quantitative x, one line per series: a colour and every other spec field that varies (the `series`
 * field, as `detail`), so points of different series are never joined into one zig-zag polygon.
 */
import { loadHardware } from "../models/load.ts";
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

/** Hardware names ordered by vCPUs, then name (profiles that cannot be read go last, by name). */
export function hardwareOrder(names: readonly string[]): string[] {
  const vcpus = new Map<string, number>();
  for (const n of new Set(names)) {
    try {
      vcpus.set(n, loadHardware(n).vcpus);
    } catch {
      vcpus.set(n, Infinity);
    }
  }
  return [...vcpus.keys()].sort((a, b) => vcpus.get(a)! - vcpus.get(b)! || a.localeCompare(b));
}

export function sweepChart(rows: SweepRow[], x: string, y: string, color?: string): VegaLiteSpec {
  const ok = rows.filter((r) => r.result !== undefined);
  // the spec fields that vary besides x and colour: each combination is a series of its own
  const varying = [...new Set(ok.flatMap((r) => Object.keys(r.spec)))].filter(
    (k) => k !== x && k !== color && new Set(ok.map((r) => JSON.stringify(r.spec[k]))).size > 1,
  );
  const values = ok.map((r) => ({
    x: sweepValue(r, x),
    y: sweepValue(r, y),
    ...(color ? { c: String(sweepValue(r, color)) } : {}),
    series: varying.map((k) => `${k}=${String(r.spec[k])}`).join(", "),
  }));
  const quant = values.length > 0 && values.every((v) => typeof v.x === "number");
  const order = (field: string | undefined, vals: unknown[]) => (field === "hardware" ? hardwareOrder(vals.map(String)) : undefined);
  const xOrder = quant
    ? undefined
    : order(
        x,
        values.map((v) => v.x),
      );
  const cOrder = color
    ? order(
        color,
        values.map((v) => v.c),
      )
    : undefined;
  // quantitative x: sorted by x within each series (the line's order)
  if (quant) values.sort((a, b) => (a.x as number) - (b.x as number));
  const colorEnc = color ? { color: { field: "c", type: "nominal", title: color, ...(cOrder ? { sort: cOrder } : {}) } } : {};
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${y} by ${x}${color ? ` and ${color}` : ""}`,
    width: 360,
    height: 220,
    data: { values },
    mark: quant ? { type: "line", point: true } : { type: "point", filled: true },
    encoding: {
      x: { field: "x", type: quant ? "quantitative" : "nominal", title: x, ...(xOrder ? { sort: xOrder } : {}) },
      y: { field: "y", type: "quantitative", title: y },
      ...colorEnc,
      ...(!quant && color ? { xOffset: { field: "c", type: "nominal", ...(cOrder ? { sort: cOrder } : {}) } } : {}),
      ...(quant && varying.length > 0 ? { detail: { field: "series", type: "nominal" } } : {}),
      tooltip: [
        { field: "x", title: x },
        { field: "y", title: y },
        ...(color ? [{ field: "c", title: color }] : []),
        ...(varying.length > 0 ? [{ field: "series" }] : []),
      ],
    },
  } as VegaLiteSpec;
}
