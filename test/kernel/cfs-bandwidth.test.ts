import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CfsBandwidth } from "../../src/kernel/cfs-bandwidth.ts";

const MS = 1e6;

describe("CFS bandwidth: quota per period", () => {
  it("a group within its quota is never throttled", () => {
    const b = new CfsBandwidth(20 * MS, 100 * MS);
    expect(b.charge(10 * MS, 30 * MS)).toBe(30 * MS);
    expect(b.charge(9 * MS, 60 * MS)).toBe(60 * MS);
    expect(b.throttleCount).toBe(0);
  });
  it("using more than the quota in a period throttles until the next period boundary", () => {
    const b = new CfsBandwidth(20 * MS, 100 * MS);
    expect(b.charge(25 * MS, 40 * MS)).toBe(100 * MS);
    expect(b.throttleCount).toBe(1);
    expect(b.throttledNs).toBe(60 * MS);
  });
  it("debt is carried: 2.5 quotas in period 0 leave -1.5 q, so it runs again at period 2 with 0.5 q", () => {
    const q = 20 * MS;
    const b = new CfsBandwidth(q, 100 * MS);
    expect(b.charge(2.5 * q, 50 * MS)).toBe(200 * MS);
    // at period 2: runtime = -1.5q + 2q = 0.5q; charging 0.4q keeps it running, 0.1q more throttles
    expect(b.charge(0.4 * q, 210 * MS)).toBe(210 * MS);
    expect(b.charge(0.1 * q, 220 * MS)).toBe(300 * MS);
  });
  it("unused runtime does not accumulate beyond one quota", () => {
    const q = 20 * MS;
    const b = new CfsBandwidth(q, 100 * MS);
    // idle for ten periods, then burn 1.5 quotas: throttled (only one quota is available)
    expect(b.charge(1.5 * q, 1000 * MS + 1)).toBe(1100 * MS);
  });
  it("rejects a non-positive quota or period, naming both values", () => {
    expect(() => new CfsBandwidth(0, 100)).toThrow(/quota.*period.*0\/100/);
    expect(() => new CfsBandwidth(10, -1)).toThrow(RangeError);
  });
  it("property: a thread that always wants the CPU and obeys the resume times gets at most quota per period in the long run", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }), // quota in ms
        fc.array(fc.integer({ min: 1, max: 30_000_000 }), { minLength: 1, maxLength: 300 }), // chunk ns
        (quotaMs, chunks) => {
          const period = 100 * MS;
          const quota = quotaMs * MS;
          const b = new CfsBandwidth(quota, period);
          let now = 0;
          let used = 0;
          for (const c of chunks) {
            const end = now + c; // ran c ns
            used += c;
            const resume = b.charge(c, end);
            expect(resume).toBeGreaterThanOrEqual(end);
            if (resume > end) {
              expect(resume % period).toBe(0); // throttled until a period boundary
            }
            now = resume;
          }
          // up to the end of time `now`, the runtime handed out is one quota per started period;
          // what was used can exceed it only by the last chunk's overrun (debt not yet repaid)
          const periods = Math.floor(now / period) + 1;
          const maxChunk = Math.max(...chunks);
          expect(used).toBeLessThanOrEqual(periods * quota + maxChunk);
          // and in the long run: CPU share <= quota/period (+ the one-chunk overrun)
          expect(used / Math.max(now, period)).toBeLessThanOrEqual(quota / period + (quota + maxChunk) / Math.max(now, period) + 1e-9);
        },
      ),
    );
  });
});

describe("CFS bandwidth: run() throttles mid-work, never over the quota", () => {
  it("work beyond the runtime left is split: throttled at the end of runtime until the refill, then finished", () => {
    const b = new CfsBandwidth(20 * MS, 100 * MS);
    // 10 ms used, then 25 ms more from 30 ms: 10 ms run (to 40 ms), throttled to 100 ms, 15 ms more
    expect(b.run(10 * MS, 0)).toBe(10 * MS);
    expect(b.run(25 * MS, 30 * MS)).toBe(115 * MS);
    expect(b.throttleCount).toBe(1);
    expect(b.throttledNs).toBe(60 * MS);
    // work asked while throttled waits for the refill
    const c = new CfsBandwidth(20 * MS, 100 * MS);
    c.run(20 * MS, 0);
    expect(c.run(1 * MS, 50 * MS)).toBe(101 * MS);
  });
  it("usedAfter: runtime handed out for after a time is what runs after it", () => {
    const b = new CfsBandwidth(20 * MS, 100 * MS);
    b.run(30 * MS, 0); // [0, 20) and [100, 110)
    expect(b.usedAfter(5 * MS)).toBe(25 * MS);
    expect(b.usedAfter(105 * MS)).toBe(5 * MS);
    expect(b.throttledAfter(50 * MS)).toBe(50 * MS);
  });
  it("property: threads asking for any work at any times never get more than the quota in any period", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 * MS }), fc.integer({ min: 1, max: 60 * MS })), { minLength: 1, maxLength: 200 }),
        (quotaMs, asks) => {
          const period = 100 * MS;
          const quota = quotaMs * MS;
          const b = new CfsBandwidth(quota, period);
          let t = 0;
          let total = 0;
          let end = 0;
          for (const [gap, ns] of asks) {
            t += gap;
            const done = b.run(ns, t);
            expect(done).toBeGreaterThanOrEqual(t + ns);
            total += ns;
            end = Math.max(end, done);
          }
          // all the work was done by `end`, within one quota per period started
          const periods = Math.ceil(end / period);
          expect(total).toBeLessThanOrEqual(periods * quota + 1e-6);
          // and what runs after any time t' is at most what the periods from t' on allow
          const tq = end / 2;
          expect(b.usedAfter(tq)).toBeLessThanOrEqual((Math.ceil(end / period) - Math.floor(tq / period)) * quota + 1e-6);
        },
      ),
    );
  });
});
