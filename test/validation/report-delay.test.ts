import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { delaySection } from "../../src/validation/report-delay.ts";
import { PACKAGE_ROOT } from "../../src/models/paths.ts";

describe("delaySection", () => {
  it("says there is no dataset when the folder has none, or does not exist", () => {
    const empty = mkdtempSync(join(tmpdir(), "delay-"));
    writeFileSync(join(empty, "other.jsonl"), "");
    for (const d of [empty, join(empty, "missing")]) expect(delaySection(d)).toMatch(/No injected-delay dataset yet/);
  });
  it("takes the newest *-injected-delay.jsonl, never a -contended one, and gives one fitted line per output mode", () => {
    const dir = mkdtempSync(join(tmpdir(), "delay-"));
    const src = join(PACKAGE_ROOT, "validation", "data", "kvm-2vcpu-amd-epyc-2026-12-01-injected-delay.jsonl");
    copyFileSync(src, join(dir, "a-2026-12-01-injected-delay.jsonl"));
    copyFileSync(src, join(dir, "a-2026-12-02-injected-delay-contended.jsonl"));
    copyFileSync(src, join(dir, "a-2026-11-01-injected-delay.jsonl"));
    const md = delaySection(dir);
    expect(md).toContain("a-2026-12-01-injected-delay.jsonl");
    expect(md).not.toContain("contended.jsonl");
    const modes = md.split("\n").filter((l) => /^- (perf|ringbuf|none)\b/.test(l));
    expect(modes.length).toBeGreaterThanOrEqual(2);
  });
});
