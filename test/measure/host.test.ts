import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { slug } from "../../src/measure/host.ts";
import { HOST_CLASS_RE } from "../../src/calibration/calibrate.ts";

describe("slug: a CPU model name as part of a host class", () => {
  it.each([
    ["AMD EPYC 7763 64-Core Processor", "amd-epyc-7763-64-core"],
    ["Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz", "intel-xeon-platinum-8370c"],
    ["Neoverse-N1", "neoverse-n1"],
  ])("%s -> %s (lscpu 'Model name' strings)", (model, want) => {
    expect(slug(model)).toBe(want);
  });
  it("property: lowercase letters, digits and single inner hyphens only; idempotent", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = slug(s);
        expect(out).toMatch(/^([a-z0-9]+(-[a-z0-9]+)*)?$/);
        expect(slug(out)).toBe(out);
        // a non-empty slug is a valid host class (calibrate's check)
        if (out !== "") expect(HOST_CLASS_RE.test(out)).toBe(true);
      }),
    );
  });
});
