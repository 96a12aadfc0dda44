/**
 * A CPU quota for the agent (the loader/reader), like a Kubernetes CPU limit: a cgroup
 * `bpfsim-<pid>` with cpu.max = "<quota> <period>" under cgroup v2
 * (Documentation/admin-guide/cgroup-v2.rst, "cpu.max"), or cpu.cfs_quota_us/cpu.cfs_period_us
 * under a v1 cpu hierarchy (Documentation/scheduler/sched-bwc.rst) when that is what the
 * machine mounts. The loader is started inside it by a shell that writes its own pid to
 * cgroup.procs and then execs the loader. The cgroup is removed after the run; a later run
 * removes groups whose creator is gone.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { processAlive } from "./netns.ts";

export interface CpuCgroup {
  path: string;
  version: 1 | 2;
}

const V2_ROOT = "/sys/fs/cgroup";
const V1_CPU_ROOT = "/sys/fs/cgroup/cpu";

function v2Root(): string | undefined {
  const controllers = `${V2_ROOT}/cgroup.controllers`;
  if (!existsSync(controllers)) return undefined;
  if (!readFileSync(controllers, "utf8").split(/\s+/).includes("cpu")) return undefined;
  const subtree = readFileSync(`${V2_ROOT}/cgroup.subtree_control`, "utf8");
  if (!subtree.split(/\s+/).includes("cpu")) writeFileSync(`${V2_ROOT}/cgroup.subtree_control`, "+cpu");
  return V2_ROOT;
}

/** Which cgroup flavour this machine offers for a CPU quota, or undefined. */
export function cpuCgroupSupport(): 1 | 2 | undefined {
  try {
    if (v2Root()) return 2;
  } catch {
    /* fall through to v1 */
  }
  return existsSync(`${V1_CPU_ROOT}/cpu.cfs_quota_us`) ? 1 : undefined;
}

/** Creates bpfsim-<pid>[-tag] limited to `cpus` CPUs (e.g. 0.2) per `periodUs`. */
export function createCpuCgroup(cpus: number, periodUs = 100_000, tag = ""): CpuCgroup {
  const name = `bpfsim-${process.pid}${tag ? `-${tag}` : ""}`;
  const quota = Math.max(1000, Math.round(cpus * periodUs));
  const version = cpuCgroupSupport();
  if (version === 2) {
    const path = `${V2_ROOT}/${name}`;
    mkdirSync(path, { recursive: true });
    writeFileSync(`${path}/cpu.max`, `${quota} ${periodUs}`);
    return { path, version };
  }
  if (version === 1) {
    const path = `${V1_CPU_ROOT}/${name}`;
    mkdirSync(path, { recursive: true });
    writeFileSync(`${path}/cpu.cfs_period_us`, String(periodUs));
    writeFileSync(`${path}/cpu.cfs_quota_us`, String(quota));
    return { path, version };
  }
  throw new Error("no cgroup cpu controller (v2 cpu.max or v1 cpu.cfs_quota_us) on this machine");
}

/** Reads the group's throttling statistics (cpu.stat: nr_throttled, throttled_usec/throttled_time). */
export function readCpuStat(g: CpuCgroup): Record<string, number> {
  try {
    return Object.fromEntries(
      readFileSync(`${g.path}/cpu.stat`, "utf8")
        .trim()
        .split("\n")
        .map((l) => l.split(/\s+/))
        .map(([k, v]) => [k ?? "", Number(v)]),
    );
  } catch {
    return {};
  }
}

/** Removes the group (its processes must have exited). Retries briefly: exit is asynchronous. */
export async function removeCpuCgroup(g: CpuCgroup): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      if (existsSync(g.path)) rmdirSync(g.path);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Removes bpfsim-<pid> groups whose creator is gone. Returns their paths. */
export function cleanupStaleCgroups(): string[] {
  const removed: string[] = [];
  for (const root of [V2_ROOT, V1_CPU_ROOT]) {
    if (!existsSync(root)) continue;
    for (const d of readdirSync(root)) {
      const m = /^bpfsim-(\d+)(-.*)?$/.exec(d);
      if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
      try {
        rmdirSync(`${root}/${d}`);
        removed.push(`${root}/${d}`);
      } catch {
        /* still has processes: leave it */
      }
    }
  }
  return removed;
}

/** bpfsim cgroups that exist now (for leak checks in tests). */
export function listBpfsimCgroups(): string[] {
  const out: string[] = [];
  for (const root of [V2_ROOT, V1_CPU_ROOT]) {
    if (existsSync(root)) for (const d of readdirSync(root)) if (/^bpfsim-\d+/.test(d)) out.push(`${root}/${d}`);
  }
  return out;
}
