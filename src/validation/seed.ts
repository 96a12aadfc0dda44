/**
 * The field study's published numbers (validation/seed-retina-kubecon.json), read for comparison
 * only. Nothing in the model reads this file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../models/paths.ts";

export interface SeedData {
  source: string;
  throughput_by_core_count_perf_array: {
    cores: number;
    baseline_gbps?: number;
    with_tool_gbps?: number;
    reduction_pct?: number;
    reduction_pct_approx?: number;
  }[];
  scenarios_32_cores: { scenario: string; gbps: number; reduction_pct: number }[];
  wakeups_32_cores_perf_array: { perf_event_output_per_s: number[]; perf_event_wakeup_per_s: number[]; wakeup_ratio_approx: number };
  context_switches_per_s_no_cpu_limits: string;
}

/** The study's tables as `reproduce` names them (ReproduceRow.table), by a typed key. */
export const SEED_TABLES = {
  /** Throughput by core count, perf array, default deployment (the study's table 1). */
  byCores: "throughput by core count (perf array, default)",
  /** The 32-core scenarios: baseline, default, no CPU limits, pinned, ring buffer. */
  scenarios32: "32-core scenarios",
  /** Event and wakeup rates at 32 cores, perf array, default deployment. */
  eventRates32: "32-core perf event rates",
} as const;
export type SeedTable = keyof typeof SEED_TABLES;

export function loadSeed(file = join(PACKAGE_ROOT, "validation", "seed-retina-kubecon.json")): SeedData {
  return JSON.parse(readFileSync(file, "utf8")) as SeedData;
}
