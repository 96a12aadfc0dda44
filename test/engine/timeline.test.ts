import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Environment } from "../../src/engine/environment.ts";
import { Timeline } from "../../src/engine/timeline.ts";
import { RandomStreams, deterministic, exponential, type Distribution } from "../../src/engine/random.ts";
import { Tally, replicate } from "../../src/engine/statistics.ts";

/**
 * One FIFO server fed by Poisson arrivals (rate lambda per ns), the node model's way: each arrival is
 * a callback that claims the server's Timeline; its sojourn is known at once. Customers arriving
 * before `warmup` are not counted.
 */
function singleServer(seed: number, lambda: number, service: (rs: RandomStreams) => Distribution, horizon: number, warmup: number) {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const gap = exponential(rs.stream("arrivals"), 1 / lambda);
  const svc = service(rs);
  const server = new Timeline();
  const sojourn = new Tally();
  const wait = new Tally();
  const arrive = (): void => {
    const now = env.now;
    const start = server.claim(now, svc.sample());
    if (now >= warmup) {
      sojourn.add(server.freeAt - now);
      wait.add(start - now);
    }
    env.schedule(gap.sample(), arrive);
  };
  env.schedule(warmup, () => server.reset());
  env.schedule(gap.sample(), arrive);
  env.run(horizon);
  return { sojourn: sojourn.mean, wait: wait.mean, statsWait: server.waitNs / server.claims, busyShare: server.busyNs / (horizon - warmup) };
}

describe("Timeline against queueing theory", () => {
  it("M/M/1 (lambda 0.8, mu 1): time in system 1/(mu-lambda) = 5, wait rho/(mu-lambda) = 4 and utilisation rho lie in the 95% CIs", () => {
    const lambda = 0.8;
    const mu = 1;
    const horizon = 40_000;
    const service = (rs: RandomStreams) => exponential(rs.stream("service"), 1 / mu);
    const est = replicate(20, 1, (seed) => {
      const r = singleServer(seed, lambda, service, horizon, 2000);
      return { T: r.sojourn, W: r.statsWait, U: r.busyShare };
    });
    const rho = lambda / mu;
    for (const [k, exact] of [
      ["T", 1 / (mu - lambda)],
      ["W", rho / (mu - lambda)],
      ["U", rho],
    ] as const) {
      expect(est[k].low, k).toBeLessThanOrEqual(exact);
      expect(est[k].high, k).toBeGreaterThanOrEqual(exact);
      expect(est[k].halfWidth, k).toBeLessThan(0.06 * exact); // informative, not trivially wide
    }
  });

  it("M/D/1: mean wait matches Pollaczek-Khinchine, Wq = rho*S/(2(1-rho)), and the Timeline's own wait statistic agrees", () => {
    const S = 1;
    const lambda = 0.7;
    const rho = lambda * S;
    const wq = (rho * S) / (2 * (1 - rho));
    const est = replicate(12, 100, (seed) => {
      const r = singleServer(seed, lambda, () => deterministic(S), 40_000, 2000);
      expect(r.statsWait).toBeCloseTo(r.wait, 9);
      return { Wq: r.wait };
    });
    expect(est.Wq.low).toBeLessThanOrEqual(wq);
    expect(est.Wq.high).toBeGreaterThanOrEqual(wq);
    expect(est.Wq.halfWidth).toBeLessThan(0.05 * wq);
  });
});

describe("Timeline: claims in call order, bit-exact times, statistics", () => {
  it("serves claims in the order they are made, never overlapping, never before they are made; times exact (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.array(fc.record({ at: fc.double({ min: -1e6, max: 1e9, noNaN: true }), hold: fc.double({ min: 0, max: 1e6, noNaN: true }) }), { maxLength: 100 }),
        (t0, claims) => {
          const tl = new Timeline(t0);
          let free = t0;
          let busy = 0;
          let waitNs = 0;
          let waited = 0;
          for (const c of claims) {
            expect(tl.startFor(c.at)).toBe(Math.max(c.at, free));
            expect(tl.waitFor(c.at)).toBe(free > c.at ? free - c.at : 0);
            const start = tl.claim(c.at, c.hold);
            // the start is exactly the claim time or the previous release: no arithmetic
            expect(start).toBe(free > c.at ? free : c.at);
            expect(start).toBeGreaterThanOrEqual(c.at);
            expect(start).toBeGreaterThanOrEqual(free);
            expect(tl.freeAt).toBe(start + c.hold);
            if (free > c.at) {
              waited++;
              waitNs += free - c.at;
            }
            busy += tl.freeAt - start;
            free = tl.freeAt;
          }
          expect(tl.claims).toBe(claims.length);
          expect(tl.waited).toBe(waited);
          expect(tl.waitNs).toBe(waitNs);
          expect(tl.busyNs).toBe(busy);
          expect(tl.held).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("acquire and release split a claim whose hold depends on its start (the node model's walks and locks)", () => {
    const tl = new Timeline();
    expect(tl.acquire(10)).toBe(10);
    expect(tl.held).toBe(true);
    tl.release(25);
    const s = tl.acquire(12); // busy until 25: waits 13
    expect(s).toBe(25);
    tl.release(s + (s > 12 ? 7 : 1));
    expect(tl.freeAt).toBe(32);
    expect(tl.acquire(40)).toBe(40); // free again: no wait, and the idle gap 32..40 is not busy
    tl.release(40);
    expect(tl.claims).toBe(3);
    expect(tl.waited).toBe(1);
    expect(tl.waitNs).toBe(13);
    expect(tl.busyNs).toBe(15 + 7 + 0);
  });

  it("reset forgets the statistics but keeps the free time and a claim being held", () => {
    const tl = new Timeline();
    tl.claim(0, 100);
    const s = tl.acquire(50);
    tl.reset();
    expect(tl.claims + tl.waited + tl.waitNs + tl.busyNs).toBe(0);
    expect(tl.held).toBe(true);
    tl.release(s + 10);
    expect(tl.freeAt).toBe(110);
    expect(tl.busyNs).toBe(10);
  });

  it("misuse is an error that says what went wrong", () => {
    const tl = new Timeline();
    expect(() => tl.release(5)).toThrow(/no claim is held/);
    tl.acquire(10);
    expect(() => tl.acquire(11)).toThrow(/started at 10 was not released/);
    expect(() => tl.release(9)).toThrow(/end 9 is before the claim's start 10/);
    tl.release(10);
    expect(() => tl.claim(0, -1)).toThrow(/holdNs must be >= 0, got -1/);
    expect(() => tl.claim(0, NaN)).toThrow(RangeError);
    expect(() => new Timeline(Infinity)).toThrow(/t0 must be finite/);
  });
});
