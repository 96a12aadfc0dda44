import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { f, mdTable } from "../../src/validation/markdown.ts";

describe("f: fixed point without a negative zero", () => {
  it("rounds like toFixed, and a value that rounds to zero prints as 0", () => {
    expect(f(3.14159)).toBe("3.1");
    expect(f(3.14159, 3)).toBe("3.142");
    expect(f(-0.04)).toBe("0.0");
    expect(f(-0)).toBe("0.0");
    expect(f(-0.0004, 3)).toBe("0.000");
    expect(f(-0.06)).toBe("-0.1");
  });
  it("property: never starts with '-0' unless the value is non-zero at that precision, and parses back within half a unit", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 6 }), (x, d) => {
        const s = f(x, d);
        if (Number(s) === 0) expect(s.startsWith("-")).toBe(false);
        expect(Math.abs(Number(s) - x)).toBeLessThanOrEqual(0.5 * 10 ** -d + 1e-9 * Math.abs(x));
      }),
    );
  });
});

describe("mdTable: a GitHub-flavoured markdown table", () => {
  it("header, an alignment row (r = right), one line per row", () => {
    expect(mdTable(["a", "b"], [["1", "2"]], ["l", "r"])).toBe("| a | b |\n| --- | ---: |\n| 1 | 2 |");
  });
  it("escapes pipes inside cells so a cell never splits", () => {
    expect(mdTable(["x|y"], [["p|q"]])).toBe("| x\\|y |\n| --- |\n| p\\|q |");
  });
  it("property: rows + 2 lines, and every line has as many unescaped separators as the header", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((n) =>
            fc.tuple(
              fc.array(fc.string({ unit: fc.constantFrom("h", "|", " ") }), { minLength: n, maxLength: n }),
              fc.array(fc.array(fc.string({ unit: fc.constantFrom("a", "|", " ", "1") }), { minLength: n, maxLength: n }), { maxLength: 5 }),
            ),
          ),
        ([h, rows]) => {
          const lines = mdTable(h, rows).split("\n");
          const seps = (l: string) => (l.match(/(?<!\\)\|/g) ?? []).length;
          expect(lines).toHaveLength(rows.length + 2);
          for (const l of lines) expect(seps(l)).toBe(h.length + 1);
        },
      ),
    );
  });
});
