/**
 * Where the scheduler runs a woken agent thread that owns no CPU.
 *
 * Kernel (v6.x): kernel/sched/fair.c `select_task_rq_fair` → `wake_affine` then
 * `select_idle_sibling`: the wakee goes to the waker's (or its previous) last-level-cache domain,
 * preferring an idle CPU there. On a node whose CPUs are all busy with traffic there is no idle CPU,
 * so the thread lands on a busy CPU of the waker's LLC and its run time is taken from the work there.
 * This picks uniformly among the waker's LLC CPUs. Left out: load-balancer migrations, SMT.
 */
import type { RandomStream } from "../engine/index.ts";
import type { Topology } from "./topology.ts";

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
