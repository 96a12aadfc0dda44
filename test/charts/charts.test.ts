import { describe, expect, it } from "vitest";
import { attributionChart } from "../../src/charts/attribution.ts";
import { overheadByCoresChart } from "../../src/charts/overhead-by-cores.ts";
import { renderSvg } from "../../src/charts/render.ts";
import { sweepChart } from "../../src/charts/sweep.ts";
import { predict } from "../../src/queries/predict.ts";

const e = (mean: number) => ({ mean, halfWidth: 0.1, low: mean - 0.1, high: mean + 0.1, n: 3 });

/** vega labels each drawn item with its role: "bar", "point", "line mark", ... */
const count = (svg: string, role: string) => svg.split(`aria-roledescription="${role}"`).length - 1;

describe("charts", () => {
  it("attributionChart draws one bar per mechanism, labelled", async () => {
    const p = predict({ hardware: "azure-d8s-v5", tool: "retina-perf", observedGbps: 4 }, { replications: 2, durationS: 0.05 });
    const svg = await renderSvg(attributionChart(p.result));
    const n = Object.keys(p.result.attribution).length;
    expect(count(svg, "bar")).toBe(n);
    for (const k of Object.keys(p.result.attribution)) expect(svg).toContain(`>${k}</text>`);
  });

  it("overheadByCoresChart draws a line per tool with a point per size", async () => {
    const rows = [4, 16, 64].flatMap((v) => [
      { vcpus: v, tool: "perf", overheadPct: e(10 / v) },
      { vcpus: v, tool: "ringbuf", overheadPct: e(8 / v) },
    ]);
    const svg = await renderSvg(overheadByCoresChart(rows));
    expect(count(svg, "line mark")).toBe(2);
    expect(count(svg, "point")).toBe(6);
    expect(svg).toContain(">ringbuf</text>");
  });

  it("sweepChart plots a point per successful sweep line", async () => {
    const rows = [
      { spec: { hardware: "a", tool: "t1" }, result: { overheadPct: e(1) } },
      { spec: { hardware: "b", tool: "t1" }, result: { overheadPct: e(2) } },
      { spec: { hardware: "b", tool: "t2" }, result: { overheadPct: e(3) } },
      { spec: { hardware: "c", tool: "t2" } },
    ];
    const svg = await renderSvg(sweepChart(rows, "hardware", "overheadPct", "tool"));
    expect(count(svg, "point")).toBe(3);
  });
});
