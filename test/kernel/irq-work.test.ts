import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { IrqWork } from "../../src/kernel/irq-work.ts";

describe("irq_work_queue coalescing (kernel/irq_work.c irq_work_claim)", () => {
  it("queuing an item that is pending returns false and counts a coalesced request", () => {
    const w = new IrqWork(2);
    expect(w.queue(0)).toBe(true);
    expect(w.queue(0)).toBe(false);
    expect(w.queue(0)).toBe(false);
    expect(w.raised).toBe(1);
    expect(w.coalesced).toBe(2);
    w.run(0);
    expect(w.queue(0)).toBe(true);
    expect(w.raised).toBe(2);
  });
  it("items are independent", () => {
    const w = new IrqWork(2);
    expect(w.queue(0)).toBe(true);
    expect(w.queue(1)).toBe(true);
    expect(w.coalesced).toBe(0);
  });
  it("property: raised + coalesced = requests, and raised = 1 + runs that found the item pending", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ item: fc.nat(3), run: fc.boolean() }), { maxLength: 200 }), (ops) => {
        const w = new IrqWork(4);
        const pending = [false, false, false, false];
        let requests = 0;
        let expectRaised = 0;
        for (const op of ops) {
          if (op.run) {
            w.run(op.item);
            pending[op.item] = false;
          } else {
            requests++;
            const raised = w.queue(op.item);
            expect(raised).toBe(!pending[op.item]);
            if (raised) expectRaised++;
            pending[op.item] = true;
          }
        }
        expect(w.raised).toBe(expectRaised);
        expect(w.raised + w.coalesced).toBe(requests);
      }),
    );
  });
});
