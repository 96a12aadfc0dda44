import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSettled, loadUnknowns, UNKNOWN_FIELDS } from "../../src/validation/unknowns.ts";
import { buildScenario, type ScenarioSpec } from "../../src/node/scenario.ts";

describe("loadUnknowns: the field study's unknowns", () => {
  const us = loadUnknowns();
  it("README's documented defaults: kernel 5.15, Go 1.24, the channel count left to the kernel's generic default", () => {
    const by = new Map(us.map((u) => [u.name, u]));
    expect(by.get("kernel")!.default).toBe("5.15");
    expect(by.get("goVersion")!.default).toBe("1.24");
    expect(by.get("rxChannels")?.default ?? null).toBeNull();
    // CONFIG_IRQ_TIME_ACCOUNTING: the Kconfig default (off), both values in the band
    expect(by.get("irqTimeAccounting")!.default).toBe(false);
    expect(by.get("irqTimeAccounting")!.values).toEqual([false, true]);
  });
  it("irqTimeAccounting reaches the scenario's hardware, and only when given", () => {
    expect(buildScenario({ hardware: "azure-d32s-v5", tool: "retina-perf", irqTimeAccounting: true }).hardware.irqTimeAccounting).toBe(true);
    expect(buildScenario({ hardware: "azure-d32s-v5", tool: "retina-perf", irqTimeAccounting: false }).hardware.irqTimeAccounting).toBe(false);
    expect(buildScenario({ hardware: "azure-d32s-v5", tool: "retina-perf" }).hardware.irqTimeAccounting).toBeUndefined();
  });
  it("every unknown names a scenario field, has sources, and a default (when given) inside its range", () => {
    for (const u of us) {
      expect(UNKNOWN_FIELDS).toContain(u.name);
      expect(u.sources.length).toBeGreaterThan(0);
      expect(u.values.length).toBeGreaterThan(0);
      if (u.default !== null) expect(u.values.map(String)).toContain(String(u.default));
    }
  });
  it("every value of every range makes a valid scenario of the 32-core node (reproduce's band runs each)", () => {
    for (const u of us) {
      for (const v of u.values) {
        expect(() => buildScenario({ hardware: "azure-d32s-v5", tool: "retina-perf", [u.name]: v } as ScenarioSpec), `${u.name} = ${v}`).not.toThrow();
      }
    }
  });
  it("refuses a name that is no scenario field, and an empty range, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "unknowns-"));
    const write = (doc: unknown) => {
      const p = join(dir, `u${Math.random()}.json`);
      writeFileSync(p, JSON.stringify(doc));
      return p;
    };
    const ok = { name: "kernel", what: "", default: "5.15", values: ["5.15"], rationale: "", sources: ["x"] };
    const bad1 = write({ unknowns: [{ ...ok, name: "moonPhase" }] });
    expect(() => loadUnknowns(bad1)).toThrow(new RegExp(`${bad1.replace(/[.]/g, "\\.")}: unknown name = "moonPhase"`));
    const bad2 = write({ unknowns: [{ ...ok, values: [] }] });
    expect(() => loadUnknowns(bad2)).toThrow(/unknowns kernel: values must be a non-empty array/);
    expect(loadUnknowns(write({ unknowns: [ok] }))).toEqual([ok]);
  });
});

describe("what the study's own evidence settles (the unknowns file's settled list)", () => {
  it("names the aggregation level as settled at low, with sources, and refuses an entry without a reason", () => {
    const settled = loadSettled();
    const agg = settled.find((x) => x.name === "dataAggregationLevel");
    expect(agg?.value).toBe("low");
    expect(agg!.sources.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), "settled-"));
    const f = join(dir, "u.json");
    writeFileSync(f, JSON.stringify({ unknowns: [], settled: [{ name: "x", value: 1, why: "", sources: ["s"] }] }));
    expect(() => loadSettled(f)).toThrow(/settled\[0\]\.why = "": must say why/);
    writeFileSync(f, JSON.stringify({ unknowns: [] }));
    expect(loadSettled(f)).toEqual([]);
  });
});
