import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { describeHost, irqTimeAccounting, slug } from "../../src/measure/host.ts";
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

describe("irqTimeAccounting: the kernel config's CONFIG_IRQ_TIME_ACCOUNTING", () => {
  it("reads =y as true, 'is not set' as false, and nothing as unknown", () => {
    expect(irqTimeAccounting("CONFIG_TICK_CPU_ACCOUNTING=y\nCONFIG_IRQ_TIME_ACCOUNTING=y\n")).toBe(true);
    expect(irqTimeAccounting("CONFIG_TICK_CPU_ACCOUNTING=y\n# CONFIG_IRQ_TIME_ACCOUNTING is not set\n")).toBe(false);
    expect(irqTimeAccounting("CONFIG_HAVE_IRQ_TIME_ACCOUNTING=y\n")).toBeUndefined();
    expect(irqTimeAccounting("")).toBeUndefined();
  });
  it("describeHost carries what this machine's /proc/config.gz says, and nothing without one", () => {
    const want = existsSync("/proc/config.gz") ? irqTimeAccounting(gunzipSync(readFileSync("/proc/config.gz")).toString("utf8")) : undefined;
    expect(describeHost().irqTimeAccounting).toBe(want);
    expect("irqTimeAccounting" in describeHost()).toBe(want !== undefined);
  });
});
