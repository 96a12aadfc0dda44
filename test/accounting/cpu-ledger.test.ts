import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CAT, COST_CATEGORIES, CpuLedger } from "../../src/accounting/cpu-ledger.ts";

describe("CpuLedger: ns by CPU and category", () => {
  it("CAT maps every category to its index, in order", () => {
    COST_CATEGORIES.forEach((c, i) => expect(CAT[c]).toBe(i));
    expect(Object.keys(CAT)).toHaveLength(COST_CATEGORIES.length);
  });
  it("a charge lands on its CPU and category only", () => {
    const l = new CpuLedger(4);
    l.charge(2, CAT.wakeups, 100);
    l.charge(2, CAT.wakeups, 50);
    l.charge(3, CAT.readerCpu, 7);
    expect(l.categoryOn(2, CAT.wakeups)).toBe(150);
    expect(l.categoryOn(3, CAT.wakeups)).toBe(0);
    expect(l.categoryOn(2, CAT.readerCpu)).toBe(0);
    expect(l.cpuTotal(2)).toBe(150);
    expect(l.cpuTotal(0)).toBe(0);
  });
  it("property: conservation: the sum over CPUs of cpuTotal = the sum over categories and CPUs = everything charged", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 16 })
          .chain((cpus) =>
            fc.tuple(
              fc.constant(cpus),
              fc.array(
                fc.tuple(fc.integer({ min: 0, max: cpus - 1 }), fc.integer({ min: 0, max: COST_CATEGORIES.length - 1 }), fc.integer({ min: 0, max: 1e6 })),
              ),
            ),
          ),
        ([cpus, charges]) => {
          const l = new CpuLedger(cpus);
          for (const [c, k, ns] of charges) l.charge(c, k, ns);
          const all = charges.reduce((s, [, , ns]) => s + ns, 0);
          let byCpu = 0;
          for (let c = 0; c < cpus; c++) byCpu += l.cpuTotal(c);
          let byCat = 0;
          for (let c = 0; c < cpus; c++) for (let k = 0; k < COST_CATEGORIES.length; k++) byCat += l.categoryOn(c, k);
          expect(byCpu).toBe(all);
          expect(byCat).toBe(all);
          l.reset();
          for (let c = 0; c < cpus; c++) expect(l.cpuTotal(c)).toBe(0);
        },
      ),
    );
  });
});
