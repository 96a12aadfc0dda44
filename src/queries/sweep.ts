/**
 * `sweep(grid)`: simulates every point of a parameter grid (the cartesian product of its arrays) on
 * worker threads, and returns one JSON line per point, in grid order.
 *
 * A grid is JSON: each ScenarioSpec field (hardware, tool, placement, workload, calibration,
 * trafficGbps, observedGbps, sampling, perfPages, wakeupEvents, ringbufBytes) as a value or an array
 * of values, plus `options` ({ seed, replications, durationS }, default 3 replications of 0.22 s).
 * Points are numbered in a fixed order: fields in GRID_FIELDS order, the last field varying fastest.
 * `shard: { index: i, count: N }` runs only the points whose number % N == i; merge() puts shards back
 * together, byte for byte the same as the unsharded run. A point whose settings do not combine
 * (e.g. perfPages for a ring buffer tool) gets a line with `error` instead of `result`.
 */
import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { ScenarioError } from "../node/costs.ts";
import type { ScenarioSpec } from "../node/scenario.ts";
import { MANY_RUNS, type QueryOptions } from "./common.ts";
import { runPoint, type PointResult } from "./sweep-worker.ts";

/** Grid fields in the order points are numbered (the last varies fastest). */
export const GRID_FIELDS = [
  "hardware",
  "tool",
  "placement",
  "workload",
  "calibration",
  "trafficGbps",
  "observedGbps",
  "sampling",
  "perfPages",
  "wakeupEvents",
  "ringbufBytes",
] as const satisfies readonly (keyof ScenarioSpec)[];

export type Grid = { [K in (typeof GRID_FIELDS)[number]]?: ScenarioSpec[K] | ScenarioSpec[K][] } & { options?: QueryOptions };

export interface SweepLine {
  index: number;
  /** Points in the whole grid. */
  of: number;
  /** sha256 of the canonical grid (first 16 hex digits): lines of different grids never merge. */
  grid: string;
  spec: ScenarioSpec;
  result?: PointResult;
  error?: string;
}

export interface Shard {
  index: number;
  count: number;
}

/** Checks a grid's shape and returns it with every field as an array. */
export function normaliseGrid(grid: unknown): { axes: [string, unknown[]][]; options: Required<QueryOptions>; hash: string } {
  if (grid === null || typeof grid !== "object" || Array.isArray(grid)) throw new ScenarioError(`grid: must be a JSON object`);
  const g = grid as Record<string, unknown>;
  for (const k of Object.keys(g)) {
    if (k !== "options" && !(GRID_FIELDS as readonly string[]).includes(k)) {
      throw new ScenarioError(`grid: ${k} = ${JSON.stringify(g[k])}: not a grid field (known: ${GRID_FIELDS.join(", ")}, options)`);
    }
  }
  for (const k of ["hardware", "tool"]) if (g[k] === undefined) throw new ScenarioError(`grid: ${k} is required`);
  const axes: [string, unknown[]][] = [];
  for (const k of GRID_FIELDS) {
    if (g[k] === undefined) continue;
    const values = Array.isArray(g[k]) ? (g[k] as unknown[]) : [g[k]];
    if (values.length === 0) throw new ScenarioError(`grid: ${k} = []: needs at least one value`);
    const numeric = !["hardware", "tool", "placement", "workload", "calibration"].includes(k);
    for (const v of values) {
      if (numeric ? typeof v !== "number" || !Number.isFinite(v) : typeof v !== "string") {
        throw new ScenarioError(`grid: ${k} = ${JSON.stringify(v)}: must be ${numeric ? "a number" : "a string"}`);
      }
    }
    axes.push([k, values]);
  }
  const o = (g.options ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!["seed", "replications", "durationS"].includes(k)) throw new ScenarioError(`grid: options.${k} = ${JSON.stringify(o[k])}: not an option (seed, replications, durationS)`);
  }
  const options = { ...MANY_RUNS, ...(o as QueryOptions) };
  const hash = createHash("sha256").update(JSON.stringify({ axes, options })).digest("hex").slice(0, 16);
  return { axes, options, hash };
}

/** The point with number `index` (mixed-radix decomposition, last axis fastest). */
export function gridPoint(axes: [string, unknown[]][], index: number): ScenarioSpec {
  const spec: Record<string, unknown> = {};
  let rest = index;
  for (let a = axes.length - 1; a >= 0; a--) {
    const [k, values] = axes[a];
    spec[k] = values[rest % values.length];
    rest = Math.floor(rest / values.length);
  }
  // keep GRID_FIELDS order in the output
  return Object.fromEntries(axes.map(([k]) => [k, spec[k]])) as unknown as ScenarioSpec;
}

export function gridSize(axes: [string, unknown[]][]): number {
  return axes.reduce((n, [, v]) => n * v.length, 1);
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new ScenarioError(`--shard = ${JSON.stringify(text)}: must be i/N with 0 <= i < N`);
  return { index, count };
}

export interface SweepOptions {
  shard?: Shard;
  /** Worker threads; 1 runs in this thread. @defaultValue os.availableParallelism() */
  workers?: number;
  /** Called after each point finishes, with the number done and the number to run. */
  onProgress?: (done: number, total: number) => void;
}

/** Runs the grid (or one shard of it); resolves to the JSON lines in grid order. */
export async function sweep(grid: unknown, options: SweepOptions = {}): Promise<string[]> {
  const { axes, options: simOptions, hash } = normaliseGrid(grid);
  const total = gridSize(axes);
  const shard = options.shard ?? { index: 0, count: 1 };
  const indices: number[] = [];
  for (let i = shard.index; i < total; i += shard.count) indices.push(i);
  const workers = options.workers ?? availableParallelism();
  if (!(Number.isInteger(workers) && workers >= 1)) throw new ScenarioError(`--workers = ${workers}: must be an integer >= 1`);
  const line = (index: number, r: { result?: PointResult; error?: string }): string => {
    const l: SweepLine = { index, of: total, grid: hash, spec: gridPoint(axes, index), ...r };
    return JSON.stringify(l);
  };
  let done = 0;
  const tick = () => options.onProgress?.(++done, indices.length);
  if (workers === 1 || indices.length <= 1) {
    return indices.map((i) => {
      const l = line(i, runPoint({ spec: gridPoint(axes, i), options: simOptions }));
      tick();
      return l;
    });
  }
  const pool = new Piscina({
    filename: new URL("./sweep-worker.ts", import.meta.url).href,
    // resolved from this package, not from the current directory (which may have no node_modules)
    execArgv: ["--import", import.meta.resolve("tsx")],
    minThreads: Math.min(workers, indices.length),
    maxThreads: Math.min(workers, indices.length),
  });
  try {
    return await Promise.all(
      indices.map(async (i) => {
        const r = (await pool.run({ spec: gridPoint(axes, i), options: simOptions })) as { result?: PointResult; error?: string };
        tick();
        return line(i, r);
      }),
    );
  } finally {
    await pool.destroy();
  }
}
