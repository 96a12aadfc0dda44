/**
 * Describes the machine a measurement ran on: nproc, CPU model, kernel, NUMA layout
 * (/sys/devices/system/node/node<N>/cpulist), hypervisor, and a host-class slug such as
 * `kvm-2vcpu-amd-epyc` used to name datasets and calibration files; and whether the kernel accounts
 * interrupt time apart from tasks (CONFIG_IRQ_TIME_ACCOUNTING, from /proc/config.gz where the kernel
 * exposes it), which decides whether the loader's reader CPU includes the interrupts it sat through.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import os from "node:os";

export interface HostDescription {
  hostClass: string;
  nproc: number;
  cpuModel: string;
  kernel: string;
  virtualised: boolean;
  numaNodes: { node: number; cpus: string }[];
  memoryBytes: number;
  /** CONFIG_IRQ_TIME_ACCOUNTING of the running kernel; absent when /proc/config.gz is not there. */
  irqTimeAccounting?: boolean;
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
  const irq = irqTimeAccounting(readConfigGz());
  return {
    hostClass,
    nproc,
    cpuModel,
    kernel: os.release(),
    virtualised,
    numaNodes,
    memoryBytes: os.totalmem(),
    ...(irq === undefined ? {} : { irqTimeAccounting: irq }),
  };
}

function readConfigGz(): string {
  try {
    return gunzipSync(readFileSync("/proc/config.gz")).toString("utf8");
  } catch {
    return "";
  }
}

/** CONFIG_IRQ_TIME_ACCOUNTING from a kernel config's text: true (=y), false (is not set), undefined (not in it). */
export function irqTimeAccounting(config: string): boolean | undefined {
  if (/^CONFIG_IRQ_TIME_ACCOUNTING=y$/m.test(config)) return true;
  if (/^# CONFIG_IRQ_TIME_ACCOUNTING is not set$/m.test(config)) return false;
  return undefined;
}
