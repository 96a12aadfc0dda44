import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  bandsOf,
  checkModelError,
  errorRows,
  MODEL_ERROR_FILE,
  modelErrorFor,
  readModelError,
  VCPU_RANGES,
  type ErrorRow,
  type ModelErrorFile,
} from "../../src/validation/model-error.ts";
import type { ReproduceResult } from "../../src/validation/reproduce.ts";

const row = (kind: "perf" | "ringbuf", vcpus: number, predictedPct: number, measuredPct: number): ErrorRow => ({
  source: "field-study",
  label: `${kind}@${vcpus}`,
  kind,
  vcpus,
  predictedPct,
  measuredPct,
});

describe("bandsOf: the largest error per buffer kind and vCPU range", () => {
  it("by hand: two perf rows at 32 vCPUs, one ring buffer row at 32, one perf row at 4", () => {
    const rows = [row("perf", 32, 15, 44), row("perf", 32, 31, 53), row("ringbuf", 32, 3.9, 7.5), row("perf", 4, 0, 0)];
    const b = bandsOf(rows);
    expect(b).toHaveLength(2 * VCPU_RANGES.length);
    const get = (k: string, v: number) => b.find((x) => x.kind === k && v >= x.minVcpus && v <= x.maxVcpus)!;
    // perf 9-32: max(|15-44|, |31-53|) = 29 pp; relative max(29/44, 22/53)
    expect(get("perf", 32)).toMatchObject({ errorPp: 29, rows: 2, extrapolated: false });
    expect(get("perf", 32).relativeError).toBeCloseTo(29 / 44, 12);
    // perf 1-8: a 0 vs 0 row: 0 pp, and no relative error (measured 0 is left out)
    expect(get("perf", 4)).toMatchObject({ errorPp: 0, relativeError: 0, rows: 1 });
    // perf 33+: no rows: the kind's largest, marked extrapolated
    expect(get("perf", 64)).toMatchObject({ errorPp: 29, rows: 0, extrapolated: true });
    // ring buffer bands without rows take the ring buffer's own largest (3.6 pp), not the perf rows'
    expect(get("ringbuf", 4).errorPp).toBeCloseTo(3.6, 12);
    expect(get("ringbuf", 4).extrapolated).toBe(true);
  });
  it("a kind with no rows at all takes the largest error over everything", () => {
    const b = bandsOf([row("perf", 16, 10, 14)]);
    for (const x of b.filter((x) => x.kind === "ringbuf")) expect(x).toMatchObject({ errorPp: 4, extrapolated: true, rows: 0 });
  });
  it("refuses no rows", () => expect(() => bandsOf([])).toThrow(RangeError));
  it("property: every band's error is at least that of each of its rows, and no band exceeds the overall largest", () => {
    const r = fc.record({
      kind: fc.constantFrom("perf" as const, "ringbuf" as const),
      vcpus: fc.integer({ min: 1, max: 200 }),
      p: fc.double({ min: 0, max: 100, noNaN: true }),
      m: fc.double({ min: 0, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(r, { minLength: 1, maxLength: 30 }), (rs) => {
        const rows = rs.map((x) => row(x.kind, x.vcpus, x.p, x.m));
        const bands = bandsOf(rows);
        const overall = Math.max(...rows.map((x) => Math.abs(x.predictedPct - x.measuredPct)));
        for (const x of rows) {
          const band = modelErrorFor({ bands } as ModelErrorFile, x.kind, x.vcpus);
          expect(band.errorPp).toBeGreaterThanOrEqual(Math.abs(x.predictedPct - x.measuredPct));
        }
        for (const b of bands) expect(b.errorPp).toBeLessThanOrEqual(overall);
        expect(bands.reduce((s, b) => s + b.rows, 0)).toBe(rows.length);
      }),
    );
  });
});

describe("modelErrorFor", () => {
  it("picks the band of the size, and the last range for anything larger", () => {
    const bands = bandsOf([row("perf", 4, 1, 2), row("perf", 64, 10, 40)]);
    const f = { bands } as ModelErrorFile;
    expect(modelErrorFor(f, "perf", 8).errorPp).toBe(1);
    expect(modelErrorFor(f, "perf", 5000).errorPp).toBe(30);
    expect(() => modelErrorFor({ bands: bands.filter((b) => b.kind === "perf") } as ModelErrorFile, "ringbuf", 8)).toThrow(/no band for buffer kind ringbuf/);
  });
});

describe("errorRows", () => {
  it("takes the counted overhead rows only, with the buffer kind from the tool and vCPUs from the hardware", () => {
    const rep = {
      rows: [
        {
          table: "t",
          label: "a",
          metric: "reduction_pct",
          status: "predicted",
          published: 44,
          predicted: { mean: 15 },
          scenario: { tool: "retina-perf", hardware: "azure-d32s-v5" },
        },
        {
          table: "t",
          label: "b",
          metric: "reduction_pct",
          status: "predicted",
          published: 7.5,
          predicted: { mean: 3.9 },
          scenario: { tool: "retina-ringbuf", hardware: "azure-d32s-v5" },
        },
        {
          table: "t",
          label: "c",
          metric: "baseline_gbps",
          status: "fitted-input",
          published: 8,
          predicted: { mean: 8 },
          scenario: { tool: "none", hardware: "azure-d32s-v5" },
        },
        {
          table: "t",
          label: "d",
          metric: "with_tool_gbps",
          status: "predicted",
          published: 4.5,
          predicted: { mean: 6.8 },
          scenario: { tool: "retina-perf", hardware: "azure-d32s-v5" },
        },
      ],
    } as unknown as ReproduceResult;
    expect(errorRows(rep, null, () => 32)).toEqual([
      { source: "field-study", label: "t: a", kind: "perf", vcpus: 32, predictedPct: 15, measuredPct: 44 },
      { source: "field-study", label: "t: b", kind: "ringbuf", vcpus: 32, predictedPct: 3.9, measuredPct: 7.5 },
    ]);
  });
});

describe("checkModelError and the shipped validation/model-error.json", () => {
  it("refuses a file without bands, a bad kind, a negative error, missing provenance, naming the field", () => {
    const good = {
      description: "",
      provenance: { command: "c", date: "d", calibration: "x", heldOutCalibration: null, options: {} },
      bands: bandsOf([row("perf", 4, 1, 2)]),
      rows: [],
    };
    expect(checkModelError(good, "L")).toBe(good);
    expect(() => checkModelError({}, "L")).toThrow(/L: bands: missing/);
    expect(() => checkModelError({ ...good, bands: [{ ...good.bands[0], kind: "xdp" }] }, "L")).toThrow(/bands\[0\]\.kind = "xdp": must be perf or ringbuf/);
    expect(() => checkModelError({ ...good, bands: [{ ...good.bands[0], errorPp: -1 }] }, "L")).toThrow(/bands\[0\]\.errorPp = -1: must be a number >= 0/);
    expect(() => checkModelError({ ...good, provenance: {} }, "L")).toThrow(/provenance: needs command and date/);
  });
  it("the shipped file is derived, never set by hand: its bands are bandsOf its own rows", () => {
    const f = readModelError(MODEL_ERROR_FILE);
    expect(f.rows.length).toBeGreaterThan(0);
    expect(f.bands).toEqual(bandsOf(f.rows));
  });
});
