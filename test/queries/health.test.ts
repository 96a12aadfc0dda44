import { describe, expect, it } from "vitest";
import { agentHealth, DELIVERY_CAVEAT, headline } from "../../src/queries/health.ts";
import { predict } from "../../src/queries/predict.ts";
import type { SimulationResult } from "../../src/node/simulate.ts";
import type { Estimate } from "../../src/engine/index.ts";

const QUICK = { replications: 3, durationS: 0.12 };
const e = (mean: number, halfWidth = 0, n = 3): Estimate => ({ mean, halfWidth, low: mean - halfWidth, high: mean + halfWidth, n });

/** A SimulationResult with only what health reads. */
function fake(o: { events: number; lost: Estimate; throttled: Estimate; p50?: number; p99?: number }): SimulationResult {
  return {
    eventsPerS: e(o.events),
    lostPerS: o.lost,
    throttledPct: o.throttled,
    latencyP50Us: e(o.p50 ?? 20),
    latencyP99Us: e(o.p99 ?? 80),
    overheadPct: e(0),
    nodeCpuPct: e(5, 0.1),
    cpuByMechanism: { readerCpu: e(0.4), wakeups: e(0.4) },
  } as unknown as SimulationResult;
}

describe("agent health: says plainly when the agent is not keeping up", () => {
  it("a NIC-bound node at its default limit: overhead 0, yet the answer leads with the losses, the throttling and the delay", () => {
    const p = predict({ hardware: "azure-d16s-v5", tool: "retina-perf", trafficGbps: 8 }, QUICK);
    expect(p.overheadPct.mean).toBe(0); // what used to be the whole answer
    const h = p.health;
    expect(h.keepingUp).toBe(false);
    expect(h.line).toMatch(/NOT KEEPING UP/);
    // lost % is lost / output calls (output calls include the lost ones)
    expect(h.lostPct.mean).toBeCloseTo((100 * p.lostPerS.mean) / p.eventsPerS.mean, 9);
    expect(h.lostPct.low).toBeGreaterThanOrEqual(0);
    expect(h.lostPct.high).toBeLessThanOrEqual(100);
    // the reader throttled most of the time delivers late: p50 at least a ms, p99 >= p50
    expect(h.throttledPct.mean).toBeGreaterThan(5);
    expect(h.deliveryP99Us.mean).toBeGreaterThanOrEqual(h.deliveryP50Us.mean);
    // the headline: node CPU in cores and % of the node's 16 vCPUs, then overhead, then health
    expect(p.headline).toHaveLength(3);
    expect(p.headline[0]).toMatch(/^node CPU the agent takes: [\d.]+ cores .* = [\d.]+% .*of the node/);
    expect(p.headline[1]).toMatch(/^throughput overhead: 0\.00%/);
    expect(p.headline[2]).toBe(h.line);
    expect((100 * p.nodeCpuCores.mean) / 16).toBeCloseTo(p.nodeCpuPct.mean, 6);
    expect(Object.keys(p).slice(0, 4)).toEqual(["query", "headline", "nodeCpuCores", "health"]);
  });

  it("an unlimited ring-buffer agent at low traffic keeps up", () => {
    const p = predict({ hardware: "azure-d16s-v5", tool: "retina-ringbuf", placement: "unlimited", trafficGbps: 1 }, QUICK);
    expect(p.health.keepingUp).toBe(p.lostPerS.mean < 1 && p.throttledPct.mean < 5);
    expect(p.health.keepingUp).toBe(true);
    expect(p.health.line).toMatch(/^agent health: keeping up/);
    expect(p.health.problems).toEqual([]);
  });

  it("names each problem: losses alone, throttling alone; criteria are honoured", () => {
    const lossy = agentHealth(fake({ events: 1000, lost: e(250, 10), throttled: e(0) }));
    expect(lossy.keepingUp).toBe(false);
    expect(lossy.problems).toHaveLength(1);
    expect(lossy.problems[0]).toMatch(/loses 25% of its events/);
    const throttled = agentHealth(fake({ events: 1000, lost: e(0), throttled: e(40, 2) }));
    expect(throttled.problems[0]).toMatch(/throttled 40% of the time/);
    expect(agentHealth(fake({ events: 1000, lost: e(0), throttled: e(40, 2) }), { maxThrottledPct: 50 }).keepingUp).toBe(true);
    expect(() => agentHealth(fake({ events: 1, lost: e(0), throttled: e(0) }), { maxLostPerS: 0 })).toThrow(/maxLostPerS = 0/);
  });

  it("never gives a lost % interval outside [0, 100], even when replications disagree widely", () => {
    const h = agentHealth(fake({ events: 1000, lost: e(20, 300), throttled: e(1, 3) }));
    expect(h.lostPct.low).toBeGreaterThanOrEqual(0);
    expect(h.lostPct.high).toBeLessThanOrEqual(100);
    expect(h.throttledPct.low).toBeGreaterThanOrEqual(0);
    expect(headline(fake({ events: 0, lost: e(0), throttled: e(0) })).health.line).toMatch(/no events/);
  });

  it("the delivery latency says what it leaves out (the reader's rare millisecond waits for a CPU, measured on our host); with no events there is nothing to qualify", () => {
    const h = agentHealth(fake({ events: 1000, lost: e(0), throttled: e(0) }));
    expect(h.line).toContain(`after output${DELIVERY_CAVEAT})`);
    expect(DELIVERY_CAVEAT).toMatch(/rare millisecond waits not modelled/);
    expect(headline(fake({ events: 0, lost: e(0), throttled: e(0) })).health.line).not.toContain(DELIVERY_CAVEAT);
  });
});
