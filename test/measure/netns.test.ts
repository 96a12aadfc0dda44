import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { pairNames } from "../../src/measure/netns.ts";

describe("pairNames: the harness's namespaces and veth pair for one process", () => {
  it("names both namespaces and interfaces after the pid, on the RFC 2544 benchmarking range 198.18.0.0/15", () => {
    expect(pairNames("bpfsim", 1234)).toEqual({
      nsA: "bpfsim-1234-a",
      nsB: "bpfsim-1234-b",
      ifA: "bs1234a",
      ifB: "bs1234b",
      addrA: "198.18.0.1",
      addrB: "198.18.0.2",
    });
  });
  it("property: interface names fit IFNAMSIZ (16 with the NUL, include/uapi/linux/if.h) for every pid up to PID_MAX_LIMIT (2^22)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4_194_304 }), fc.constantFrom("bpfsim" as const, "bpfsimt" as const), (pid, prefix) => {
        const p = pairNames(prefix, pid);
        expect(p.ifA.length).toBeLessThanOrEqual(15);
        expect(p.ifB.length).toBeLessThanOrEqual(15);
        expect(p.ifA).not.toBe(p.ifB);
        expect(p.nsA).not.toBe(p.nsB);
        // both addresses in one /30 (the harness adds them as /30): same network, distinct hosts
        expect(p.addrA.split(".").slice(0, 3)).toEqual(p.addrB.split(".").slice(0, 3));
      }),
    );
  });
  it("two processes never share names (cleanup finds its own by pid)", () => {
    expect(pairNames("bpfsim", 12).nsA).not.toBe(pairNames("bpfsim", 123).nsA);
    expect(pairNames("bpfsim", 12).ifA).not.toBe(pairNames("bpfsim", 1).ifA);
  });
});
