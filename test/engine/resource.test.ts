import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Environment } from "../../src/engine/environment.ts";
import { Resource } from "../../src/engine/resource.ts";
import type { ProcessGenerator } from "../../src/engine/process.ts";
import { RandomStreams, deterministic, exponential, type Distribution } from "../../src/engine/random.ts";
import { Tally, mser5, replicate } from "../../src/engine/statistics.ts";

/**
 * One FIFO server fed by Poisson arrivals (rate lambda per ns), written with processes. Observations
 * before `warmup` ns are discarded (customers arriving before it; time-weighted stats reset at it).
 */
function singleServer(seed: number, lambda: number, service: (rs: RandomStreams) => Distribution, horizon: number, warmup: number) {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const gap = exponential(rs.stream("arrivals"), 1 / lambda);
  const svc = service(rs);
  const server = new Resource(env, 1);
  const sojourn = new Tally();
  const wait = new Tally();
  const series: number[] = [];
  const departures: number[] = [];
  function* customer(): ProcessGenerator<void> {
    const t0 = env.now;
    const req = server.request();
    yield req;
    const w = env.now - t0;
    yield env.timeout(svc.sample());
    server.release(req);
    series.push(env.now - t0);
    departures.push(env.now);
    if (t0 >= warmup) {
      sojourn.add(env.now - t0);
      wait.add(w);
    }
  }
  function* source(): ProcessGenerator<void> {
    for (;;) {
      env.process(customer());
      yield env.timeout(gap.sample());
    }
  }
  env.process(source());
  env.schedule(warmup, () => {
    server.busy.reset(env.now);
    server.queueLength.reset(env.now);
  });
  env.run(horizon);
  const inSystem = server.busy.mean(env.now) + server.queueLength.mean(env.now);
  return { sojourn: sojourn.mean, wait: wait.mean, inSystem, utilisation: server.busy.mean(env.now), series, departures };
}

/** Warm-up from a pilot run: MSER-5 on the pilot's sojourn series, as a time (the cut customer's departure). */
function pilotWarmup(run: (warmup: number) => { series: number[]; departures: number[] }): number {
  const pilot = run(0);
  const d = mser5(pilot.series);
  return d > 0 ? pilot.departures[d - 1] : 0;
}

describe("Resource against queueing theory", () => {
  it("M/M/1 (lambda 0.8, mu 1): mean time in system 1/(mu-lambda) = 5 and mean number in system rho/(1-rho) = 4 lie in the 95% CIs", () => {
    const lambda = 0.8;
    const mu = 1;
    const horizon = 40_000;
    const service = (rs: RandomStreams) => exponential(rs.stream("service"), 1 / mu);
    const warmup = pilotWarmup((w) => singleServer(999, lambda, service, horizon, w));
    const est = replicate(20, 1, (seed) => {
      const r = singleServer(seed, lambda, service, horizon, warmup);
      return { T: r.sojourn, L: r.inSystem, U: r.utilisation };
    });
    const rho = lambda / mu;
    expect(est.T.low).toBeLessThanOrEqual(1 / (mu - lambda));
    expect(est.T.high).toBeGreaterThanOrEqual(1 / (mu - lambda));
    expect(est.L.low).toBeLessThanOrEqual(rho / (1 - rho));
    expect(est.L.high).toBeGreaterThanOrEqual(rho / (1 - rho));
    expect(est.U.low).toBeLessThanOrEqual(rho);
    expect(est.U.high).toBeGreaterThanOrEqual(rho);
    // the intervals are informative, not trivially wide
    expect(est.T.halfWidth).toBeLessThan(0.05 * 5);
    expect(est.L.halfWidth).toBeLessThan(0.05 * 4);
  });

  it("M/D/1: mean wait matches Pollaczek-Khinchine, Wq = rho*S/(2(1-rho))", () => {
    const S = 1;
    const lambda = 0.7;
    const rho = lambda * S;
    const horizon = 40_000;
    const service = () => deterministic(S);
    const warmup = pilotWarmup((w) => singleServer(777, lambda, service, horizon, w));
    const est = replicate(12, 100, (seed) => ({ Wq: singleServer(seed, lambda, service, horizon, warmup).wait }));
    const wq = (rho * S) / (2 * (1 - rho));
    expect(est.Wq.low).toBeLessThanOrEqual(wq);
    expect(est.Wq.high).toBeGreaterThanOrEqual(wq);
    expect(est.Wq.halfWidth).toBeLessThan(0.05 * wq);
  });

  it("never grants more than `capacity` servers, grants in FIFO order, and a waiting request can be withdrawn", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 20 }), hold: fc.integer({ min: 0, max: 10 }), quit: fc.boolean() }), { maxLength: 30 }),
        (capacity, jobs) => {
          const env = new Environment();
          const res = new Resource(env, capacity);
          let holding = 0;
          let maxHolding = 0;
          const grantOrder: number[] = [];
          jobs.forEach((j, i) => {
            env.process(
              (function* () {
                yield env.timeout(j.at);
                const req = res.request();
                if (j.quit && !req.triggered) {
                  res.release(req); // withdraw while waiting
                  return;
                }
                yield req;
                grantOrder.push(i);
                holding++;
                maxHolding = Math.max(maxHolding, holding);
                expect(res.count).toBeLessThanOrEqual(capacity);
                yield env.timeout(j.hold);
                holding--;
                res.release(req);
              })(),
            );
          });
          env.run();
          expect(maxHolding).toBeLessThanOrEqual(capacity);
          expect(res.count).toBe(0);
          expect(res.queued).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rejects bad capacities naming the value", () => {
    const env = new Environment();
    for (const c of [0, -1, 1.5, NaN]) expect(() => new Resource(env, c)).toThrow(new RegExp(`capacity.*${c}`));
    expect(() => new Resource(env, 0)).toThrow(RangeError);
  });
});
