/**
 * Overrides of a tool profile: the one place that turns a profile plus a few settings (sampling, a
 * perf buffer's pages and wakeup rule, a ring buffer's size and wakeup mode, a Go agent's go line)
 * into the profile a scenario runs with. buildScenario (node/scenario.ts), the harness's scenarios
 * (calibration/harness-scenario.ts) and the browser notebooks (notebooks/lib/what-if.ts) all call it,
 * each with its own way of finding a profile by name (files, or the bundled copies): the lookup is
 * injected, and this file imports no node: module, so it runs in a browser.
 *
 * Every override is checked against the tool schema's own limits (models/schema/tool.schema.json)
 * and against the tool's buffer kind; a wrong one throws a ScenarioError naming the field and the
 * value. The profile given is never changed: the result is a copy.
 */
import type { RingbufSettings, ToolProfile } from "../models/types.ts";

type RingbufWakeup = RingbufSettings["wakeup"];
import { ScenarioError } from "./costs.ts";

export interface ToolOverrides {
  /** Sampling, 1 in N: an integer in [1, 1000000]. */
  sampling?: number;
  /** A perf tool's data pages per CPU: a power of two in [1, 65536]. */
  perfPages?: number;
  /** A perf tool's wakeup_events, in [1, 1000000]; clears its watermark. */
  wakeupEvents?: number;
  /** A perf tool's wakeup watermark in bytes, in [1, 268435456]; clears its wakeup_events. */
  watermarkBytes?: number;
  /** A ring buffer tool's size in bytes: a power of two, a multiple of 4096, in [4096, 2^32]. */
  ringbufBytes?: number;
  /** A ring buffer tool's wakeup mode: "default", "no_wakeup" or { forceEvery: n }. */
  ringbufWakeup?: RingbufWakeup;
  /** A Go agent's go line ("1.24", "1.25"): decides its GOMAXPROCS. */
  goVersion?: string;
}

/** Finds a tool profile by name (read from models/, or the bundled copy in a browser). */
export type ToolLookup = (name: string) => ToolProfile;

const isPowerOfTwo = (n: number) => Number.isSafeInteger(n) && n >= 1 && Number.isInteger(Math.log2(n));

function checkInteger(tool: string, field: string, v: number, min: number, max: number, powerOfTwo = false): void {
  if (!(Number.isInteger(v) && v >= min && v <= max) || (powerOfTwo && !isPowerOfTwo(v))) {
    throw new ScenarioError(`tool ${tool}: ${field} = ${String(v)}: must be ${powerOfTwo ? "a power of two" : "an integer"} in [${min}, ${max}]`, field, v);
  }
}

/** The tool profile `lookup(name)` finds, with the overrides applied (applyToolOverrides). */
export function toolWithOverrides(name: string, overrides: ToolOverrides, lookup: ToolLookup): ToolProfile {
  return applyToolOverrides(lookup(name), overrides);
}

/** A copy of `tool` with the overrides applied; throws a ScenarioError (field, value) for a wrong one. */
export function applyToolOverrides(tool: ToolProfile, o: ToolOverrides): ToolProfile {
  const t = structuredClone(tool);
  const name = t.name;
  if (o.sampling !== undefined) {
    checkInteger(name, "sampling", o.sampling, 1, 1_000_000);
    t.sampling = o.sampling;
  }
  const perf = o.perfPages !== undefined || o.wakeupEvents !== undefined || o.watermarkBytes !== undefined;
  if (perf) {
    if (t.buffer.kind !== "perf") {
      const field = o.perfPages !== undefined ? "perfPages" : o.wakeupEvents !== undefined ? "wakeupEvents" : "watermarkBytes";
      throw new ScenarioError(`tool ${name} uses a ring buffer: --pages / --wakeup-events apply to perf buffers only`, field, o[field]);
    }
    if (o.wakeupEvents !== undefined && o.watermarkBytes !== undefined) {
      throw new ScenarioError(
        `tool ${name}: wakeupEvents = ${o.wakeupEvents} and watermarkBytes = ${o.watermarkBytes}: give one (a perf buffer wakes its reader on one rule)`,
        "watermarkBytes",
        o.watermarkBytes,
      );
    }
    if (o.perfPages !== undefined) {
      checkInteger(name, "perfPages", o.perfPages, 1, 65536, true);
      t.buffer.pagesPerCpu = o.perfPages;
    }
    if (o.wakeupEvents !== undefined) {
      checkInteger(name, "wakeupEvents", o.wakeupEvents, 1, 1_000_000);
      delete t.buffer.watermarkBytes;
      t.buffer.wakeupEvents = o.wakeupEvents;
    }
    if (o.watermarkBytes !== undefined) {
      checkInteger(name, "watermarkBytes", o.watermarkBytes, 1, 268_435_456);
      delete t.buffer.wakeupEvents;
      t.buffer.watermarkBytes = o.watermarkBytes;
    }
  }
  if (o.ringbufBytes !== undefined || o.ringbufWakeup !== undefined) {
    if (t.buffer.kind !== "ringbuf") {
      const field = o.ringbufBytes !== undefined ? "ringbufBytes" : "ringbufWakeup";
      throw new ScenarioError(`tool ${name} uses perf buffers: --ringbuf-bytes applies to ring buffers only`, field, o[field]);
    }
    if (o.ringbufBytes !== undefined) {
      checkInteger(name, "ringbufBytes", o.ringbufBytes, 4096, 2 ** 32, true);
      t.buffer.bytes = o.ringbufBytes;
    }
    if (o.ringbufWakeup !== undefined) {
      const w = o.ringbufWakeup;
      if (typeof w === "object" && w !== null) checkInteger(name, "ringbufWakeup.forceEvery", w.forceEvery, 1, 1_000_000);
      else if (w !== "default" && w !== "no_wakeup") {
        throw new ScenarioError(`tool ${name}: ringbufWakeup = ${JSON.stringify(w)}: must be "default", "no_wakeup" or { forceEvery: n }`, "ringbufWakeup", w);
      }
      t.buffer.wakeup = typeof w === "object" ? { ...w } : w;
    }
  }
  if (o.goVersion !== undefined) {
    if (t.reader.runtime === undefined) throw new ScenarioError(`goVersion = ${o.goVersion}: tool ${name} has no Go runtime`, "goVersion", o.goVersion);
    if (!/^1\.[0-9]{1,2}$/.test(o.goVersion))
      throw new ScenarioError(`tool ${name}: goVersion = ${JSON.stringify(o.goVersion)}: must be a go line like "1.24"`, "goVersion", o.goVersion);
    t.reader.runtime.goVersion = o.goVersion;
  }
  return t;
}
