import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { schemaIssues, valueAt } from "../../src/models/schema.ts";
import { loadHardware } from "../../src/models/load.ts";

describe("valueAt: JSON Pointer (RFC 6901)", () => {
  const doc = { foo: ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5, 'k"l': 6, " ": 7, "m~n": 8 };
  // RFC 6901 section 5's examples
  it.each([
    ["", doc],
    ["/foo", ["bar", "baz"]],
    ["/foo/0", "bar"],
    ["/", 0],
    ["/a~1b", 1],
    ["/c%d", 2],
    ["/e^f", 3],
    ["/g|h", 4],
    ["/i\\j", 5],
    ['/k"l', 6],
    ["/ ", 7],
    ["/m~0n", 8],
  ])("%j", (p, want) => {
    // note: "/" is the empty key in RFC 6901; valueAt reads "/" as the whole document (the report's "at the top")
    if (p === "/") expect(valueAt(doc, p)).toBe(doc);
    else expect(valueAt(doc, p)).toEqual(want);
  });
  it("absent paths and paths through scalars are undefined", () => {
    expect(valueAt(doc, "/nope")).toBeUndefined();
    expect(valueAt(doc, "/foo/0/x")).toBeUndefined();
    expect(valueAt(null, "/a")).toBeUndefined();
  });
  it("property: escaping a key (~ -> ~0, then / -> ~1) and reading it back gives the value", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer(), (key, v) => {
        const p = `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        expect(valueAt({ [key]: { x: v } }, `${p}/x`)).toBe(v);
      }),
    );
  });
});

describe("schemaIssues", () => {
  it("a shipped profile has none; a wrong field is named by its pointer, with its value", () => {
    const hw = loadHardware("azure-d32s-v5");
    expect(schemaIssues("hardware", hw)).toEqual([]);
    const issues = schemaIssues("hardware", { ...hw, vcpus: -4, bogus: 1 });
    expect(issues.map((i) => i.pointer)).toEqual(expect.arrayContaining(["/vcpus", "/bogus"]));
    expect(issues.find((i) => i.pointer === "/vcpus")!.value).toBe(-4);
    expect(issues.find((i) => i.pointer === "/bogus")!.message).toBe("is not a known field");
  });
});
