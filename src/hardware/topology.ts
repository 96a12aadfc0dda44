/**
 * CPU topology and the cost of moving a cache line between two CPUs.
 *
 * Models what `lscpu`/`/sys/devices/system/node` show: vCPUs split evenly and contiguously over NUMA
 * nodes, and within a node into last-level-cache groups (core complexes on AMD, a socket's mesh on
 * Intel). A modified line moving between CPUs costs the hardware profile's sameLlc / crossLlc /
 * crossNuma figure; the same CPU costs nothing. Left out: SMT siblings sharing L1/L2, and directory
 * or snoop-filter effects that make some cross-socket transfers dearer than others.
 */
import type { HardwareProfile } from "../models/types.ts";

export class Topology {
  readonly cpus: number;
  private readonly node: Int32Array;
  private readonly llc: Int32Array;

  constructor(readonly hw: HardwareProfile) {
    this.cpus = hw.vcpus;
    this.node = new Int32Array(hw.vcpus);
    this.llc = new Int32Array(hw.vcpus);
    const perNode = Math.ceil(hw.vcpus / hw.numaNodes);
    const perLlc = Math.max(1, Math.min(hw.cpusPerLlc, perNode));
    const llcsPerNode = Math.ceil(perNode / perLlc);
    for (let c = 0; c < hw.vcpus; c++) {
      const n = Math.floor(c / perNode);
      this.node[c] = n;
      // LLC groups are counted within each node, so an LLC never spans two NUMA nodes
      this.llc[c] = n * llcsPerNode + Math.floor((c - n * perNode) / perLlc);
    }
  }

  numaNodeOf(cpu: number): number {
    return this.node[cpu];
  }
  llcOf(cpu: number): number {
    return this.llc[cpu];
  }
  isRemote(a: number, b: number): boolean {
    return this.node[a] !== this.node[b];
  }

  /** ns to move one modified cache line from CPU `from` to CPU `to` (0 when they are the same). */
  transferNs(from: number, to: number): number {
    if (from === to || from < 0 || to < 0) return 0;
    const t = this.hw.cacheLineTransferNs;
    if (this.node[from] !== this.node[to]) return t.crossNuma;
    if (this.llc[from] !== this.llc[to]) return t.crossLlc;
    return t.sameLlc;
  }
}
