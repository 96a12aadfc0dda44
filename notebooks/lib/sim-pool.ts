/**
 * The notebooks' simulations on Web Workers, one per core the browser reports (at most 8): a sweep
 * (`simulateAll`) hands its points to whichever worker is free and yields each result as it comes,
 * so a sweep of many points takes about 1/cores of the time it takes on the page's own thread, and the
 * page stays free to draw. A sweep that is dropped (its notebook cell re-ran because an input moved)
 * cancels its points not yet started; those running finish and are discarded. Where there are no Web
 * Workers (Node, tests) the points run one by one on the calling thread, a frame between each.
 *
 * Results are cached by what decides them (a run is a pure function of its scenario and options,
 * seed included): an input moved back to a value seen before, or a point the moved input does not
 * change (a perf page count for a ring buffer tool), is not simulated again.
 */
import { bundledProfile, nextFrame, simulateWhatIf, type SimulationResult, type WhatIf } from "./what-if.ts";
import type { SimulateOptions } from "../../src/node/simulate.ts";

interface Task {
  what: WhatIf;
  options?: SimulateOptions;
  cancelled: boolean;
  done: (r: { ok: true; result: SimulationResult } | { ok: false; error: string }) => void;
}

const queue: Task[] = [];
const idle: Worker[] = [];
const busy = new Map<Worker, Task>();
let started = false;

function dispatch(): void {
  while (idle.length > 0 && queue.length > 0) {
    const t = queue.shift()!;
    if (t.cancelled) continue;
    const w = idle.pop()!;
    busy.set(w, t);
    w.postMessage({ what: t.what, options: t.options });
  }
}

/** Workers in the pool (started on first use); 0 where the platform has no Web Workers. */
export function poolSize(): number {
  if (typeof Worker === "undefined") return 0;
  if (!started) {
    started = true;
    const n = Math.max(1, Math.min(8, (typeof navigator !== "undefined" && navigator.hardwareConcurrency) || 2));
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL("./sim-worker.ts", import.meta.url), { type: "module" });
      w.onmessage = (e) => {
        const t = busy.get(w);
        busy.delete(w);
        idle.push(w);
        t?.done(e.data);
        dispatch();
      };
      idle.push(w);
    }
  }
  return idle.length + busy.size;
}

const CACHE_LIMIT = 4096;
const cache = new Map<string, SimulationResult>();

/** The cache key of a point: its WhatIf (perfPages dropped where the tool has no perf buffer) and options. */
export function cacheKey(w: WhatIf, options?: SimulateOptions): string {
  const perf = w.tool !== "none" && bundledProfile("tool", w.tool).buffer.kind === "perf";
  const { perfPages, ...rest } = w;
  const what = perf && perfPages !== undefined ? { ...rest, perfPages } : rest;
  return JSON.stringify([Object.entries(what).sort(([a], [b]) => a.localeCompare(b)), options ?? null]);
}

function remember(key: string, r: SimulationResult): void {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, r);
}

/**
 * simulateWhatIf of every point of `list`, on the pool: yields `{ index, result }` as each finishes
 * (not in list order; cached points first). Returning early (the consumer stops) cancels the points
 * not yet started.
 */
export async function* simulateAll(list: readonly WhatIf[], options?: SimulateOptions): AsyncGenerator<{ index: number; result: SimulationResult }> {
  const keys = list.map((w) => cacheKey(w, options));
  const todo: number[] = [];
  for (let index = 0; index < list.length; index++) {
    const hit = cache.get(keys[index]);
    if (hit !== undefined) yield { index, result: hit };
    else todo.push(index);
  }
  if (poolSize() === 0) {
    for (const index of todo) {
      await nextFrame();
      const result = simulateWhatIf(list[index], options);
      remember(keys[index], result);
      yield { index, result };
    }
    return;
  }
  const ready: { index: number; r: Parameters<Task["done"]>[0] }[] = [];
  let wake: (() => void) | null = null;
  const tasks = todo.map((index): Task => ({
    what: list[index],
    options,
    cancelled: false,
    done: (r) => {
      if (r.ok) remember(keys[index], r.result);
      ready.push({ index, r });
      wake?.();
    },
  }));
  queue.push(...tasks);
  dispatch();
  try {
    for (let left = todo.length; left > 0;) {
      if (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      while (ready.length > 0) {
        const { index, r } = ready.shift()!;
        left--;
        if (!r.ok) throw new Error(`simulation of ${JSON.stringify(list[index])} failed: ${r.error}`);
        yield { index, result: r.result };
      }
    }
  } finally {
    for (const t of tasks) t.cancelled = true;
  }
}
