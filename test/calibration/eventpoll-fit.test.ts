import { describe, expect, it } from "vitest";
import { eventpollBandwidthPerMs, fitEventpollEras } from "../../src/calibration/eventpoll-fit.ts";
import { EVENTPOLL_LOCK } from "../../src/models/mechanisms.ts";

describe("the epoll lock, calibrated on the stress-epoll tables alone (M1, M2)", () => {
  const fits = fitEventpollEras(EVENTPOLL_LOCK);
  it("the shipped constants are that fit (not edited by hand)", () => {
    for (const [era, f] of Object.entries(fits)) {
      const shipped = EVENTPOLL_LOCK.fit.eras[era];
      expect(shipped.holdNs).toBeCloseTo(f.holdNs, 2);
      expect(shipped.thinkNs).toBeCloseTo(f.thinkNs, 2);
    }
  });
  it("the spinlock eras reproduce every point of their table within 5%", () => {
    for (const era of EVENTPOLL_LOCK.eras.filter((e) => e.lock === "spinlock")) {
      const f = fits[era.id];
      for (const id of era.tables) {
        const t = EVENTPOLL_LOCK.tables.find((x) => x.id === id)!;
        for (const p of t.points) {
          const m = eventpollBandwidthPerMs(p.threads, f.thinkNs, f.holdNs, t.hostCpus);
          expect(Math.abs(m / p.eventsPerMs - 1)).toBeLessThan(0.05);
        }
      }
    }
  });
  it("the rwlock era (readers do not fully serialise) stays within 30% of both tables, and its serial cost is below both spinlocks'", () => {
    const rw = fits["rwlock-5.1-to-6.16"];
    expect(rw.relRms).toBeLessThan(0.2);
    for (const id of ["M1-rwlock-2019", "M2-rwlock-2025-x86"]) {
      const t = EVENTPOLL_LOCK.tables.find((x) => x.id === id)!;
      for (const p of t.points) expect(Math.abs(eventpollBandwidthPerMs(p.threads, rw.thinkNs, rw.holdNs, t.hostCpus) / p.eventsPerMs - 1)).toBeLessThan(0.3);
    }
    expect(rw.holdNs).toBeLessThan(fits["spinlock-to-5.0"].holdNs);
    expect(rw.holdNs).toBeLessThan(fits["spinlock-from-6.17"].holdNs);
  });
  it("bandwidth saturates at 1 / hold: flat in the thread count once the lock is busy", () => {
    const f = fits["spinlock-from-6.17"];
    expect(eventpollBandwidthPerMs(512, f.thinkNs, f.holdNs)).toBeCloseTo(1e6 / f.holdNs, -1);
  });
});
