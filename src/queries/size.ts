/**
 * `size(spec, maxLostPerS)`: the smallest buffer that keeps lost events under a target, and the
 * memory it costs.
 *
 * Perf event arrays: pages per CPU over powers of two from 1 to 4096 (memory = pages × 4 KiB ×
 * vCPUs, one ring per CPU). Ring buffers: ring bytes over powers of two from 4096 (one page) to
 * 1 GiB (memory = bytes × rings, one ring per `cpusPerRing` CPUs or one for the node). Bisection over
 * the exponent, assuming losses do not increase as the buffer grows. A size meets the target when
 * its mean lost events/s is below the target.
 *
 * A buffer only absorbs bursts: when the reader consumes slower than the BPF programs produce, a
 * larger buffer delays the losses past the simulated window. `readerFallsBehind` flags an answer
 * where more than 10% of the records were still buffered at the end of the runs.
 */
import type { Estimate } from "../engine/index.ts";
import { loadHardware, loadTool } from "../models/load.ts";
import { ScenarioError } from "../node/costs.ts";
import type { ScenarioSpec } from "../node/scenario.ts";
import { MANY_RUNS, type CalibrationRef, type QueryRunOptions } from "./common.ts";
import { predict, type Prediction } from "./predict.ts";

const PAGE_BYTES = 4096;
const PERF_PAGES = Array.from({ length: 13 }, (_, i) => 2 ** i); // 1 .. 4096
const RING_BYTES = Array.from({ length: 19 }, (_, i) => PAGE_BYTES * 2 ** i); // 4 KiB .. 1 GiB

export interface SizeCandidate {
  /** Pages per CPU (perf) or ring bytes (ring buffer). */
  size: number;
  memoryBytes: number;
  lostPerS: Estimate;
  meetsTarget: boolean;
}

export interface SizeAnswer {
  query: "size";
  spec: ScenarioSpec;
  calibration: CalibrationRef;
  replications: number;
  buffer: "perf" | "ringbuf";
  /** "pagesPerCpu" or "ringBytes". */
  unit: "pagesPerCpu" | "ringBytes";
  maxLostPerS: number;
  /** The smallest size meeting the target; null when even the largest does not. */
  answer: SizeCandidate | null;
  /** The next smaller size (which does not meet the target); null when the answer is the minimum. */
  nextSmaller: SizeCandidate | null;
  /** The shipped tool's own size, for comparison. */
  toolDefault: { size: number; memoryBytes: number };
  readerFallsBehind: boolean;
  assumption: string;
  /** Every size evaluated, in order. */
  steps: SizeCandidate[];
}

export function size(spec: ScenarioSpec, maxLostPerS: number, options: QueryRunOptions = {}): SizeAnswer {
  if (!(maxLostPerS >= 0)) throw new ScenarioError(`size: maxLostPerS = ${maxLostPerS}: must be >= 0`);
  if (spec.tool === "none") throw new ScenarioError(`size: tool = "none": needs a tool with a buffer`);
  const tool = loadTool(spec.tool);
  const vcpus = loadHardware(spec.hardware).vcpus;
  const opts = {
    seed: options.seed ?? MANY_RUNS.seed,
    replications: options.replications ?? MANY_RUNS.replications,
    durationS: options.durationS ?? MANY_RUNS.durationS,
    maxIterations: options.maxIterations,
  };
  const perf = tool.buffer.kind === "perf";
  const rings = tool.buffer.kind === "ringbuf" && tool.buffer.cpusPerRing ? Math.ceil(vcpus / tool.buffer.cpusPerRing) : 1;
  const sizes = perf ? PERF_PAGES : RING_BYTES;
  const memory = (s: number) => (perf ? s * PAGE_BYTES * vcpus : s * rings);
  const { perfPages: _p, ringbufBytes: _r, ...base } = spec;
  const steps: SizeCandidate[] = [];
  const cache = new Map<number, { c: SizeCandidate; p: Prediction }>();
  const at = (i: number) => {
    const s = sizes[i];
    let hit = cache.get(s);
    if (!hit) {
      const p = predict(perf ? { ...base, perfPages: s } : { ...base, ringbufBytes: s }, opts);
      const c = { size: s, memoryBytes: memory(s), lostPerS: p.lostPerS, meetsTarget: p.lostPerS.mean < maxLostPerS || p.lostPerS.mean === 0 };
      hit = { c, p };
      cache.set(s, hit);
      steps.push(c);
    }
    return hit;
  };
  const def = perf ? (tool.buffer as { pagesPerCpu: number }).pagesPerCpu : (tool.buffer as { bytes: number }).bytes;
  const common = {
    query: "size" as const,
    spec: base,
    replications: opts.replications,
    buffer: tool.buffer.kind,
    unit: perf ? ("pagesPerCpu" as const) : ("ringBytes" as const),
    maxLostPerS,
    toolDefault: { size: def, memoryBytes: memory(def) },
    assumption: "lost events/s do not increase as the buffer grows (monotone); meets target = mean lost/s < target (or 0 when the target is 0)",
  };
  const top = at(sizes.length - 1);
  const fallsBehind = (p: Prediction) => p.result.conservation.buffered > 0.1 * p.result.conservation.attempted;
  if (!top.c.meetsTarget) {
    return { ...common, calibration: top.p.calibration, answer: null, nextSmaller: top.c, readerFallsBehind: fallsBehind(top.p), steps };
  }
  const bottom = at(0);
  if (bottom.c.meetsTarget) {
    return { ...common, calibration: bottom.p.calibration, answer: bottom.c, nextSmaller: null, readerFallsBehind: fallsBehind(bottom.p), steps };
  }
  let lo = 0; // fails
  let hi = sizes.length - 1; // meets
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (at(mid).c.meetsTarget) hi = mid;
    else lo = mid;
  }
  const ans = at(hi);
  return { ...common, calibration: ans.p.calibration, answer: ans.c, nextSmaller: at(lo).c, readerFallsBehind: fallsBehind(ans.p), steps };
}
