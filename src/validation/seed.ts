/**
 * The field study's published numbers (validation/seed-retina-kubecon.json), read for comparison
 * only. Nothing in the model reads this file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../models/paths.ts";

export interface SeedData {
  source: string;
  throughput_by_core_count_perf_array: { cores: number; baseline_gbps?: number; with_tool_gbps?: number; reduction_pct?: number; reduction_pct_approx?: number }[];
  scenarios_32_cores: { scenario: string; gbps: number; reduction_pct: number }[];
  wakeups_32_cores_perf_array: { perf_event_output_per_s: number[]; perf_event_wakeup_per_s: number[]; wakeup_ratio_approx: number };
  context_switches_per_s_no_cpu_limits: string;
}

export function loadSeed(file = join(PACKAGE_ROOT, "validation", "seed-retina-kubecon.json")): SeedData {
  return JSON.parse(readFileSync(file, "utf8")) as SeedData;
}
