import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { defaultMetric, difference, dominantLabel, dominantMechanismOf, MANY_RUNS, metricOf, SINGLE_RUN, simulateOptions } from "../../src/queries/common.ts";
import type { Estimate } from "../../src/engine/index.ts";
import type { SimulationResult } from "../../src/node/simulate.ts";

const est = (mean: number, halfWidth = 0, n = 5): Estimate => ({ mean, halfWidth, low: mean - halfWidth, high: mean + halfWidth, n });

describe("simulateOptions: the query's options over its defaults", () => {
  it("one simulation: 5 x 0.22 s; many: 3 x 0.22 s; warm-up 20 ms; maxIterations only when given", () => {
    expect(simulateOptions({}, SINGLE_RUN)).toEqual({ seed: 1, replications: 5, durationS: 0.22, warmupS: 0.02 });
    expect(simulateOptions({}, MANY_RUNS)).toEqual({ seed: 1, replications: 3, durationS: 0.22, warmupS: 0.02 });
    expect(simulateOptions({ seed: 9, replications: 2, durationS: 0.1, maxIterations: 4 }, SINGLE_RUN)).toEqual({
      seed: 9,
      replications: 2,
      durationS: 0.1,
      warmupS: 0.02,
      maxIterations: 4,
    });
  });
});

describe("metrics", () => {
  it("offered traffic defaults to node CPU (the node usually still carries it), else throughput", () => {
    expect(defaultMetric(true)).toBe("cpu");
    expect(defaultMetric(false)).toBe("throughput");
    const s = { overheadPct: est(3), nodeCpuPct: est(7) };
    expect(metricOf(s, "cpu").mean).toBe(7);
    expect(metricOf(s, "throughput").mean).toBe(3);
  });
});

describe("dominantMechanismOf", () => {
  const r = (attribution: Record<string, number>, cpu: Record<string, number>) =>
    ({
      attribution: Object.fromEntries(Object.entries(attribution).map(([k, v]) => [k, est(v)])),
      cpuByMechanism: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, est(v)])),
    }) as unknown as SimulationResult;
  it("the largest throughput attribution when any throughput is lost", () => {
    expect(dominantMechanismOf(r({ wakeups: 2, readerCpu: 5 }, { bpfProgram: 9 }))).toEqual({ mechanism: "readerCpu", basis: "throughput" });
  });
  it("else the largest node-CPU share; none when both are all 0", () => {
    expect(dominantMechanismOf(r({ wakeups: 0, readerCpu: 0 }, { bpfProgram: 0.2, readerCpu: 0.1 }))).toEqual({ mechanism: "bpfProgram", basis: "cpu" });
    expect(dominantMechanismOf(r({ wakeups: 0 }, { bpfProgram: 0 }))).toEqual({ mechanism: null, basis: "cpu" });
    expect(dominantLabel({ dominantMechanism: null, dominantMechanismBasis: "cpu" })).toMatch(/^none/);
    expect(dominantLabel({ dominantMechanism: "readerCpu", dominantMechanismBasis: "cpu" })).toBe("readerCpu (by node CPU: no throughput lost)");
  });
});

describe("difference: a - b, independent 95% half-widths adding in quadrature", () => {
  it("by hand: (10 ± 3) - (4 ± 4) = 6 ± 5", () => {
    expect(difference(est(10, 3, 5), est(4, 4, 3))).toEqual({ mean: 6, halfWidth: 5, low: 1, high: 11, n: 3 });
  });
  it("property: antisymmetric mean, symmetric half-width, never narrower than either side", () => {
    const e = fc.record({
      m: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      h: fc.double({ min: 0, max: 1e3, noNaN: true }),
      n: fc.integer({ min: 1, max: 50 }),
    });
    fc.assert(
      fc.property(e, e, (x, y) => {
        const a = est(x.m, x.h, x.n);
        const b = est(y.m, y.h, y.n);
        const ab = difference(a, b);
        const ba = difference(b, a);
        expect(ab.mean).toBeCloseTo(-ba.mean, 6);
        expect(ab.halfWidth).toBe(ba.halfWidth);
        expect(ab.halfWidth).toBeGreaterThanOrEqual(Math.max(x.h, y.h));
        expect(ab.high - ab.low).toBeCloseTo(2 * ab.halfWidth, 6);
      }),
    );
  });
});
