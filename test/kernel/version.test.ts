import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { atLeast, parseKernel } from "../../src/kernel/version.ts";

describe("parseKernel: major.minor of a release string (uname -r)", () => {
  it.each([
    ["5.15", 5, 15],
    ["6.8.0-1021-azure", 6, 8], // Ubuntu's linux-azure: `uname -r` on an AKS node
    ["5.15.0-1075-azure", 5, 15],
    ["6.18.44", 6, 18],
    ["4.9+", 4, 9],
    [" 6.1 ", 6, 1],
    ["6.12~rc1", 6, 12],
  ])("%s -> %i.%i", (text, major, minor) => {
    expect(parseKernel(text)).toMatchObject({ major, minor, text });
  });
  it.each(["", "6", "v6.8", "6.x", "1.0", "100.1", "6.8abc", "latest"])("%j is not a version", (text) => {
    expect(parseKernel(text)).toBeNull();
  });
  it("property: any major.minor with any patch or distribution suffix reads as that major.minor", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 99 }),
        fc.integer({ min: 0, max: 999 }),
        fc.constantFrom("", ".0", ".44", "-1075-azure", "+", "~rc3", ".0-generic"),
        (maj, min, suffix) => {
          const v = parseKernel(`${maj}.${min}${suffix}`);
          expect(v).not.toBeNull();
          expect([v!.major, v!.minor]).toEqual([maj, min]);
        },
      ),
    );
  });
});

describe("atLeast: release order", () => {
  const v = (s: string) => parseKernel(s)!;
  it("compares minor numerically, not as text (6.10 is after 6.9)", () => {
    expect(atLeast(v("6.10"), 6, 9)).toBe(true);
    expect(atLeast(v("6.9"), 6, 10)).toBe(false);
  });
  it("the first release carrying a change counts (>=), an older major never does", () => {
    expect(atLeast(v("6.12.3"), 6, 12)).toBe(true); // netvsc's channel default changed in v6.12 (rx-channels.ts)
    expect(atLeast(v("5.19"), 6, 0)).toBe(false);
    expect(atLeast(v("7.0"), 6, 17)).toBe(true);
  });
  it("property: atLeast is the lexicographic order on (major, minor), and total", () => {
    const ver = fc.tuple(fc.integer({ min: 2, max: 99 }), fc.integer({ min: 0, max: 999 }));
    fc.assert(
      fc.property(ver, ver, ([a1, a2], [b1, b2]) => {
        const a = parseKernel(`${a1}.${a2}`)!;
        const lex = a1 > b1 || (a1 === b1 && a2 >= b2);
        expect(atLeast(a, b1, b2)).toBe(lex);
        // totality: a >= b or b >= a
        expect(atLeast(a, b1, b2) || atLeast(parseKernel(`${b1}.${b2}`)!, a1, a2)).toBe(true);
      }),
    );
  });
});
