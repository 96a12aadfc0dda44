import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.ts";
import { ScenarioError } from "../../src/node/costs.ts";
import { loadTool } from "../../src/models/load.ts";
import { bundledProfile } from "../../src/models/bundled.ts";
import { applyToolOverrides, toolWithOverrides } from "../../src/node/overrides.ts";
import { PACKAGE_ROOT } from "../../src/models/paths.ts";

const errorOf = (f: () => unknown): ScenarioError => {
  try {
    f();
  } catch (e) {
    return e as ScenarioError;
  }
  throw new Error("did not throw");
};

describe("applyToolOverrides", () => {
  it("sets a perf tool's pages, wakeup rule and sampling on a copy, leaving the profile given alone", () => {
    const base = loadTool("retina-perf");
    const before = JSON.stringify(base);
    const t = applyToolOverrides(base, { perfPages: 16, wakeupEvents: 4, sampling: 10 });
    expect(t.buffer).toMatchObject({ kind: "perf", pagesPerCpu: 16, wakeupEvents: 4 });
    expect(t.buffer.kind === "perf" && t.buffer.watermarkBytes).toBeFalsy();
    expect(t.sampling).toBe(10);
    expect(JSON.stringify(base)).toBe(before);
  });

  it("a watermark replaces wakeup_events and the other way round; both at once is an error", () => {
    const base = loadTool("harness-perf");
    const w = applyToolOverrides(base, { watermarkBytes: 131072 });
    expect(w.buffer).toEqual({ kind: "perf", pagesPerCpu: 64, watermarkBytes: 131072 });
    const e = errorOf(() => applyToolOverrides(base, { wakeupEvents: 2, watermarkBytes: 64 }));
    expect(e).toBeInstanceOf(ScenarioError);
    expect(e.field).toBe("watermarkBytes");
  });

  it("sets a ring buffer tool's size and wakeup mode", () => {
    const t = applyToolOverrides(loadTool("retina-ringbuf"), { ringbufBytes: 1 << 20, ringbufWakeup: { forceEvery: 8 } });
    expect(t.buffer).toMatchObject({ kind: "ringbuf", bytes: 1 << 20, wakeup: { forceEvery: 8 } });
  });

  it("sets a Go agent's go line", () => {
    const t = applyToolOverrides(loadTool("retina-perf"), { goVersion: "1.25" });
    expect(t.reader.runtime?.goVersion).toBe("1.25");
  });

  it.each([
    [{ perfPages: 3 }, "perfPages", 3, /power of two/],
    [{ perfPages: 131072 }, "perfPages", 131072, /\[1, 65536\]/],
    [{ sampling: 0 }, "sampling", 0, /sampling = 0/],
    [{ sampling: 1.5 }, "sampling", 1.5, /integer/],
    [{ wakeupEvents: -1 }, "wakeupEvents", -1, /wakeupEvents = -1/],
    [{ goVersion: "2.0" }, "goVersion", "2.0", /go line/],
  ])("refuses %j with a ScenarioError naming the field and the value", (o, field, value, message) => {
    const e = errorOf(() => applyToolOverrides(loadTool("retina-perf"), o));
    expect(e).toBeInstanceOf(ScenarioError);
    expect(e).toBeInstanceOf(UserError);
    expect(e.field).toBe(field);
    expect(e.value).toBe(value);
    expect(e.message).toMatch(message);
  });

  it("refuses a buffer setting of the other kind, naming it", () => {
    const a = errorOf(() => applyToolOverrides(loadTool("retina-ringbuf"), { perfPages: 8 }));
    expect(a.message).toBe("tool retina-ringbuf uses a ring buffer: --pages / --wakeup-events apply to perf buffers only");
    expect([a.field, a.value]).toEqual(["perfPages", 8]);
    const b = errorOf(() => applyToolOverrides(loadTool("retina-perf"), { ringbufBytes: 8192 }));
    expect([b.field, b.value]).toEqual(["ringbufBytes", 8192]);
    const c = errorOf(() => applyToolOverrides(loadTool("retina-ringbuf"), { ringbufBytes: 5000 }));
    expect([c.field, c.value]).toEqual(["ringbufBytes", 5000]);
    const d = errorOf(() => applyToolOverrides(loadTool("harness-perf"), { goVersion: "1.24" }));
    expect(d.message).toBe("goVersion = 1.24: tool harness-perf has no Go runtime");
  });

  it("no overrides: an equal copy", () => {
    const base = loadTool("tetragon");
    const t = applyToolOverrides(base, {});
    expect(t).toEqual(base);
    expect(t).not.toBe(base);
  });
});

describe("toolWithOverrides", () => {
  it("finds the profile with the lookup it is given (files or the bundled copies: the same result)", () => {
    const o = { perfPages: 32, sampling: 4 };
    const fromFiles = toolWithOverrides("hubble-perf", o, loadTool);
    const fromBundle = toolWithOverrides("hubble-perf", o, (n) => bundledProfile("tool", n));
    expect(fromBundle).toEqual(fromFiles);
    const seen: string[] = [];
    toolWithOverrides("retina-perf", {}, (n) => (seen.push(n), loadTool(n)));
    expect(seen).toEqual(["retina-perf"]);
  });

  it("is browser-safe: overrides.ts imports no node: module", () => {
    const src = readFileSync(join(PACKAGE_ROOT, "src", "node", "overrides.ts"), "utf8");
    expect(src).not.toMatch(/from "node:/);
    expect(src).not.toMatch(/models\/load\.ts|models\/read\.ts|models\/schema\.ts/);
  });
});
