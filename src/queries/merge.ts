/**
 * `merge(shards)`: puts the JSON Lines of sweep shards back in grid order, checking that every point
 * of the grid is there exactly once and that all lines come from the same grid. Lines are kept as
 * they were written, so merged shards equal the unsharded run byte for byte. Work and memory
 * follow the lines given, never a line's claim (`"of": 300000000` in a 40-byte shard is a short
 * message, not an array of 300 million entries).
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
      if (!Number.isSafeInteger(l.index) || !Number.isSafeInteger(l.of) || (l.of as number) < 1 || typeof l.grid !== "string") {
        throw new ScenarioError(`merge: ${where}: not a sweep line (needs index, of >= 1, grid)`, where);
      }
      if ((l.index as number) < 0 || (l.index as number) >= (l.of as number)) {
        throw new ScenarioError(`merge: ${where}: index = ${String(l.index)}: outside the grid's ${String(l.of)} points`, where, l.index);
      }
      if (of === null) {
        of = l.of as number;
        grid = l.grid;
      } else if (l.of !== of || l.grid !== grid) {
        throw new ScenarioError(
          `merge: ${where}: grid = ${String(l.grid)} of ${String(l.of)} points; earlier lines are grid ${grid} of ${of}: shards of different grids`,
        );
      }
      const index = l.index as number;
      const seen = byIndex.get(index);
      if (seen) throw new ScenarioError(`merge: ${where}: point ${index} is duplicated (also at ${seen.where})`);
      byIndex.set(index, { line, where });
    });
  }
  if (of === null) throw new ScenarioError(`merge: no sweep lines in ${inputs.map((i) => i.name).join(", ") || "(no files)"}`);
  const present = [...byIndex.keys()].sort((a, b) => a - b);
  const total = of as number;
  const missingCount = total - present.length;
  if (missingCount > 0) {
    // the first ten gaps, found from the lines present (never by walking all `of` points)
    const first: number[] = [];
    let expected = 0;
    for (const i of [...present, total]) {
      while (expected < i && first.length < 10) first.push(expected++);
      if (first.length >= 10) break;
      expected = i + 1;
    }
    const list = missingCount > 10 ? `${first.join(", ")}, ... (${missingCount} in all)` : first.join(", ");
    throw new ScenarioError(`merge: ${missingCount} of ${total} points missing: ${list}`, "of", total);
  }
  return present.map((i) => byIndex.get(i)!.line);
}
