/**
 * Describes the machine a measurement ran on: nproc, CPU model, kernel, NUMA layout
 * (/sys/devices/system/node/node<N>/cpulist), hypervisor, and a host-class slug such as
 * `kvm-2vcpu-amd-epyc` used to name datasets and calibration files.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import os from "node:os";

export interface HostDescription {
  hostClass: string;
  nproc: number;
  cpuModel: string;
  kernel: string;
  virtualised: boolean;
  numaNodes: { node: number; cpus: string }[];
  memoryBytes: number;
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/\(r\)|\(tm\)|processor|\bcpu\b|@.*$/g, " ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export function describeHost(): HostDescription {
  const cpuinfo = read("/proc/cpuinfo");
  const cpuModel = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  const virtualised = /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo);
  const nproc = os.availableParallelism();
  const nodeDir = "/sys/devices/system/node";
  const numaNodes = existsSync(nodeDir)
    ? readdirSync(nodeDir)
        .filter((d) => /^node\d+$/.test(d))
        .map((d) => ({ node: Number(d.slice(4)), cpus: read(`${nodeDir}/${d}/cpulist`) }))
        .sort((a, b) => a.node - b.node)
    : [];
  const hostClass = `${virtualised ? "kvm" : "metal"}-${nproc}vcpu-${slug(cpuModel)}`;
  return { hostClass, nproc, cpuModel, kernel: os.release(), virtualised, numaNodes, memoryBytes: os.totalmem() };
}
