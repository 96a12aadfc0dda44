import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Fifo } from "../../src/engine/fifo.ts";

describe("Fifo", () => {
  it("behaves like an array used as a queue (push, shift, at, indexOf, removeAt), across wrap-around and growth", () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant("push" as const), v: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ k: fc.constant("shift" as const) }),
      fc.record({ k: fc.constant("remove" as const), v: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const q = new Fifo<number>(4);
        const ref: number[] = [];
        for (const o of ops) {
          if (o.k === "push") {
            q.push(o.v);
            ref.push(o.v);
          } else if (o.k === "shift") expect(q.shift()).toBe(ref.shift());
          else {
            const i = ref.indexOf(o.v);
            expect(q.indexOf(o.v)).toBe(i);
            if (i >= 0) {
              q.removeAt(i);
              ref.splice(i, 1);
            }
          }
          expect(q.length).toBe(ref.length);
        }
        for (let i = 0; i < ref.length; i++) expect(q.at(i)).toBe(ref[i]);
        expect(q.at(ref.length)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
