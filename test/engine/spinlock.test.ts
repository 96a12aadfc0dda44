import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Environment } from "../../src/engine/environment.ts";
import { SpinLock } from "../../src/engine/spinlock.ts";
import { RandomStreams, exponential } from "../../src/engine/random.ts";
import { replicate } from "../../src/engine/statistics.ts";

/** Exact M/M/1//N (machine repairman): N sources thinking Exp(Z), one server Exp(S). */
function repairman(N: number, Z: number, S: number) {
  let sum = 0;
  let term = 1; // N!/(N-n)! (S/Z)^n
  for (let n = 0; n <= N; n++) {
    if (n > 0) term *= (N - n + 1) * (S / Z);
    sum += term;
  }
  const U = 1 - 1 / sum;
  const X = U / S;
  const R = N / X - Z;
  return { U, R, Wq: R - S };
}

describe("SpinLock against the finite-source queue", () => {
  it("N CPUs contending for one lock, written as callbacks: utilisation, response time and spin time match M/M/1//N", () => {
    const N = 8;
    const Z = 8;
    const S = 1;
    const warmup = 500;
    const horizon = 30_000;
    const est = replicate(10, 1, (seed) => {
      const env = new Environment();
      const rs = new RandomStreams(seed);
      const lock = new SpinLock();
      let resp = 0;
      let n = 0;
      for (let id = 0; id < N; id++) {
        const think = exponential(rs.stream(`cpu${id}/think`), Z);
        const hold = exponential(rs.stream(`cpu${id}/hold`), S);
        // a CPU's think ends: it spins for the lock, holds it, and thinks again from the release
        const thought = (): void => {
          const t0 = env.now;
          const start = lock.acquire(t0);
          lock.release(start + hold.sample());
          if (t0 >= warmup) {
            resp += lock.freeAt - t0;
            n++;
          }
          env.scheduleAt(lock.freeAt, () => env.schedule(think.sample(), thought));
        };
        env.schedule(think.sample(), thought);
      }
      env.schedule(warmup, () => lock.reset());
      env.run(horizon);
      // claims are counted when made, holds when claimed: both run a hold past the horizon, which is
      // less than one hold in 30 000 ns
      return { U: lock.busyNs / (horizon - warmup), R: resp / n, Wq: lock.waitNs / lock.claims };
    });
    const exact = repairman(N, Z, S);
    for (const k of ["U", "R", "Wq"] as const) {
      expect(est[k].low, k).toBeLessThanOrEqual(exact[k]);
      expect(est[k].high, k).toBeGreaterThanOrEqual(exact[k]);
      expect(est[k].halfWidth, k).toBeLessThan(0.05 * exact[k]);
    }
  });
});

describe("SpinLock: the queue a claim finds", () => {
  it("three CPUs at once: the first takes it, the second finds nobody waiting ahead, the third one", () => {
    const lock = new SpinLock();
    expect(lock.acquire(0)).toBe(0);
    expect(lock.ahead).toBe(0);
    lock.release(10);
    expect(lock.acquire(1)).toBe(10); // spins 9 behind the holder: the pending path
    expect(lock.ahead).toBe(0);
    lock.release(20);
    expect(lock.acquire(2)).toBe(20); // the claim granted at 10 still waits at 2: queued behind it
    expect(lock.ahead).toBe(1);
    lock.release(30);
    expect(lock.acquire(30)).toBe(30); // everything granted by 30: free, nobody ahead
    expect(lock.ahead).toBe(0);
    lock.release(31);
    expect(lock.waited).toBe(2);
    expect(lock.waitNs).toBe(9 + 18);
  });

  it("a burst of claims at one instant: the k-th finds k waiting ahead (past the queue's initial size)", () => {
    const lock = new SpinLock();
    for (let k = 0; k < 100; k++) {
      const start = lock.acquire(0);
      expect(start).toBe(k);
      expect(lock.ahead).toBe(k === 0 ? 0 : k - 1); // the first holds from 0, so it is not waiting
      lock.release(start + 1);
    }
    expect(lock.acquire(50.5)).toBe(100); // granted by 50.5: claims 0..50; waiting: 51..99
    expect(lock.ahead).toBe(49);
  });

  it("ahead = the earlier claims granted after this claim's time (property, claims in time order)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 50 }), hold: fc.integer({ min: 0, max: 40 }) }), { minLength: 1, maxLength: 300 }),
        (calls) => {
          const lock = new SpinLock();
          const grants: number[] = [];
          let at = 0;
          for (const c of calls) {
            at += c.gap;
            const start = lock.acquire(at);
            expect(lock.ahead).toBe(grants.filter((g) => g > at).length);
            grants.push(start);
            lock.release(start + c.hold);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("with claims out of time order too, ahead follows the rule: drop the granted claims at the front, count the rest (property)", () => {
    // the rule as kernel/ringbuf.ts applied it on a plain array before it used SpinLock
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.integer({ min: 0, max: 400 }), hold: fc.integer({ min: 0, max: 40 }) }), { maxLength: 300 }), (calls) => {
        const lock = new SpinLock();
        const q: number[] = [];
        let h = 0;
        let free = 0;
        for (const c of calls) {
          while (h < q.length && q[h] <= c.at) h++;
          const start = lock.acquire(c.at);
          expect(lock.ahead).toBe(q.length - h);
          expect(start).toBe(free > c.at ? free : c.at);
          q.push(start);
          free = start + c.hold;
          lock.release(free);
        }
      }),
      { numRuns: 300 },
    );
  });
});
