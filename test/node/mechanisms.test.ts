import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isMechanism, MECHANISM_NAMES, MECHANISMS } from "../../src/node/mechanisms.ts";
import { buildScenario } from "../../src/node/scenario.ts";
import { nodeSetup } from "../../src/node/simulate.ts";

describe("the ablation switches", () => {
  it("names the seven many-core mechanisms README and reproduce --ablate list", () => {
    expect(MECHANISM_NAMES).toEqual(["rxChannelPool", "ksoftirqd", "epollLock", "goRuntime", "readerRingScan", "vmExits", "readerInterruptTime"]);
    for (const m of MECHANISM_NAMES) expect(MECHANISMS[m].length).toBeGreaterThan(10);
  });
  it("isMechanism: own keys only (not Object.prototype's)", () => {
    for (const m of MECHANISM_NAMES) expect(isMechanism(m)).toBe(true);
    for (const s of ["toString", "constructor", "__proto__", "hasOwnProperty", "", "epolllock"]) expect(isMechanism(s)).toBe(false);
  });
  it("property: isMechanism(s) iff s is one of the names", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(...MECHANISM_NAMES)), (s) => {
        expect(isMechanism(s)).toBe((MECHANISM_NAMES as string[]).includes(s));
      }),
    );
  });
  it("each switch does what its description says to the node's setup (azure-d32s-v5, retina-perf, kernel 5.15)", () => {
    const on = nodeSetup(buildScenario({ hardware: "azure-d32s-v5", tool: "retina-perf" }));
    const off = (m: string) => nodeSetup(buildScenario({ hardware: "azure-d32s-v5", tool: "retina-perf", disabled: [m] }));
    // kernel/rx-channels.ts: min(8, CPUs) generic default before v6.0; off: one channel per vCPU
    expect(on.channels.channels).toBe(8);
    expect(off("rxChannelPool").channels.channels).toBe(32);
    // kernel/softirq.ts: ksoftirqd takes a saturated receive CPU on v4.9-v6.4; off: inline
    expect(on.saturatedSoftirqShare).toBeDefined();
    expect(off("ksoftirqd").saturatedSoftirqShare).toBeUndefined();
    expect(on.epollLock).toBe(true);
    expect(off("epollLock").epollLock).toBe(false);
    expect(on.tool!.reader.runtime).toBeDefined();
    expect(off("goRuntime").tool!.reader.runtime).toBeUndefined();
    expect(off("readerRingScan").tool!.reader.scanAllRings).toBe(false);
    expect(on.hw.vmExitNs).toBeGreaterThan(0);
    expect(off("vmExits").hw.vmExitNs).toBe(0);
  });
});
