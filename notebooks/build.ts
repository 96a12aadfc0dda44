/**
 * `npm run notebooks`: builds notebooks/*.html into notebooks/dist/, a static site that works offline.
 *
 * Observable Notebook Kit's own `notebooks build` is Vite with the kit's config and plugin; this does
 * the same, plus one plugin of ours (`offline`), because the kit's standard library loads Plot,
 * Inputs, d3 and friends from cdn.jsdelivr.net at run time
 * (@observablehq/notebook-kit dist/src/runtime/stdlib/recommendedLibraries.js, inputs.js). The plugin
 * - replaces the kit's recommendedLibraries with one that imports Plot, Inputs, d3 and htl from
 *   node_modules (bundled by Vite) and throws, naming the library, for any other;
 * - resolves every other https:// import (e.g. FileAttachment's CSV parser) to an installed package
 *   of that name when there is one, else to a module that throws when loaded;
 * - empties the kit's sample datasets (fetched from a CDN).
 * After the build, every file under dist/ is scanned for external URLs; any left fails the build.
 *
 * Usage: tsx notebooks/build.ts [--out <dir>] [notebook.html ...]  (default: every notebooks/*.html)
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { config, observable } from "@observablehq/notebook-kit/vite";
import { build, type Plugin } from "vite";

const NOTEBOOKS_DIR = dirname(fileURLToPath(import.meta.url));

/** Libraries a notebook cell may name without importing them, all from node_modules. */
const OFFLINE_LIBRARIES = `
export const Inputs = () => import(${JSON.stringify(kitFile("runtime/stdlib/inputs.js"))});
export const Plot = () => import("@observablehq/plot");
export const d3 = () => import("d3");
export const htl = () => import("htl");
export const html = () => import("htl").then((_) => _.html);
export const svg = () => import("htl").then((_) => _.svg);
export const md = () => import(${JSON.stringify(kitFile("runtime/stdlib/md.js"))}).then((_) => _.md);
${["_", "aq", "Arrow", "dot", "duckdb", "DuckDBClient", "echarts", "L", "mapboxgl", "mermaid", "React", "ReactDOM", "tex", "topojson", "vl"]
  .map((name) => `export const ${name} = () => { throw new Error("${name} is not bundled in bpfsim's offline notebooks (notebooks/build.ts)"); };`)
  .join("\n")}
`;

/** A file of the kit's dist/src, e.g. kitFile("runtime/stdlib/inputs.js"). */
function kitFile(path: string): string {
  const vite = fileURLToPath(import.meta.resolve("@observablehq/notebook-kit/vite")); // .../dist/src/vite/index.js
  return join(dirname(vite), "..", path);
}

const STUB = "\0bpfsim-offline:";

/** npm package name in a CDN URL (cdn.jsdelivr.net/npm/<name>[@range][/path]). */
function cdnPackage(url: string): string | null {
  const m = /^https:\/\/cdn\.jsdelivr\.net\/npm\/((?:@[^/@]+\/)?[^/@]+)/.exec(url);
  return m ? m[1] : null;
}

function offline(): Plugin {
  const recommended = kitFile("runtime/stdlib/recommendedLibraries.js");
  const samples = kitFile("runtime/stdlib/sampleDatasets.js");
  const inputsCss = kitFile("runtime/stdlib/inputs.css");
  const fileAttachment = kitFile("runtime/stdlib/fileAttachment.js");
  return {
    name: "bpfsim-offline",
    enforce: "pre",
    async resolveId(source, importer) {
      if (!/^https?:\/\//.test(source)) return null;
      const name = cdnPackage(source);
      if (name !== null && source.endsWith("/+esm")) {
        const local = await this.resolve(name, importer, { skipSelf: true });
        if (local) return local;
      }
      return STUB + (name ?? "external module");
    },
    load(id) {
      if (id.startsWith(STUB)) {
        const name = id.slice(STUB.length);
        return `throw new Error(${JSON.stringify(`${name} is not bundled in bpfsim's offline notebooks (notebooks/build.ts)`)});\nexport default undefined;`;
      }
      if (resolve(id) === recommended) return OFFLINE_LIBRARIES;
      if (resolve(id) === samples) return "export {};";
      return null;
    },
    transform(code, id) {
      // the kit's CSS for Inputs imports the package's stylesheet from the CDN; take the installed one
      if (resolve(id.split("?")[0]) === inputsCss) {
        return code.replace(
          /@import url\("https:\/\/cdn\.jsdelivr\.net\/npm\/@observablehq\/inputs\/dist\/index\.css"\);/,
          '@import url("@observablehq/inputs/dist/index.css");',
        );
      }
      // FileAttachment.parquet() passes a CDN URL to parquet-wasm, whose import (stubbed above) throws first
      if (resolve(id) === fileAttachment) return code.replaceAll(/"https:\/\/cdn\.jsdelivr\.net\/npm\/parquet-wasm\/[^"]*\.wasm"/g, '""');
      return null;
    },
  };
}

/** Hosts a page could load code, styles or fonts from at run time. */
const CDN_HOSTS =
  /https?:\/\/(?:cdn\.jsdelivr\.net|esm\.sh|esm\.run|unpkg\.com|cdnjs\.cloudflare\.com|cdn\.skypack\.dev|ga\.jspm\.io|api\.observablehq\.com|fonts\.googleapis\.com|fonts\.gstatic\.com)[^\s"'`)<>\\]*/g;
/** An http(s) URL in a position where the browser fetches it: import, @import, url(), src=, href=. */
const FETCHED = /(?:import\s*\(\s*|from\s*|@import\s+(?:url\()?|url\(\s*|src\s*=\s*|href\s*=\s*)["'`]?(https?:\/\/[^\s"'`)<>\\]+)/g;

/**
 * URLs in the built files that a browser would fetch: any URL on a CDN host, and any http(s) URL
 * that is imported, @imported, or given to url(), src= or href=. (The profiles' `sources` cite
 * many URLs as plain strings; those are data, never fetched.)
 */
export function externalUrls(dir: string): string[] {
  const found = new Set<string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(html|js|mjs|css)$/.test(f)) {
        const text = readFileSync(p, "utf8");
        for (const m of text.matchAll(CDN_HOSTS)) found.add(`${relative(dir, p)}: ${m[0]}`);
        for (const m of text.matchAll(FETCHED)) {
          if (/^https?:\/\/www\.w3\.org\//.test(m[1])) continue; // XML namespaces
          found.add(`${relative(dir, p)}: ${m[1]}`);
        }
      }
    }
  };
  walk(dir);
  return [...found].sort();
}

/** The notebooks: every notebooks/*.html. */
export function notebookFiles(): string[] {
  return readdirSync(NOTEBOOKS_DIR)
    .filter((f) => f.endsWith(".html"))
    .sort()
    .map((f) => join(NOTEBOOKS_DIR, f));
}

export interface BuildOptions {
  /** @defaultValue notebooks/dist */
  outDir?: string;
  /** @defaultValue every notebooks/*.html */
  inputs?: string[];
  /** @defaultValue true */
  minify?: boolean;
}

/** Builds the notebooks; throws when a built file still names an external URL. */
export async function buildNotebooks(options: BuildOptions = {}): Promise<{ outDir: string; pages: string[] }> {
  const outDir = resolve(options.outDir ?? join(NOTEBOOKS_DIR, "dist"));
  const inputs = (options.inputs ?? notebookFiles()).map((f) => resolve(f));
  for (const f of inputs) if (!existsSync(f)) throw new Error(`notebooks build: no such notebook: ${f}`);
  const kit = config();
  await build({
    ...kit,
    configFile: false,
    logLevel: "warn",
    // no favicon request (a 404 in the console): an empty data: icon
    plugins: [offline(), observable({ transformTemplate: (t) => t.replace("<head>", '<head>\n    <link rel="icon" href="data:,">') })],
    root: NOTEBOOKS_DIR,
    base: "./",
    build: {
      outDir,
      emptyOutDir: true,
      minify: options.minify ?? true,
      cssMinify: options.minify ?? true,
      chunkSizeWarningLimit: 4096,
      rollupOptions: { input: inputs },
    },
  });
  const urls = externalUrls(outDir);
  if (urls.length > 0) throw new Error(`notebooks build: external URLs left in ${outDir}:\n  ${urls.join("\n  ")}`);
  return { outDir, pages: inputs.map((f) => basename(f)) };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: "string" } } });
  const t0 = performance.now();
  const { outDir, pages } = await buildNotebooks({ outDir: values.out, inputs: positionals.length ? positionals : undefined });
  console.log(
    `built ${pages.join(", ")} into ${relative(process.cwd(), outDir) || "."} in ${((performance.now() - t0) / 1000).toFixed(1)} s (no external URLs)`,
  );
}
