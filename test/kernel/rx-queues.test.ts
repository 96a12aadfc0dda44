import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RandomStreams } from "../../src/engine/index.ts";
import { rxQueues } from "../../src/kernel/rx-queues.ts";

const rng = (seed: number) => new RandomStreams(seed).stream("rss");

describe("rxQueues (RSS spread and IRQ placement)", () => {
  it("cv 0 gives equal shares", () => {
    const q = rxQueues(32, 8, 0, rng(1));
    for (const s of q.share) expect(s).toBeCloseTo(1 / 8, 15);
  });
  it("property: shares are positive and sum to 1; queue CPUs distinct, in range; min(queues, cpus) queues", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 192 }),
        fc.integer({ min: 1, max: 256 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.nat(1000),
        (cpus, queues, cv, seed) => {
          const q = rxQueues(cpus, queues, cv, rng(seed));
          const n = Math.min(cpus, queues);
          expect(q.cpuOf.length).toBe(n);
          expect(q.share.length).toBe(n);
          const sum = q.share.reduce((a, b) => a + b, 0);
          expect(sum).toBeCloseTo(1, 9);
          for (const s of q.share) expect(s).toBeGreaterThan(0);
          expect(new Set(q.cpuOf).size).toBe(n);
          for (const c of q.cpuOf) {
            expect(c).toBeGreaterThanOrEqual(0);
            expect(c).toBeLessThan(cpus);
          }
        },
      ),
    );
  });
  it("the spread of shares grows with the workload's cv (lognormal imbalance)", () => {
    const cvOf = (cv: number) => {
      let acc = 0;
      for (let seed = 0; seed < 200; seed++) {
        const s = Array.from(rxQueues(64, 64, cv, rng(seed)).share);
        const m = 1 / s.length;
        acc += Math.sqrt(s.reduce((a, x) => a + (x - m) ** 2, 0) / s.length) / m;
      }
      return acc / 200;
    };
    const low = cvOf(0.1);
    const high = cvOf(0.5);
    // sample cv of 64 lognormal draws normalised: close to the parameter for small cv
    expect(low).toBeGreaterThan(0.07);
    expect(low).toBeLessThan(0.13);
    expect(high).toBeGreaterThan(low * 3);
  });
  it("same seed, same shares", () => {
    expect(Array.from(rxQueues(16, 16, 0.3, rng(7)).share)).toEqual(Array.from(rxQueues(16, 16, 0.3, rng(7)).share));
  });
});
