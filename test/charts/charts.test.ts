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

/** x positions of axis labels, in the order the labels are drawn (vega draws axis labels left to right). */
const labelOrder = (svg: string, names: string[]) => names.map((n) => svg.indexOf(`>${n}</text>`));

describe("every shipped chart, rendered, asserted on its data", () => {
  it("predict --chart with --traffic (no throughput lost): the node CPU by mechanism, not a row of zeros", async () => {
    const p = predict({ hardware: "azure-d16s-v5", tool: "retina-perf", trafficGbps: 4 }, { replications: 2, durationS: 0.05 });
    expect(Object.values(p.result.attribution).every((x) => x.mean === 0)).toBe(true);
    const spec = attributionChart(p.result) as unknown as { data: { values: { mechanism: string; value: number; low: number }[] }; title: { text: string } };
    expect(spec.title.text).toMatch(/^Node CPU by mechanism/);
    const vals = spec.data.values;
    expect(vals.some((v) => v.value > 0)).toBe(true);
    expect(vals.reduce((a, v) => a + v.value, 0)).toBeCloseTo(
      Object.values(p.result.cpuByMechanism).reduce((a, x) => a + x.mean, 0),
      9,
    );
    expect(vals.every((v) => v.low >= 0)).toBe(true);
    const svg = await renderSvg(attributionChart(p.result));
    expect(count(svg, "bar")).toBe(vals.length);
    expect(svg).toContain("cores of node CPU");
  });

  it("sweep chart, hardware on x: ordered by vCPUs, every tool's point visible beside the others (xOffset), no filled line", async () => {
    const hw = ["azure-d64s-v5", "azure-d16s-v5", "azure-d4s-v5", "aws-m7i-48xlarge"];
    const rows = hw.flatMap((h, i) =>
      ["retina-perf", "retina-ringbuf"].map((t, j) => ({ spec: { hardware: h, tool: t }, result: { nodeCpuPct: e(1 + i + j) } })),
    );
    const spec = sweepChart(rows, "hardware", "nodeCpuPct", "tool") as unknown as {
      mark: { type: string; filled?: boolean };
      encoding: Record<string, { sort?: string[] }>;
    };
    expect(spec.encoding.x.sort).toEqual(["azure-d4s-v5", "azure-d16s-v5", "azure-d64s-v5", "aws-m7i-48xlarge"]);
    expect(spec.encoding.xOffset).toBeDefined();
    expect(spec.mark.type).toBe("point");
    const svg = await renderSvg(spec as never);
    expect(count(svg, "point")).toBe(8);
    const pos = labelOrder(svg, ["azure-d4s-v5", "azure-d16s-v5", "azure-d64s-v5", "aws-m7i-48xlarge"]);
    expect(pos.every((x) => x >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
  });

  it("sweep chart, quantitative x: a line per series (colour x every other varying field), never a filled mark", async () => {
    const rows = ["azure-d4s-v5", "azure-d32s-v5"].flatMap((h) =>
      ["retina-perf", "retina-ringbuf"].flatMap((t) =>
        [8, 2, 4].map((g) => ({ spec: { hardware: h, tool: t, trafficGbps: g }, result: { nodeCpuPct: e(g / (h.includes("d4s") ? 1 : 8)) } })),
      ),
    );
    const spec = sweepChart(rows, "trafficGbps", "nodeCpuPct", "tool") as unknown as {
      mark: { type: string; filled?: boolean };
      encoding: Record<string, unknown>;
      data: { values: { x: number }[] };
    };
    expect(spec.mark.type).toBe("line");
    expect(spec.mark.filled).toBeUndefined();
    expect(spec.encoding.detail).toBeDefined();
    const xs = spec.data.values.map((v) => v.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    const svg = await renderSvg(spec as never);
    expect(count(svg, "line mark")).toBe(4); // 2 tools x 2 hardware
    expect(count(svg, "point")).toBe(12);
  });

  it("crossover chart: ordered by vCPUs, one line per tool, interval bands never below 0", async () => {
    const rows = [64, 4, 16].flatMap((v) => [
      { vcpus: v, tool: "perf", overheadPct: { mean: 1, halfWidth: 3, low: -2, high: 4, n: 3 } },
      { vcpus: v, tool: "ringbuf", overheadPct: e(8 / v) },
    ]);
    const spec = overheadByCoresChart(rows) as unknown as { data: { values: { vcpus: number; low: number }[] } };
    const v = spec.data.values.map((x) => x.vcpus);
    expect(v).toEqual([...v].sort((a, b) => a - b));
    expect(spec.data.values.every((x) => x.low >= 0)).toBe(true);
    const svg = await renderSvg(spec as never);
    expect(count(svg, "line mark")).toBe(2);
  });
});
