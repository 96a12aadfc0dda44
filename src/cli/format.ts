/** Formatting helpers shared by commands: estimates with their 95% interval, aligned tables. */
import type { Estimate } from "../engine/index.ts";

export function fmtEstimate(e: Estimate, digits = 2): string {
  const m = e.mean.toFixed(digits);
  return e.n > 1 ? `${m} ± ${e.halfWidth.toFixed(digits)}` : m;
}

/** An aligned plain-text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
