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
 *
 * Work and memory are bounded: a grid of more than MAX_GRID_POINTS points is refused unless
 * forced; lines are handed out (`onLine`) as they complete, in grid order, with at most a few
 * points per worker in flight, so nothing grows with the grid; `skip` resumes a run that was
 * stopped (the points already in its output are not run again).
 */
import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { ScenarioError } from "../node/costs.ts";
import { MAX_SEED } from "./sweep-limits.ts";
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

/** Largest grid run without `force` (about a day of 2-core time at the default 3 x 0.22 s per point). */
export const MAX_GRID_POINTS = 100_000;

/** Checks a grid's `options`: an object of seed (safe integer), replications (integer in [1, 1000]) and durationS (seconds in (0.02, 3600]). */
function checkGridOptions(raw: unknown): Required<QueryOptions> {
  if (raw === undefined) return { ...MANY_RUNS };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new ScenarioError(`grid: options = ${JSON.stringify(raw)}: must be an object ({ seed, replications, durationS })`, "options", raw);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!["seed", "replications", "durationS"].includes(k))
      throw new ScenarioError(`grid: options.${k} = ${JSON.stringify(o[k])}: not an option (seed, replications, durationS)`, `options.${k}`, o[k]);
  }
  const bad = (k: string, what: string) => new ScenarioError(`grid: options.${k} = ${JSON.stringify(o[k])}: must be ${what}`, `options.${k}`, o[k]);
  const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  if (o.seed !== undefined && !(isNum(o.seed) && Number.isSafeInteger(o.seed) && Math.abs(o.seed) <= MAX_SEED))
    throw bad("seed", `an integer in [-${MAX_SEED}, ${MAX_SEED}]`);
  if (o.replications !== undefined && !(isNum(o.replications) && Number.isInteger(o.replications) && o.replications >= 1 && o.replications <= 1000))
    throw bad("replications", "an integer in [1, 1000]");
  if (o.durationS !== undefined && !(isNum(o.durationS) && o.durationS > 0.02 && o.durationS <= 3600)) throw bad("durationS", "seconds in (0.02, 3600]");
  return { ...MANY_RUNS, ...(o as QueryOptions) };
}

/** Checks a grid's shape and returns it with every field as an array. */
export function normaliseGrid(grid: unknown): { axes: [string, unknown[]][]; options: Required<QueryOptions>; hash: string } {
  if (grid === null || typeof grid !== "object" || Array.isArray(grid)) throw new ScenarioError(`grid: must be a JSON object`, "grid", grid);
  const g = grid as Record<string, unknown>;
  for (const k of Object.keys(g)) {
    if (k !== "options" && !(GRID_FIELDS as readonly string[]).includes(k)) {
      throw new ScenarioError(`grid: ${k} = ${JSON.stringify(g[k])}: not a grid field (known: ${GRID_FIELDS.join(", ")}, options)`, k, g[k]);
    }
  }
  for (const k of ["hardware", "tool"]) if (g[k] === undefined) throw new ScenarioError(`grid: ${k} is required`, k);
  const axes: [string, unknown[]][] = [];
  for (const k of GRID_FIELDS) {
    if (g[k] === undefined) continue;
    const values = Array.isArray(g[k]) ? (g[k] as unknown[]) : [g[k]];
    if (values.length === 0) throw new ScenarioError(`grid: ${k} = []: needs at least one value`, k, []);
    const numeric = !["hardware", "tool", "placement", "workload", "calibration"].includes(k);
    for (const v of values) {
      if (numeric ? typeof v !== "number" || !Number.isFinite(v) : typeof v !== "string") {
        throw new ScenarioError(`grid: ${k} = ${JSON.stringify(v)}: must be ${numeric ? "a number" : "a string"}`, k, v);
      }
    }
    axes.push([k, values]);
  }
  const options = checkGridOptions(g.options);
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
  if (!m || !Number.isSafeInteger(count) || count < 1 || index >= count)
    throw new ScenarioError(`--shard = ${JSON.stringify(text)}: must be i/N with 0 <= i < N`, "--shard", text);
  return { index, count };
}

export interface SweepOptions {
  shard?: Shard;
  /** Worker threads; 1 runs in this thread. @defaultValue os.availableParallelism() */
  workers?: number;
  /** Called after each point finishes, with the number done and the number to run. */
  onProgress?: (done: number, total: number) => void;
  /** Run a grid of more than MAX_GRID_POINTS points. @defaultValue false */
  force?: boolean;
  /** Points not to run (already in the output of a run that was stopped). */
  skip?: ReadonlySet<number>;
}

/** Points of the shard, lazily (a grid is never materialised as a list of its points). */
function* shardIndices(total: number, shard: Shard, skip: ReadonlySet<number> | undefined): Generator<number> {
  for (let i = shard.index; i < total; i += shard.count) if (!skip?.has(i)) yield i;
}

/** Checks the grid, shard and workers; returns what a run needs. Throws before any point runs. */
export function planSweep(grid: unknown, options: SweepOptions = {}) {
  const { axes, options: simOptions, hash } = normaliseGrid(grid);
  const total = gridSize(axes);
  if (!Number.isSafeInteger(total) || (total > MAX_GRID_POINTS && !options.force)) {
    throw new ScenarioError(
      `grid: ${total.toPrecision(4)} points (${axes.map(([k, v]) => `${k} ${v.length}`).join(" x ")}): over the limit of ${MAX_GRID_POINTS}; ` +
        (Number.isSafeInteger(total) ? "split it, shard it (--shard i/N) or give --force" : "split it"),
      "grid",
      total,
    );
  }
  const shard = options.shard ?? { index: 0, count: 1 };
  const workers = options.workers ?? availableParallelism();
  if (!(Number.isInteger(workers) && workers >= 1)) throw new ScenarioError(`--workers = ${workers}: must be an integer >= 1`, "--workers", workers);
  let toRun = Math.max(0, Math.ceil((total - shard.index) / shard.count));
  if (options.skip) for (const i of options.skip) if (i >= 0 && i < total && i % shard.count === shard.index) toRun--;
  return { axes, simOptions, hash, total, shard, workers, toRun };
}

/**
 * Runs the grid (or one shard of it), handing each line to `onLine` as soon as it and every
 * point before it are done (grid order, whatever the workers' order). At most 4 points per
 * worker are in flight. Resolves to the number of points run.
 */
export async function sweepLines(
  grid: unknown,
  onLine: (line: string, result: { result?: PointResult; error?: string }) => void,
  options: SweepOptions = {},
): Promise<number> {
  const { axes, simOptions, hash, total, shard, workers, toRun } = planSweep(grid, options);
  const line = (index: number, r: { result?: PointResult; error?: string }): string => {
    const l: SweepLine = { index, of: total, grid: hash, spec: gridPoint(axes, index), ...r };
    return JSON.stringify(l);
  };
  let done = 0;
  const tick = () => options.onProgress?.(++done, toRun);
  const indices = shardIndices(total, shard, options.skip);
  if (workers === 1 || toRun <= 1) {
    for (const i of indices) {
      const r = runPoint({ spec: gridPoint(axes, i), options: simOptions });
      onLine(line(i, r), r);
      tick();
    }
    return done;
  }
  const threads = Math.min(workers, toRun);
  const pool = new Piscina({
    filename: new URL("./sweep-worker.ts", import.meta.url).href,
    // resolved from this package, not from the current directory (which may have no node_modules)
    execArgv: ["--import", import.meta.resolve("tsx")],
    minThreads: threads,
    maxThreads: threads,
  });
  const window = threads * 4;
  // in flight, in submission (= grid) order; the head is written as soon as it is done
  const inFlight: { index: number; promise: Promise<{ result?: PointResult; error?: string }> }[] = [];
  try {
    const submit = (): boolean => {
      const n = indices.next();
      if (n.done) return false;
      const index = n.value;
      const promise = pool.run({ spec: gridPoint(axes, index), options: simOptions }) as Promise<{ result?: PointResult; error?: string }>;
      promise.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
      inFlight.push({ index, promise });
      return true;
    };
    while (inFlight.length < window && submit());
    while (inFlight.length > 0) {
      const head = inFlight.shift()!;
      const r = await head.promise;
      onLine(line(head.index, r), r);
      tick();
      submit();
    }
  } finally {
    await pool.destroy();
  }
  return done;
}

/** Runs the grid (or one shard of it); resolves to the JSON lines in grid order (held in memory: for small grids and tests). */
export async function sweep(grid: unknown, options: SweepOptions = {}): Promise<string[]> {
  const lines: string[] = [];
  await sweepLines(grid, (l) => lines.push(l), options);
  return lines;
}

/**
 * Reads the output of a stopped run of the same grid, for resuming: the indices already there.
 * A last line cut short by the stop is reported (`cut`: its byte offset) to be truncated; a line
 * of another grid is refused.
 */
export function resumePoints(text: string, hash: string, label: string): { skip: Set<number>; keepBytes: number } {
  const skip = new Set<number>();
  let offset = 0;
  let keepBytes = 0;
  const lines = text.split("\n");
  lines.forEach((l, n) => {
    const last = n === lines.length - 1;
    const bytes = Buffer.byteLength(l) + (last ? 0 : 1);
    if (l.trim() !== "") {
      let o: { index?: unknown; grid?: unknown } | undefined;
      try {
        o = JSON.parse(l);
      } catch {
        o = undefined;
      }
      if (o === undefined || last) {
        // a line cut short by the stop (only the last may be): dropped and run again
        if (!last) throw new ScenarioError(`${label}:${n + 1}: not a JSON line: cannot resume into this file`, "--out", label);
        offset += bytes;
        return;
      }
      if (o.grid !== hash || !Number.isSafeInteger(o.index))
        throw new ScenarioError(`${label}:${n + 1}: a line of another grid (${String(o.grid)}): give another --out or delete the file`, "--out", label);
      skip.add(o.index as number);
    }
    offset += bytes;
    keepBytes = offset;
  });
  return { skip, keepBytes };
}
