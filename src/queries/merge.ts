/**
 * `merge(shards)`: puts the JSON Lines of sweep shards back in grid order, checking that every point
 * of the grid is there exactly once and that all lines come from the same grid. Lines are kept as
 * they were written, so merged shards equal the unsharded run byte for byte.
 */
import { ScenarioError } from "../node/costs.ts";

export interface MergeInput {
  /** File name, for messages. */
  name: string;
  text: string;
}

export function merge(inputs: MergeInput[]): string[] {
  const byIndex = new Map<number, { line: string; where: string }>();
  let of: number | null = null;
  let grid: string | null = null;
  for (const { name, text } of inputs) {
    const lines = text.split("\n");
    lines.forEach((line, n) => {
      if (line.trim() === "") return;
      const where = `${name}:${n + 1}`;
      let l: { index?: unknown; of?: unknown; grid?: unknown };
      try {
        l = JSON.parse(line);
      } catch {
        throw new ScenarioError(`merge: ${where}: not a JSON line`);
      }
      if (!Number.isInteger(l.index) || !Number.isInteger(l.of) || typeof l.grid !== "string") {
        throw new ScenarioError(`merge: ${where}: not a sweep line (needs index, of, grid)`);
      }
      if (of === null) {
        of = l.of as number;
        grid = l.grid;
      } else if (l.of !== of || l.grid !== grid) {
        throw new ScenarioError(`merge: ${where}: grid = ${String(l.grid)} of ${String(l.of)} points; earlier lines are grid ${grid} of ${of}: shards of different grids`);
      }
      const index = l.index as number;
      const seen = byIndex.get(index);
      if (seen) throw new ScenarioError(`merge: ${where}: point ${index} is duplicated (also at ${seen.where})`);
      byIndex.set(index, { line, where });
    });
  }
  if (of === null) throw new ScenarioError(`merge: no sweep lines in ${inputs.map((i) => i.name).join(", ") || "(no files)"}`);
  const missing: number[] = [];
  for (let i = 0; i < of; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) {
    const list = missing.length > 10 ? `${missing.slice(0, 10).join(", ")}, ... (${missing.length} in all)` : missing.join(", ");
    throw new ScenarioError(`merge: ${missing.length} of ${of} points missing: ${list}`);
  }
  for (const i of byIndex.keys()) if (i < 0 || i >= of) throw new ScenarioError(`merge: ${byIndex.get(i)!.where}: index = ${i}: outside the grid's ${of} points`);
  return Array.from({ length: of }, (_, i) => byIndex.get(i)!.line);
}
