/**
 * The Go runtime's scheduler, as far as it costs a Go agent's reader: an OS thread (M) woken to run
 * a goroutine, or about to park, first looks for work on every P.
 *
 * Go (1.21-1.24) src/runtime/proc.go: `ready` → `wakep` starts a spinning M when a P is idle;
 * `findRunnable` → `stealWork` makes `stealTries` (4) passes over all GOMAXPROCS Ps in random
 * order, reading each P's run-queue head/tail (a cache line last written by the CPU running that P).
 * GOMAXPROCS defaults to the node's CPU count before Go 1.25, whatever the cgroup's CPU limit;
 * Go 1.25 derives it from the limit (https://go.dev/doc/go1.25#runtime): max(2, ceil(limit)), at
 * most the CPU count. The search: each of the stealTries passes visits every other P, but "Don't
 * bother to attempt to steal if p2 is idle" (`stealWork`: `if !idlepMask.read(i)`), so an idle P
 * costs only a few loads of read-mostly words that stay in the searcher's cache (sched.gcwaiting,
 * allp[i], its idlepMask bit: IDLE_P_PROBE_NS), and only a P that is not idle has its run queue's
 * line (head, tail, runnext; last written by the CPU running that P) pulled across, at the
 * topology's mean distance from the searching CPU. The idlepMask line itself moves once per search
 * (Ps go idle and busy between searches). An agent whose GOMAXPROCS is the node's CPU count but
 * which runs a few goroutines has almost every P idle: its busy Ps are the reader's (held in its
 * epoll_wait syscall, not idle) and the other workers'. The whole search is inflated by the share of
 * scheduler time lost to sched.lock contention at that GOMAXPROCS (golang/go#67585, super-linear in
 * P). Left out: timers (the last pass checks the timers of Ps whose timerpMask bit is set), netpoll,
 * GC assists and GC idle mark workers (which soak up idle Ps during each cycle: their CPU depends on
 * the agent's allocation rate and heap, which no profile states).
 */
import type { ToolProfile } from "../models/types.ts";
/** What the runtime needs of the agent's placement (node/placement.ts AgentPlacement satisfies it). */
export type RuntimePlacement = { kind: "unlimited" } | { kind: "limited"; cpuLimit: number } | { kind: "pinned"; dedicatedCpus: number };
import type { Topology } from "../hardware/topology.ts";
import { GO_RUNTIME } from "../models/mechanisms.ts";

/** runtime/proc.go: `const stealTries = 4`. */
export const STEAL_TRIES = 4;
/**
 * ns stealWork spends on an idle P per pass: the loop step and about three loads of words that stay
 * in the searcher's L1 (sched.gcwaiting, allp[i], one idlepMask word), ~1 ns each at 4-5 cycles on a
 * 3-4 GHz core. An estimate from the loop's code, not a measurement; at GOMAXPROCS 64 it is 0.8 us per
 * search, against 4 x 63 line transfers (about 13 us at 50 ns) if idle Ps were probed like busy ones.
 */
export const IDLE_P_PROBE_NS = 3;

/** Go version "1.N" as its minor number; null if it is not one. */
function goMinor(v: string): number | null {
  const m = /^1\.(\d{1,2})$/.exec(v);
  return m === null ? null : Number(m[1]);
}

/**
 * GOMAXPROCS the agent's runtime runs with: the node's CPUs (its affinity mask: a pinned agent's
 * CPUs) before Go 1.25; from 1.25 (container-aware default) max(2, ceil(CPU limit)), at most the
 * CPUs it may run on. `goVersion` decides where the profile gives it, else `gomaxprocs`.
 */
export function goMaxProcs(tool: ToolProfile, placement: RuntimePlacement, cpus: number): number {
  const rt = tool.reader.runtime;
  if (rt === undefined) return 0;
  const affinity = placement.kind === "pinned" ? placement.dedicatedCpus : cpus;
  let containerAware = rt.gomaxprocs === "limit";
  if (rt.goVersion !== undefined) {
    const minor = goMinor(rt.goVersion);
    const from = goMinor(GO_RUNTIME.containerAwareFrom.goVersion);
    if (minor !== null && from !== null) containerAware = minor >= from;
  }
  if (!containerAware) return affinity;
  if (placement.kind === "limited") return Math.min(affinity, Math.max(2, Math.ceil(placement.cpuLimit)));
  if (placement.kind === "pinned") return Math.min(cpus, Math.max(2, placement.dedicatedCpus));
  return cpus;
}

/**
 * Share of a Go thread's scheduler work lost to runtime.lock (sched.lock) contention at GOMAXPROCS
 * P: exp(a + b P), fitted on golang/go#67585's tile38 table alone (models/mechanisms/go-runtime.json,
 * src/calibration/go-runtime-fit.ts), capped at 0.9. The table was taken at full load on 88 threads;
 * applied to an agent whose goroutine hand-offs are the scheduler's work, it is an upper estimate.
 */
export function schedLockContentionShare(procs: number): number {
  if (!(procs > 0)) return 0;
  const { a, b } = GO_RUNTIME.schedLockContention;
  return Math.min(0.9, Math.exp(a + b * procs));
}

/**
 * Ps other than the searcher's that are not idle while a worker's M searches: the reader's (its M is
 * in epoll_wait with the P in _Psyscall, not on the idle list) and the other workers'.
 */
export function busyOtherPs(tool: ToolProfile, procs: number): number {
  const workers = tool.reader.channel?.workers ?? 0;
  return Math.max(0, Math.min(procs - 1, 1 + Math.max(0, workers - 1)));
}

/** ns one scheduler search takes (0 for a native reader). */
export function goSchedulerSearchNs(tool: ToolProfile, placement: RuntimePlacement, topo: Topology): number {
  const procs = goMaxProcs(tool, placement, topo.cpus);
  if (procs === 0) return 0;
  // the search's own work, inflated by the time spent waiting for sched.lock at this P
  const inflate = 1 / (1 - schedLockContentionShare(procs));
  // a line's transfer from where the Ps run: a pinned agent's Ps all run on its own CPUs (same LLC);
  // else the mean from CPU 0 to the node's other CPUs
  let line = topo.hw.cacheLineTransferNs.sameLlc;
  if (placement.kind !== "pinned") {
    let sum = 0;
    for (let c = 1; c < topo.cpus; c++) sum += topo.transferNs(0, c);
    line = topo.cpus > 1 ? sum / (topo.cpus - 1) : 0;
  }
  const busy = busyOtherPs(tool, procs);
  const idle = Math.max(0, procs - 1 - busy);
  return inflate * (line + STEAL_TRIES * (idle * IDLE_P_PROBE_NS + busy * line));
}
