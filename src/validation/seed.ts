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
  /**
   * Event and wakeup rates of the study's bpftrace run, perf array, default deployment, on the node
   * its debugging section ran on (EVENT_RATES_NODE), beside the same rates on the 32-core node.
   */
  eventRates: "perf event rates (the study's bpftrace run)",
} as const;
export type SeedTable = keyof typeof SEED_TABLES;

/**
 * Which node the study's bpftrace counts (perf_event_output and perf_event_wakeup per second, the
 * ~0.7 ratio) were taken on. The study does not say, and the reference file files them under 32
 * cores; but the same debugging section shows the perf event array with `max_entries 16`
 * (`bpftool map show id 282`), and cilium/ebpf, Retina's loader, sets a perf event array's
 * max_entries to the number of possible CPUs (clamping larger values: map.go, the perf event array
 * fixup), so the node it ran on had 16 possible CPUs: not the 32-core node. `reproduce` compares the
 * rates on a node of `cores` vCPUs and shows the 32-core node's beside them.
 */
export const EVENT_RATES_NODE = {
  cores: 16,
  evidence:
    "the study's `bpftool map show` of Retina's perf event array reads max_entries 16, and cilium/ebpf sets a perf event array's max_entries to the number of possible CPUs (map.go, perf event array fixup), so its debugging node had 16 vCPUs",
} as const;

export function loadSeed(file = join(PACKAGE_ROOT, "validation", "seed-retina-kubecon.json")): SeedData {
  return JSON.parse(readFileSync(file, "utf8")) as SeedData;
}
