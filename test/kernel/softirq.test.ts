import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ksoftirqdTakesOver, saturatedSoftirqShare } from "../../src/kernel/softirq.ts";
import { parseKernel } from "../../src/kernel/version.ts";

const k = (v: string) => parseKernel(v)!;

describe("softirq: ksoftirqd's takeover of a saturated receive CPU", () => {
  it("applies from v4.9 (commit 4cd13c21b207) to v6.4; reverted in v6.5 (commit d15121be7485)", () => {
    expect(ksoftirqdTakesOver(k("4.4"))).toBe(false);
    expect(ksoftirqdTakesOver(k("4.9"))).toBe(true);
    expect(ksoftirqdTakesOver(k("5.15"))).toBe(true);
    expect(ksoftirqdTakesOver(k("6.4"))).toBe(true);
    expect(ksoftirqdTakesOver(k("6.5"))).toBe(false);
    expect(ksoftirqdTakesOver(k("6.8"))).toBe(false);
    expect(saturatedSoftirqShare(k("6.8"), 1)).toBeUndefined();
  });
  it("the fair share: 1 / (1 + threads x busy share), 1/2 against one fully busy thread, 1 against none", () => {
    const share = saturatedSoftirqShare(k("5.15"), 1)!;
    expect(share(1)).toBeCloseTo(0.5, 12);
    expect(share(0)).toBe(1);
    expect(saturatedSoftirqShare(k("5.15"), 3)!(1)).toBeCloseTo(0.25, 12);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(share(hi)).toBeLessThanOrEqual(share(lo));
        expect(share(hi)).toBeGreaterThan(0);
      }),
    );
  });
});
