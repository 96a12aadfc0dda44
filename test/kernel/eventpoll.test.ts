import { describe, expect, it } from "vitest";
import { EventpollLock, eventpollEra } from "../../src/kernel/eventpoll.ts";
import { parseKernel } from "../../src/kernel/version.ts";
import { RandomStreams, exponential } from "../../src/engine/index.ts";

describe("eventpoll: the lock ep_poll_callback takes, by era", () => {
  it("spinlock to v5.0, rwlock v5.1-v6.16 (a218cc4914), spinlock again from v6.17", () => {
    expect(eventpollEra(parseKernel("4.19")!)).toBe("spinlock-to-5.0");
    expect(eventpollEra(parseKernel("5.15")!)).toBe("rwlock-5.1-to-6.16");
    expect(eventpollEra(parseKernel("6.16")!)).toBe("rwlock-5.1-to-6.16");
    expect(eventpollEra(parseKernel("6.18")!)).toBe("spinlock-from-6.17");
  });
  it("callbacks spaced wider than the hold never spin", () => {
    const l = new EventpollLock(100);
    for (let i = 0; i < 1000; i++) expect(l.callback(i * 101, 0)).toBe(0);
    expect(l.contended).toBe(0);
  });
  it("Poisson callbacks with a constant hold wait as M/D/1 says: W = rho S / (2 (1 - rho))", () => {
    const S = 200;
    for (const rho of [0.3, 0.6, 0.8]) {
      const gap = exponential(new RandomStreams(7).stream("ep"), S / rho);
      const l = new EventpollLock(S);
      let t = 0;
      let wait = 0;
      const n = 400_000;
      for (let i = 0; i < n; i++) {
        t += gap.sample();
        wait += l.callback(t, 0);
      }
      const theory = (rho * S) / (2 * (1 - rho));
      expect(wait / n / theory).toBeGreaterThan(0.95);
      expect(wait / n / theory).toBeLessThan(1.05);
    }
  });
  it("a callback that wakes the waiter holds the lock for its extra work too", () => {
    const l = new EventpollLock(100);
    expect(l.callback(0, 5000)).toBe(0);
    expect(l.callback(1000, 0)).toBe(4100);
  });
});
