/**
 * `buildReport`: validation/REPORT.md and its charts, regenerated from the model, the seed study and
 * our own measurements. Deterministic: fixed seeds, no clock, no host-dependent text; numbers are
 * rounded for printing, so the same inputs give the same bytes. `writeReport` also rasterises PNGs.
 *
 * The report in four parts: report-data.ts runs the analyses (data, no text); report-sections.ts
 * writes the markdown from that data; report-charts.ts the Vega-Lite specs; this file renders them
 * and writes the files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderPng, renderSvg } from "../charts/render.ts";
import { PACKAGE_ROOT } from "../models/paths.ts";
import { reportChartSpecs } from "./report-charts.ts";
import { reportData, type ReportOptions } from "./report-data.ts";
import { bandJson, reportMarkdown } from "./report-sections.ts";

export type { ReportOptions } from "./report-data.ts";

export interface Report {
  markdown: string;
  /** Chart file name (under validation/charts/) to SVG text. */
  charts: Record<string, string>;
  /** Other generated files under validation/ (e.g. the band the notebooks draw), name to text. */
  files: Record<string, string>;
}

export async function buildReport(options: ReportOptions = {}): Promise<Report> {
  const d = reportData(options);
  const charts: Record<string, string> = {};
  for (const [name, spec] of Object.entries(reportChartSpecs(d))) charts[name] = await renderSvg(spec);
  return { markdown: reportMarkdown(d), charts, files: { "manycore-band.json": bandJson(d.band) } };
}

export interface WriteReportResult {
  report: string;
  charts: string[];
}

/** Writes validation/REPORT.md, validation/charts/*.svg and their PNGs. */
export async function writeReport(options: ReportOptions & { outDir?: string } = {}): Promise<WriteReportResult> {
  const outDir = options.outDir ?? join(PACKAGE_ROOT, "validation");
  const r = await buildReport(options);
  mkdirSync(join(outDir, "charts"), { recursive: true });
  const report = join(outDir, "REPORT.md");
  writeFileSync(report, r.markdown);
  const written: string[] = [];
  for (const [name, text] of Object.entries(r.files)) {
    writeFileSync(join(outDir, name), text);
    written.push(join(outDir, name));
  }
  for (const [name, svg] of Object.entries(r.charts)) {
    const p = join(outDir, "charts", name);
    writeFileSync(p, svg);
    writeFileSync(p.replace(/\.svg$/, ".png"), renderPng(svg));
    written.push(p, p.replace(/\.svg$/, ".png"));
  }
  return { report, charts: written };
}
