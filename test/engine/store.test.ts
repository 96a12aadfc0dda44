import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Environment } from "../../src/engine/environment.ts";
import { Store } from "../../src/engine/store.ts";
import type { ProcessGenerator } from "../../src/engine/process.ts";
import { RandomStreams, exponential } from "../../src/engine/random.ts";
import { replicate } from "../../src/engine/statistics.ts";

describe("Store against queueing theory", () => {
  it("M/M/1/K loss probability matches P_K = (1-rho) rho^K / (1-rho^(K+1))", () => {
    // K in the system = K-1 waiting in a dropping store + 1 in service at the consumer
    const K = 5;
    const lambda = 0.8;
    const mu = 1;
    const est = replicate(12, 1, (seed) => {
      const env = new Environment();
      const rs = new RandomStreams(seed);
      const gap = exponential(rs.stream("arrivals"), 1 / lambda);
      const svc = exponential(rs.stream("service"), 1 / mu);
      const store = new Store<number>(env, { capacity: K - 1, whenFull: "drop" });
      let offered = 0;
      let dropped0 = 0;
      const warmup = 200;
      env.schedule(warmup, () => (dropped0 = store.dropped));
      env.process(
        (function* (): ProcessGenerator<void> {
          for (;;) {
            yield env.timeout(gap.sample());
            if (env.now >= warmup) offered++;
            store.put(env.now);
          }
        })(),
      );
      env.process(
        (function* (): ProcessGenerator<void> {
          for (;;) {
            yield store.get();
            yield env.timeout(svc.sample());
          }
        })(),
      );
      env.run(50_000);
      return { loss: (store.dropped - dropped0) / offered };
    });
    const rho = lambda / mu;
    const pk = ((1 - rho) * rho ** K) / (1 - rho ** (K + 1));
    expect(est.loss.low).toBeLessThanOrEqual(pk);
    expect(est.loss.high).toBeGreaterThanOrEqual(pk);
    expect(est.loss.halfWidth).toBeLessThan(0.1 * pk);
  });

  it("conserves items: offered = got + dropped + stored (+ blocked putters), FIFO order kept", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom("drop" as const, "block" as const),
        fc.array(fc.record({ put: fc.boolean(), at: fc.integer({ min: 0, max: 30 }) }), { maxLength: 60 }),
        (capacity, whenFull, ops) => {
          const env = new Environment();
          const store = new Store<number>(env, { capacity, whenFull });
          let offered = 0;
          const got: number[] = [];
          const accepted: number[] = [];
          let blockedPutters = 0;
          ops.forEach((op, i) => {
            env.schedule(op.at, () => {
              if (op.put) {
                offered++;
                const ev = store.put(i);
                blockedPutters++;
                ev.addCallback((e) => {
                  blockedPutters--;
                  if (e.value) accepted.push(i);
                });
              } else store.get().addCallback((e) => got.push(e.value as number));
            });
          });
          env.run();
          expect(store.size).toBeLessThanOrEqual(capacity);
          expect(offered).toBe(store.getCount + store.dropped + store.size + blockedPutters);
          expect(store.putCount).toBe(store.getCount + store.size);
          expect(got.length).toBe(store.getCount);
          expect(got).toEqual(accepted.slice(0, got.length)); // FIFO
          if (whenFull === "drop") expect(blockedPutters).toBe(0);
          else expect(store.dropped).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rejects bad options naming the value", () => {
    const env = new Environment();
    expect(() => new Store(env, { capacity: 0 })).toThrow(/capacity.*0/);
    expect(() => new Store(env, { capacity: 2.5 })).toThrow(RangeError);
    expect(() => new Store(env, { whenFull: "spill" as never })).toThrow(/whenFull.*spill/);
  });
});
