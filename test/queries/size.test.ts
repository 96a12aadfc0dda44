import { describe, expect, it } from "vitest";
import { predict } from "../../src/queries/predict.ts";
import { size } from "../../src/queries/size.ts";

const QUICK = { replications: 2, durationS: 0.05 };

describe("size", () => {
  for (const tool of ["retina-perf", "retina-ringbuf"]) {
    it(`${tool}: the answer keeps lost/s under the target and the next smaller size does not`, () => {
      const spec = { hardware: "azure-d32s-v5", tool, trafficGbps: 10 };
      const a = size(spec, 100, QUICK);
      expect(a.answer).not.toBeNull();
      const override = (s: number) => (a.buffer === "perf" ? { perfPages: s } : { ringbufBytes: s });
      const at = predict({ ...spec, ...override(a.answer!.size) }, QUICK);
      expect(at.lostPerS.mean).toBeLessThan(100);
      if (a.nextSmaller) {
        expect(a.nextSmaller.size).toBe(a.answer!.size / 2);
        expect(predict({ ...spec, ...override(a.nextSmaller.size) }, QUICK).lostPerS.mean).toBeGreaterThanOrEqual(100);
      } else {
        expect(a.answer!.size).toBe(a.buffer === "perf" ? 1 : 4096);
      }
      // memory: pages × 4 KiB × vCPUs, or ring bytes × rings (one ring here)
      expect(a.answer!.memoryBytes).toBe(a.buffer === "perf" ? a.answer!.size * 4096 * 32 : a.answer!.size);
      expect(Number.isInteger(Math.log2(a.answer!.size))).toBe(true);
    });
  }

  it("rejects a negative target naming the value", () => {
    expect(() => size({ hardware: "azure-d4s-v5", tool: "retina-perf" }, -1)).toThrow(/maxLostPerS = -1/);
  });
});
