/**
 * The Go runtime's scheduler, as far as it costs a Go agent's reader: an OS thread (M) woken to run
 * a goroutine, or about to park, first looks for work on every P.
 *
 * Go (1.21-1.24) src/runtime/proc.go: `ready` → `wakep` starts a spinning M when a P is idle;
 * `findRunnable` → `stealWork` makes `stealTries` (4) passes over all GOMAXPROCS Ps in random
 * order, reading each P's run-queue head/tail (a cache line last written by the CPU running that P).
 * GOMAXPROCS defaults to the node's CPU count before Go 1.25, whatever the cgroup's CPU limit;
 * Go 1.25 derives it from the limit (https://go.dev/doc/go1.25#runtime): max(2, ceil(limit)), at
 * most the CPU count. The search cost is taken as stealTries × GOMAXPROCS cache-line transfers at the
 * topology's mean distance from the searching CPU. Left out: timers, netpoll, GC assists.
 */
import type { ToolProfile } from "../models/types.ts";
import type { AgentPlacement } from "../node/placement.ts";
import type { Topology } from "./topology.ts";

/** runtime/proc.go: `const stealTries = 4`. */
export const STEAL_TRIES = 4;

export function goMaxProcs(tool: ToolProfile, placement: AgentPlacement, cpus: number): number {
  const rt = tool.reader.runtime;
  if (rt === undefined) return 0;
  if (rt.gomaxprocs === "node") return cpus;
  if (placement.kind === "limited") return Math.min(cpus, Math.max(2, Math.ceil(placement.cpuLimit)));
  if (placement.kind === "pinned") return Math.min(cpus, Math.max(2, placement.dedicatedCpus));
  return cpus;
}

/** ns one scheduler search takes (0 for a native reader). */
export function goSchedulerSearchNs(tool: ToolProfile, placement: AgentPlacement, topo: Topology): number {
  const procs = goMaxProcs(tool, placement, topo.cpus);
  if (procs === 0) return 0;
  // mean transfer cost from CPU 0 to the CPUs the Ps run on (the first `procs` CPUs; a pinned agent's
  // Ps all run on its own CPUs, so their lines stay local)
  if (placement.kind === "pinned") return STEAL_TRIES * procs * topo.hw.cacheLineTransferNs.sameLlc;
  let sum = 0;
  for (let c = 1; c < topo.cpus; c++) sum += topo.transferNs(0, c);
  const mean = topo.cpus > 1 ? sum / (topo.cpus - 1) : 0;
  return STEAL_TRIES * procs * mean;
}
