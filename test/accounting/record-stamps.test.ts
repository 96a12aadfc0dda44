import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RecordStamps } from "../../src/accounting/record-stamps.ts";

describe("RecordStamps: one bounded FIFO of production times per ring", () => {
  it("drains in production order, each latency = doneAt - producedAt, and empties the ring", () => {
    const s = new RecordStamps(2, 4);
    s.push(0, 10);
    s.push(0, 20);
    s.push(1, 5);
    const seen: number[] = [];
    expect(s.drain(0, 100, (l) => seen.push(l))).toBe(2);
    expect(seen).toEqual([90, 80]);
    expect(s.count(0)).toBe(0);
    expect(s.count(1)).toBe(1); // the other ring is untouched
  });
  it("holds a full ring's capacity, across the wrap-around", () => {
    const s = new RecordStamps(1, 3);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3; i++) s.push(0, round * 10 + i);
      const seen: number[] = [];
      s.drain(0, round * 10 + 100, (l) => seen.push(l));
      expect(seen).toEqual([100, 99, 98]);
    }
  });
  it("property: against a model of per-ring arrays, under any interleaving of pushes (within capacity) and drains", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("push" as const), ring: fc.integer({ min: 0, max: 2 }), at: fc.integer({ min: 0, max: 1e6 }) }),
      fc.record({ kind: fc.constant("drain" as const), ring: fc.integer({ min: 0, max: 2 }), at: fc.integer({ min: 0, max: 2e6 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 200 }), (cap, ops) => {
        const s = new RecordStamps(3, cap);
        const model: number[][] = [[], [], []];
        for (const o of ops) {
          if (o.kind === "push") {
            if (model[o.ring].length >= cap) continue; // the caller checks there is room
            s.push(o.ring, o.at);
            model[o.ring].push(o.at);
          } else {
            const seen: number[] = [];
            const n = s.drain(o.ring, o.at, (l) => seen.push(l));
            expect(seen).toEqual(model[o.ring].map((t) => o.at - t));
            expect(n).toBe(model[o.ring].length);
            model[o.ring] = [];
          }
          for (let r = 0; r < 3; r++) expect(s.count(r)).toBe(model[r].length);
        }
      }),
    );
  });
});
