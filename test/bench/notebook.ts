/**
 * A notebook slider move, timed in a real browser: the overhead-by-cores notebook (built with
 * notebooks/build.ts into a temporary folder, served on 127.0.0.1, opened in Debian's chromium through
 * playwright-core, as test/notebooks/notebooks.test.ts does), its first sweep left to finish, then the
 * traffic slider moved to values not shown before. Each move is timed from the slider's input to the
 * page fully redrawn: the notebook's `<output class="bpfsim-data">` reports every point done for the
 * new traffic AND the chart's caption names the new traffic with no "running..." left. Reported:
 * median (min-max) over the moves. Target: <= 1 s (issue 12, item 5).
 *
 * Needs /usr/bin/chromium (apt-get install -y chromium); without it the section is skipped and says so.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../notebooks/serve.ts";
import { rate, type Rate } from "./engine.ts";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const NOTEBOOK_TARGET_S = 1;
/** The slider's positions after the first sweep (8 Gb/s): each one not shown before. */
export const MOVES = [12, 16, 4, 10, 20];

export type NotebookResult =
  | { skipped: string }
  | {
      notebook: string;
      cores: number;
      firstSweepS: number;
      moves: { to: number; s: number; sweepS: number }[];
      redrawS: Rate;
      points: number;
      load1: number;
      targetS: number;
      met: boolean;
    };

export async function notebookSection(): Promise<NotebookResult> {
  if (!existsSync(CHROMIUM)) return { skipped: `notebook: skipped: ${CHROMIUM} not found (apt-get install -y chromium)` };
  const { chromium } = await import("playwright-core");
  const { buildNotebooks } = await import("../../notebooks/build.ts");
  const out = mkdtempSync(join(tmpdir(), "bpfsim-bench-nb-"));
  const profile = mkdtempSync(join(tmpdir(), "bpfsim-bench-chromium-"));
  let server: Server | undefined;
  const context = await (async () => {
    await buildNotebooks({ outDir: out, inputs: [join(ROOT, "notebooks", "overhead-by-cores.html")] });
    ({ server } = await serve(resolve(out)));
    return chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1100, height: 900 },
    });
  })();
  try {
    const a = server!.address();
    const base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/`;
    await context.route("**/*", (route) => {
      const url = route.request().url();
      return url.startsWith(base) || url.startsWith("data:") || url.startsWith("blob:") ? route.continue() : route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const redrawn = (traffic: number) =>
      page.waitForFunction(
        (t) => {
          const o = document.querySelector(`output.bpfsim-data[data-done="true"][data-traffic="${t}"]`);
          const cap = Array.from(document.querySelectorAll("figure"))
            .map((f) => f.textContent ?? "")
            .find((x) => x.includes(" Gb/s, perf rings"));
          return o !== null && cap !== undefined && cap.includes(`, ${t} Gb/s,`) && !cap.includes("running...");
        },
        traffic,
        { timeout: 120_000, polling: "raf" },
      );
    const t0 = performance.now();
    await page.goto(`${base}overhead-by-cores.html`);
    await redrawn(8);
    const firstSweepS = (performance.now() - t0) / 1000;
    const slider = page
      .locator("form", { has: page.locator("label", { hasText: "Traffic" }) })
      .first()
      .locator('input[type="range"]');
    const load1 = loadavg()[0];
    const moves: { to: number; s: number; sweepS: number }[] = [];
    for (const to of MOVES) {
      const t = performance.now();
      await slider.fill(String(to));
      await redrawn(to);
      const s = (performance.now() - t) / 1000;
      // the notebook's own figure, from the input's change to its last simulation result (NaN if it reports none)
      const sweepMs = await page.$eval("output.bpfsim-data", (el) => Number(el.getAttribute("data-sweep-ms") || NaN));
      moves.push({ to, s, sweepS: sweepMs / 1000 });
    }
    const points = await page.$eval("output.bpfsim-data", (el) => JSON.parse(el.getAttribute("data-points") ?? "[]").length as number);
    if (errors.length > 0) throw new Error(`notebook: page errors: ${errors.join("; ")}`);
    const redrawS = rate(moves.map((m) => m.s));
    return {
      notebook: "overhead-by-cores",
      cores: cpus().length,
      firstSweepS,
      moves,
      redrawS,
      points,
      load1,
      targetS: NOTEBOOK_TARGET_S,
      met: redrawS.median <= NOTEBOOK_TARGET_S,
    };
  } finally {
    await context.close();
    server?.close();
    rmSync(out, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

export function printNotebook(n: NotebookResult): void {
  if ("skipped" in n) {
    console.log(n.skipped);
    return;
  }
  const r = n.redrawS;
  console.log(
    `notebook: ${n.notebook} in headless chromium (${n.points} simulated points per sweep), traffic slider moved ${n.moves.length} times from 8 Gb/s to ${n.moves.map((m) => m.to).join(", ")}; first sweep ${n.firstSweepS.toFixed(2)} s; load average ${n.load1.toFixed(1)}`,
  );
  const sw = rate(n.moves.map((m) => m.sweepS));
  const sims = Number.isNaN(sw.median)
    ? ""
    : `; of which simulating (the notebook's own count, input to last result) ${sw.median.toFixed(2)} s (${sw.min.toFixed(2)}-${sw.max.toFixed(2)})`;
  console.log(
    `  slider move to fully redrawn: ${r.median.toFixed(2)} s (${r.min.toFixed(2)}-${r.max.toFixed(2)}) (target <= ${n.targetS} s): ${n.met ? "met" : "NOT MET"}${sims}`,
  );
}
