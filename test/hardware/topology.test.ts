import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Topology } from "../../src/hardware/topology.ts";
import { loadHardware } from "../../src/models/load.ts";
import type { HardwareProfile } from "../../src/models/types.ts";

const hw = (vcpus: number, numaNodes: number, cpusPerLlc: number): HardwareProfile => ({
  ...loadHardware("azure-d96s-v5"),
  vcpus,
  numaNodes,
  cpusPerLlc,
  cacheLineTransferNs: { sameLlc: 40, crossLlc: 90, crossNuma: 150 },
});

describe("Topology: NUMA and LLC split", () => {
  it("splits vCPUs evenly and contiguously over NUMA nodes", () => {
    const t = new Topology(hw(96, 2, 48));
    for (let c = 0; c < 48; c++) expect(t.numaNodeOf(c)).toBe(0);
    for (let c = 48; c < 96; c++) expect(t.numaNodeOf(c)).toBe(1);
    expect(t.isRemote(0, 95)).toBe(true);
    expect(t.isRemote(0, 47)).toBe(false);
  });
  it("property: node ids are non-decreasing, in range, and every node gets ceil or fewer CPUs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 }), (v, nodes, llc) => {
        fc.pre(nodes <= v);
        const t = new Topology(hw(v, nodes, llc));
        const count = new Array(nodes).fill(0);
        for (let c = 0; c < v; c++) {
          const n = t.numaNodeOf(c);
          expect(n).toBeGreaterThanOrEqual(0);
          expect(n).toBeLessThan(nodes);
          if (c > 0) expect(n).toBeGreaterThanOrEqual(t.numaNodeOf(c - 1));
          count[n]++;
          // an LLC never spans two NUMA nodes
          if (c > 0 && t.llcOf(c) === t.llcOf(c - 1)) expect(t.numaNodeOf(c)).toBe(t.numaNodeOf(c - 1));
        }
        for (const k of count) expect(k).toBeLessThanOrEqual(Math.ceil(v / nodes));
      }),
    );
  });
});

describe("Topology: cache-line transfer cost by distance", () => {
  const t = new Topology(hw(64, 2, 16));
  it("zero on the same CPU, sameLlc / crossLlc / crossNuma otherwise", () => {
    expect(t.transferNs(5, 5)).toBe(0);
    expect(t.transferNs(0, 1)).toBe(40);
    expect(t.transferNs(0, 16)).toBe(90);
    expect(t.transferNs(0, 32)).toBe(150);
  });
  it("no previous owner (-1) costs nothing", () => {
    expect(t.transferNs(-1, 3)).toBe(0);
    expect(t.transferNs(3, -1)).toBe(0);
  });
  it("property: symmetric, zero iff same CPU, and ordered by distance", () => {
    fc.assert(
      fc.property(fc.nat(63), fc.nat(63), (a, b) => {
        expect(t.transferNs(a, b)).toBe(t.transferNs(b, a));
        if (a === b) expect(t.transferNs(a, b)).toBe(0);
        else expect(t.transferNs(a, b)).toBeGreaterThan(0);
        if (t.isRemote(a, b)) expect(t.transferNs(a, b)).toBe(150);
        else if (t.llcOf(a) !== t.llcOf(b)) expect(t.transferNs(a, b)).toBe(90);
        else if (a !== b) expect(t.transferNs(a, b)).toBe(40);
      }),
    );
  });
});
