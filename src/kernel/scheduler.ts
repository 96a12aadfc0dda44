/**
 * Where the scheduler runs a woken agent thread that owns no CPU.
 *
 * Kernel (read at v6.18; version differences are named where they matter): kernel/sched/fair.c `select_task_rq_fair` → `wake_affine` then
 * `select_idle_sibling`: the wakee goes to the waker's (or its previous) last-level-cache domain,
 * preferring an idle CPU there. On a node whose CPUs are all busy with traffic there is no idle CPU,
 * so the thread lands on a busy CPU of the waker's LLC and its run time is taken from the work there.
 * This picks uniformly among the waker's LLC CPUs. Left out: load-balancer migrations, SMT.
 */
import type { RandomStream } from "../engine/index.ts";
import type { Topology } from "../hardware/topology.ts";

export function wakeTargetPicker(topo: Topology, rng: RandomStream, excludedCpu: number): (wakerCpu: number) => number {
  const byLlc = new Map<number, number[]>();
  for (let c = 0; c < topo.cpus; c++) {
    if (c === excludedCpu) continue;
    const l = topo.llcOf(c);
    let arr = byLlc.get(l);
    if (arr === undefined) byLlc.set(l, (arr = []));
    arr.push(c);
  }
  return (wakerCpu: number) => {
    const group = byLlc.get(topo.llcOf(wakerCpu));
    if (group === undefined || group.length === 0) return wakerCpu;
    return group[rng.int(group.length)];
  };
}

/**
 * Time try_to_wake_up spends in select_idle_cpu looking for an idle CPU in the waker's LLC: probes
 * until the first idle CPU, at most `nr` (kernel/sched/fair.c `select_idle_cpu`).
 * - SIS_PROP (the default before v6.0): nr = span_avg / avg_cost when the waker's CPU has idled
 *   a lot (up to the whole LLC), else 4; taken here as max(4, span x (1 - busy share)).
 * - SIS_UTIL (commit 70fb5ccf2ebb, v6.0, `update_idle_cpu_scan`): nr = span x (1 - x^2 / pct^2),
 *   x the LLC's utilisation and pct its imbalance_pct (1.17); nothing is scanned once that is <= 0.
 * Each probe reads a remote runqueue's state: one cache-line transfer within the LLC. With each CPU
 * busy with probability u, the expected probes before an idle one are (1 - u^nr) / (1 - u).
 * Left out: SMT sibling scans (select_idle_core), the recent_used_cpu shortcut.
 */
export function idleCpuScanNs(sisUtil: boolean, llcSpan: number, busyShare: number, probeNs: number): number {
  const u = Math.min(1, Math.max(0, busyShare));
  let nr: number;
  if (sisUtil) nr = Math.floor(llcSpan * Math.max(0, 1 - (u * u) / (1.17 * 1.17)));
  else nr = Math.min(llcSpan, Math.max(4, Math.round(llcSpan * (1 - u))));
  nr = Math.min(nr, Math.max(0, llcSpan - 1));
  if (nr <= 0) return 0;
  const probes = u >= 1 ? nr : (1 - u ** nr) / (1 - u);
  return probes * probeNs;
}
