import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/engine/event-queue.ts";

describe("EventQueue", () => {
  it("pops timed events in (time, seq) order and zero-delay events FIFO behind due timed ones", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(1, 2, 2, 3, 4.5, 7), { maxLength: 200 }), (times) => {
        const q = new EventQueue(2);
        const fn = () => {};
        times.forEach((t, i) => q.pushTimed(t, i, fn, i));
        const out: [number, number][] = [];
        for (let t = q.pop(0); t !== -1; t = q.pop(q.nextTime)) {
          q.takeFn(t);
          out.push([q.nextTime, q.takeArg(t) as number]);
        }
        const want = times.map((t, i) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(out).toEqual(want);
        expect(q.length).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
  it("a heap event due now runs before FIFO events pushed at that time", () => {
    const q = new EventQueue();
    const fn = () => {};
    q.pushTimed(5, 0, fn, "timed");
    q.pushNow(fn, "now1");
    q.pushNowCancellable(fn, "now2");
    q.pushNow(fn, "now3");
    const order: unknown[] = [];
    for (let t = q.pop(5); t !== -1; t = q.pop(5)) {
      q.takeFn(t);
      order.push(q.takeArg(t));
    }
    expect(order).toEqual(["timed", "now1", "now2", "now3"]);
  });
});
