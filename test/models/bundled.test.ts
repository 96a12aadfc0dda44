// The bundled profiles (src/models/bundled.ts, for browsers) are exactly the shipped files, and each
// equals what the file loader returns (which validates it against its schema): the two cannot drift.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUNDLED, bundledNames, bundledProfile } from "../../src/models/bundled.ts";
import { listProfiles, loadProfile, PROFILE_KINDS } from "../../src/models/load.ts";

describe("bundled profiles", () => {
  it.each(PROFILE_KINDS)("%s: the files in its models/ folder, no more, no fewer", (kind) => {
    const missing = listProfiles(kind).filter((n) => !(n in BUNDLED[kind]));
    const extra = bundledNames(kind).filter((n) => !listProfiles(kind).includes(n));
    // a new profile file needs one import line in src/models/bundled.ts
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each(PROFILE_KINDS)("%s: each equals what loadProfile reads", (kind) => {
    for (const name of bundledNames(kind)) expect(BUNDLED[kind][name], `${kind}/${name}`).toEqual(loadProfile(kind, name));
  });

  it("has no node: imports (it must bundle for a browser)", () => {
    const source = readFileSync(new URL("../../src/models/bundled.ts", import.meta.url), "utf8");
    expect(source).not.toMatch(/from\s+["']node:/);
  });

  it("bundledProfile returns a copy, and names the available profiles for an unknown one", () => {
    const a = bundledProfile("tool", "retina-perf");
    a.sampling = 99;
    expect(bundledProfile("tool", "retina-perf").sampling).not.toBe(99);
    expect(() => bundledProfile("hardware", "no-such-node")).toThrow(/available: .*azure-d32s-v5/);
  });
});
