/** `overheadByCoresChart(rows)`: overhead against vCPUs, one line per tool, with 95% interval bands (crossover's rows). */
import type { Estimate } from "../engine/index.ts";
import type { VegaLiteSpec } from "./render.ts";

export interface OverheadPoint {
  vcpus: number;
  tool: string;
  overheadPct: Estimate;
}

/** `yTitle` names what overheadPct holds (e.g. "node CPU (%)" for crossover --metric cpu). */
export function overheadByCoresChart(rows: OverheadPoint[], title = "Overhead by node size", yTitle = "overhead (%)"): VegaLiteSpec {
  // ordered by vCPUs (the line's order), then tool
  const values = [...rows]
    .sort((a, b) => a.vcpus - b.vcpus || a.tool.localeCompare(b.tool))
    .map((r) => ({ vcpus: r.vcpus, tool: r.tool, overhead: r.overheadPct.mean, low: Math.max(0, r.overheadPct.low), high: r.overheadPct.high }));
  const x = { field: "vcpus", type: "quantitative", title: "vCPUs", scale: { type: "log", base: 2 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 360,
    height: 220,
    data: { values },
    layer: [
      {
        mark: { type: "area", opacity: 0.2 },
        encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" }, color: { field: "tool", type: "nominal" } },
      },
      {
        mark: { type: "line", point: true },
        encoding: { x, y: { field: "overhead", type: "quantitative", title: yTitle }, color: { field: "tool", type: "nominal", title: "tool" } },
      },
    ],
  } as VegaLiteSpec;
}
