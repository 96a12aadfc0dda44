import { describe, expect, it } from "vitest";
import { Environment } from "../../src/engine/environment.ts";
import { SpinLock } from "../../src/engine/spinlock.ts";
import type { ProcessGenerator } from "../../src/engine/process.ts";
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
  it("N CPUs contending for one lock: utilisation, response time and spin time match M/M/1//N", () => {
    const N = 8;
    const Z = 8;
    const S = 1;
    const warmup = 500;
    const horizon = 30_000;
    const est = replicate(10, 1, (seed) => {
      const env = new Environment();
      const rs = new RandomStreams(seed);
      const lock = new SpinLock(env);
      let held = 0; // ns the lock was held after the warm-up
      let spin = 0;
      let resp = 0;
      let n = 0;
      function* cpu(id: number): ProcessGenerator<void> {
        const think = exponential(rs.stream(`cpu${id}/think`), Z);
        const hold = exponential(rs.stream(`cpu${id}/hold`), S);
        for (;;) {
          yield env.timeout(think.sample());
          const t0 = env.now;
          const spun: number = yield lock.acquire(id);
          const h = hold.sample();
          const start = env.now;
          yield env.timeout(h);
          lock.release(id);
          held += Math.max(0, env.now - Math.max(start, warmup));
          if (t0 >= warmup) {
            spin += spun;
            resp += env.now - t0;
            n++;
          }
        }
      }
      for (let id = 0; id < N; id++) env.process(cpu(id));
      env.run(horizon);
      return { U: held / (horizon - warmup), R: resp / n, Wq: spin / n };
    });
    const exact = repairman(N, Z, S);
    for (const k of ["U", "R", "Wq"] as const) {
      expect(est[k].low, k).toBeLessThanOrEqual(exact[k]);
      expect(est[k].high, k).toBeGreaterThanOrEqual(exact[k]);
      expect(est[k].halfWidth, k).toBeLessThan(0.05 * exact[k]);
    }
  });

  it("grants in arrival order, adds the handoff delay, counts contention; callback style too", () => {
    const env = new Environment();
    const lock = new SpinLock(env, { handoffDelay: (from, to) => (from === -1 ? 0 : from === to ? 0 : 2) });
    const log: string[] = [];
    for (const id of [0, 1, 2]) {
      env.process(
        (function* () {
          yield env.timeout(id * 0.1);
          const spun: number = yield lock.acquire(id);
          log.push(`${id}@${env.now.toFixed(1)} spun ${spun.toFixed(1)}`);
          yield env.timeout(10);
          lock.release(id);
        })(),
      );
    }
    env.schedule(0.5, () => lock.acquireThen(3, (spun) => {
      log.push(`3@${env.now.toFixed(1)} spun ${spun.toFixed(1)}`);
      lock.release(3);
    }));
    env.run();
    // owner 0 holds 0..10; 1 gets it at 10 + 2 (handoff), holds to 22; 2 at 24; 3 at 36
    expect(log).toEqual(["0@0.0 spun 0.0", "1@12.0 spun 11.9", "2@24.0 spun 23.8", "3@36.0 spun 35.5"]);
    expect(lock.acquisitions).toBe(4);
    expect(lock.contended).toBe(3);
    expect(lock.spinTime).toBeCloseTo(11.9 + 23.8 + 35.5, 9);
    expect(() => lock.release(0)).toThrow(/not held/);
  });
  it("a free lock still costs the handoff from its last owner; a waiter arriving meanwhile queues behind", () => {
    const env = new Environment();
    const lock = new SpinLock(env, { handoffDelay: (from, to) => (from === -1 || from === to ? 0 : 2) });
    const log: string[] = [];
    const user = (id: number, at: number, hold: number) =>
      env.process(
        (function* () {
          yield env.timeout(at);
          const spun: number = yield lock.acquire(id);
          log.push(`${id}@${env.now} spun ${spun}`);
          yield env.timeout(hold);
          lock.release(id);
        })(),
      );
    user(0, 0, 1); // free, first owner: no handoff
    user(1, 5, 1); // free, but last held by 0: granted at 7
    user(2, 6, 1); // lock on its way to 1: waits, granted at 8 + 2
    user(2, 20, 1); // free, last held by 2: no handoff
    env.run();
    expect(log).toEqual(["0@0 spun 0", "1@7 spun 2", "2@10 spun 4", "2@20 spun 0"]);
    expect(lock.acquisitions).toBe(4);
    expect(lock.contended).toBe(1);
    expect(lock.spinTime).toBe(6);
  });
});
