/**
 * Rendering vega-lite specs in Node: compile to vega, render to SVG with vega's headless view,
 * and rasterise the SVG to PNG with resvg using DejaVu Sans (Debian's fonts-dejavu-core), so the
 * same spec gives the same bytes on every machine with that font.
 */
import { existsSync } from "node:fs";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { Resvg } from "@resvg/resvg-js";

export type VegaLiteSpec = TopLevelSpec;

const FONT_DIR = "/usr/share/fonts/truetype/dejavu";
const FONT = "DejaVu Sans";

/** Renders a vega-lite spec to an SVG string (fonts set to DejaVu Sans). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const withFont = {
    ...spec,
    config: { ...(spec as { config?: object }).config, font: FONT },
  } as TopLevelSpec;
  const vgSpec = compile(withFont).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG to PNG bytes; needs DejaVu Sans installed (apt-get install fonts-dejavu-core). */
export function renderPng(svg: string, scale = 2): Buffer {
  const fontFiles = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) => `${FONT_DIR}/${f}`).filter((f) => existsSync(f));
  if (fontFiles.length === 0) {
    throw new Error(`renderPng: DejaVu Sans not found in ${FONT_DIR}; install the Debian package fonts-dejavu-core`);
  }
  const r = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { fontFiles, loadSystemFonts: false, defaultFontFamily: FONT },
    background: "white",
  });
  return Buffer.from(r.render().asPng());
}
