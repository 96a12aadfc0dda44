/**
 * The harness's private network: two network namespaces joined by a veth pair
 * (ip-netns(8), veth(4)), addressed from 198.18.0.0/15 (RFC 2544 benchmarking space), so
 * test traffic never touches the host's own interfaces. Side "a" plays the host (client),
 * side "b" the pod (server). Names carry the creating pid (`bpfsim-<pid>-a`) so a later run can
 * delete what a crashed run left behind; deleting a namespace deletes its veth end, qdiscs
 * and filters with it.
 */
import { run, runOk } from "./exec.ts";
import { namespaceInode, processesInNamespaces } from "./leftovers.ts";

export interface VethPair {
  nsA: string;
  nsB: string;
  ifA: string;
  ifB: string;
  addrA: string;
  addrB: string;
}

const NS_RE = /^(bpfsim|bpfsimt)-(\d+)-[ab]$/;

/** Names for this process's pair (one pair per process at a time). */
export function pairNames(prefix: "bpfsim" | "bpfsimt", pid: number): VethPair {
  return {
    nsA: `${prefix}-${pid}-a`,
    nsB: `${prefix}-${pid}-b`,
    ifA: `bs${pid}a`,
    ifB: `bs${pid}b`,
    addrA: "198.18.0.1",
    addrB: "198.18.0.2",
  };
}

/**
 * Creates the pair. `opts.created` is told of each namespace as soon as it exists (measure.ts
 * records it, so a run killed at any point leaves nothing the next run cannot find).
 */
export async function createVethPair(p: VethPair, opts: { disableIpv6?: boolean; created?: (ns: string) => void } = {}): Promise<void> {
  await runOk("ip", ["netns", "add", p.nsA]);
  opts.created?.(p.nsA);
  await runOk("ip", ["netns", "add", p.nsB]);
  opts.created?.(p.nsB);
  await runOk("ip", ["link", "add", p.ifA, "netns", p.nsA, "type", "veth", "peer", "name", p.ifB, "netns", p.nsB]);
  for (const [ns, dev, addr] of [
    [p.nsA, p.ifA, p.addrA],
    [p.nsB, p.ifB, p.addrB],
  ] as const) {
    if (opts.disableIpv6) await runOk("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
    await runOk("ip", ["-n", ns, "addr", "add", `${addr}/30`, "dev", dev]);
    await runOk("ip", ["-n", ns, "link", "set", dev, "up"]);
    await runOk("ip", ["-n", ns, "link", "set", "lo", "up"]);
  }
}

export async function deleteVethPair(p: VethPair): Promise<void> {
  await run("ip", ["netns", "del", p.nsA]);
  await run("ip", ["netns", "del", p.nsB]);
}

export async function listNamespaces(): Promise<string[]> {
  const r = await run("ip", ["netns", "list"]);
  return r.stdout
    .split("\n")
    .map((l) => l.split(/\s+/)[0] ?? "")
    .filter(Boolean);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Deletes bpfsim namespaces whose creating process is gone, after ending every process still
 * inside them (an orphaned `iperf3 -s -1` would otherwise keep the namespace, its veth and its
 * BPF programs alive with no name to find them by). Returns the names deleted.
 */
export async function cleanupStaleNamespaces(): Promise<string[]> {
  const gone: string[] = [];
  for (const ns of await listNamespaces()) {
    const m = NS_RE.exec(ns);
    if (m && Number(m[2]) !== process.pid && !alive(Number(m[2]))) {
      const inode = namespaceInode(ns);
      if (inode !== undefined) {
        for (const pid of processesInNamespaces(new Set([inode]))) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
      }
      await run("ip", ["netns", "del", ns]);
      gone.push(ns);
    }
  }
  return gone;
}

export { alive as processAlive };
