/**
 * The report's lookups of `reproduce` rows by a typed key: the study's table (seed.ts SEED_TABLES),
 * what the row's scenario ran (core count, tool, placement) and the metric, matched on the row's data,
 * never on its label's wording.
 */
import type { ReproduceResult, ReproduceRow } from "./reproduce.ts";
import { SHAPE } from "./reproduce.ts";
import { SEED_TABLES } from "./seed.ts";

type Metric = ReproduceRow["metric"];

/** Which row: table 1 by core count; the 32-core scenarios by tool and placement; the bpftrace rates by node and metric. */
export type SeedRowKey =
  | { table: "byCores"; cores: number; metric: Metric }
  | { table: "scenarios32"; tool: string; placement: string; metric: Metric }
  | { table: "eventRates"; cores: number; metric: Metric };

/** The 32-core scenarios the report names (the study's default deployment and its ring buffer row). */
export const DEFAULT_32: SeedRowKey = { table: "scenarios32", tool: "retina-perf", placement: "limited", metric: "reduction_pct" };
export const RINGBUF_32: SeedRowKey = { table: "scenarios32", tool: "retina-ringbuf", placement: "limited", metric: "reduction_pct" };

export function matchesKey(r: ReproduceRow, k: SeedRowKey): boolean {
  if (r.table !== SEED_TABLES[k.table] || r.metric !== k.metric) return false;
  if (k.table === "byCores" || k.table === "eventRates") return r.scenario.hardware === SHAPE[k.cores];
  return r.scenario.tool === k.tool && r.scenario.placement === k.placement;
}

/** The row with this key (the first, in reproduce's order), or undefined. */
export function findRow(rows: readonly ReproduceRow[], k: SeedRowKey): ReproduceRow | undefined {
  return rows.find((r) => matchesKey(r, k));
}

/** The key `reproduce` files a row's band, ablation and skb delay under: "table|label". */
export function rowKey(r: Pick<ReproduceRow, "table" | "label">): string {
  return `${r.table}|${r.label}`;
}

/** The hooks' per-skb delay of the row with this key (ReproduceResult.skbDelayUs), or undefined. */
export function skbDelayOf(rep: ReproduceResult, k: SeedRowKey): ReproduceResult["skbDelayUs"][string] | undefined {
  const row = findRow(rep.rows, k);
  return row === undefined ? undefined : rep.skbDelayUs[rowKey(row)];
}

/** What the agent of the row with this key took in and gave out (ReproduceResult.delivery), or undefined. */
export function deliveryOf(rep: ReproduceResult, k: SeedRowKey): ReproduceResult["delivery"][string] | undefined {
  const row = findRow(rep.rows, k);
  return row === undefined ? undefined : rep.delivery[rowKey(row)];
}
