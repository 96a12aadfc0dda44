/** `attributionChart(result)`: overhead by mechanism, a horizontal bar per attribution entry with its 95% interval. */
import type { SimulationResult } from "../node/simulate.ts";
import type { VegaLiteSpec } from "./render.ts";

export function attributionChart(result: SimulationResult): VegaLiteSpec {
  const s = result.scenario;
  const values = Object.entries(result.attribution).map(([mechanism, e]) => ({ mechanism, pp: e.mean, low: e.low, high: e.high }));
  const order = [...values].sort((a, b) => b.pp - a.pp).map((v) => v.mechanism);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `Overhead by mechanism: ${s.tool ?? "no agent"} on ${s.hardware}`, subtitle: `total ${result.overheadPct.mean.toFixed(2)} ± ${result.overheadPct.halfWidth.toFixed(2)} % (95% CI), calibration ${s.calibration}` },
    width: 360,
    height: 180,
    data: { values },
    encoding: { y: { field: "mechanism", type: "nominal", sort: order, title: null } },
    layer: [
      { mark: { type: "bar", color: "#4c78a8" }, encoding: { x: { field: "pp", type: "quantitative", title: "percentage points of throughput" } } },
      { mark: { type: "rule", color: "black" }, encoding: { x: { field: "low", type: "quantitative" }, x2: { field: "high" } } },
    ],
  } as VegaLiteSpec;
}
