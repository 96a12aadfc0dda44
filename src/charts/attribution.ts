/**
 * `attributionChart(result)`: what the agent costs, by mechanism, a horizontal bar per entry with its
 * 95% interval: the throughput it takes (attribution, percentage points), or, when it takes none (offered
 * traffic the node still carries, e.g. `predict --traffic`), the node CPU it takes (cpuByMechanism,
 * cores), so the chart is never a row of zeros while the agent costs CPU.
 */
import type { SimulationResult } from "../node/simulate.ts";
import type { VegaLiteSpec } from "./render.ts";

export function attributionChart(result: SimulationResult): VegaLiteSpec {
  const s = result.scenario;
  const throughput = Object.values(result.attribution).some((e) => e.mean !== 0);
  const source = throughput ? result.attribution : result.cpuByMechanism;
  const values = Object.entries(source).map(([mechanism, e]) => ({ mechanism, value: e.mean, low: Math.max(0, e.low), high: e.high }));
  const order = [...values].sort((a, b) => b.value - a.value).map((v) => v.mechanism);
  const cores = Object.values(result.cpuByMechanism).reduce((a, e) => a + e.mean, 0);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: throughput
      ? {
          text: `Overhead by mechanism: ${s.tool ?? "no agent"} on ${s.hardware}`,
          subtitle: `total ${result.overheadPct.mean.toFixed(2)} ± ${result.overheadPct.halfWidth.toFixed(2)} % of throughput (95% CI), calibration ${s.calibration}`,
        }
      : {
          text: `Node CPU by mechanism: ${s.tool ?? "no agent"} on ${s.hardware}`,
          subtitle: `no throughput lost; the agent takes ${cores.toFixed(3)} cores = ${result.nodeCpuPct.mean.toFixed(2)}% of the node (95% CI bars), calibration ${s.calibration}`,
        },
    width: 360,
    height: 180,
    data: { values },
    encoding: { y: { field: "mechanism", type: "nominal", sort: order, title: null } },
    layer: [
      {
        mark: { type: "bar", color: "#4c78a8" },
        encoding: { x: { field: "value", type: "quantitative", title: throughput ? "percentage points of throughput" : "cores of node CPU" } },
      },
      { mark: { type: "rule", color: "black" }, encoding: { x: { field: "low", type: "quantitative" }, x2: { field: "high" } } },
    ],
  } as VegaLiteSpec;
}
