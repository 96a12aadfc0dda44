/** Number and table formatting shared by the validation report's sections (deterministic text). */
import type { Estimate } from "../engine/index.ts";

/** Fixed-point text without "-0". */
export function f(x: number, digits = 1): string {
  const s = x.toFixed(digits);
  return Number(s) === 0 ? (0).toFixed(digits) : s;
}

export function mdTable(header: string[], rows: string[][], align?: string[]): string {
  const esc = (c: string) => c.replace(/\|/g, "\\|");
  return [
    `| ${header.map(esc).join(" | ")} |`,
    `| ${header.map((_, i) => (align?.[i] === "r" ? "---:" : "---")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

/** An estimate as "mean ± half-width" (just the mean when there is one replication). */
export function est(e: Estimate, digits = 2): string {
  return e.n > 1 ? `${f(e.mean, digits)} ± ${f(e.halfWidth, digits)}` : f(e.mean, digits);
}

/** About 3 significant digits: 0 to 2 decimals by magnitude, toPrecision(3) below 1. */
export function sig(x: number): string {
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 100 ? f(x, 0) : a >= 10 ? f(x, 1) : a >= 1 ? f(x, 2) : String(Number(x.toPrecision(3)));
}
