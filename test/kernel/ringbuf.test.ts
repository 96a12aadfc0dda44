import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  checkReservationLines,
  headerLineTransfers,
  LOCK_PATH,
  reservationLinesOnPath,
  Ringbuf,
  RingbufLock,
  ringbufRecordBytes,
} from "../../src/kernel/ringbuf.ts";
import { Topology } from "../../src/hardware/topology.ts";
import { loadHardware } from "../../src/models/load.ts";
import type { RingbufSettings } from "../../src/models/types.ts";
import reservation from "../../models/benchmarks/ringbuf-reservation.json" with { type: "json" };

const rb = (s: Partial<RingbufSettings>, cpus = 4) => new Ringbuf(cpus, { kind: "ringbuf", bytes: 4096, wakeup: "default", ...s }, 120);

describe("ring buffer record layout (BPF_RINGBUF_HDR_SZ = 8, rounded up to 8)", () => {
  it("a 120-byte sample takes 128 bytes", () => {
    expect(ringbufRecordBytes(120)).toBe(128);
  });
  it("is 8 + sample rounded up to 8", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65000 }), (n) => {
        const r = ringbufRecordBytes(n);
        expect(r % 8).toBe(0);
        expect(r).toBeGreaterThanOrEqual(8 + n);
        expect(r).toBeLessThan(16 + n);
      }),
    );
  });
});

describe("ring buffer capacity (__bpf_ringbuf_reserve: new_prod_pos - cons_pos > rb->mask fails)", () => {
  it("holds the records whose end stays within mask = bytes - 1 of the consumer, then drops", () => {
    for (const bytes of [4096, 8192, 65536]) {
      const r = rb({ bytes });
      // kernel: a reservation fails when new_prod_pos - cons_pos > bytes - 1
      const kernelCap = Math.floor((bytes - 1) / 128);
      let stored = 0;
      for (let i = 0; i < kernelCap + 5; i++) if (r.commit(0, i) >= 0) stored++;
      expect(stored).toBe(kernelCap);
      expect(r.lost[0]).toBe(5);
      expect(r.buffered(0)).toBe(kernelCap);
    }
  });
  it("consuming frees the space", () => {
    const r = rb({});
    let t = 0;
    while (r.commit(0, t) >= 0) t++;
    const n = r.consumeAll(0, t, () => {});
    expect(n).toBe(r.produced[0]);
    expect(r.commit(0, t)).toBeGreaterThanOrEqual(0);
  });
});

describe("ring buffer notification (bpf_ringbuf_commit)", () => {
  it("default: only when the consumer has caught up with this very record (cons_pos == rec_pos)", () => {
    const r = rb({ bytes: 65536 });
    expect(r.commit(0, 0)).toBe(1); // empty ring: consumer is at this record
    for (let i = 1; i < 50; i++) expect(r.commit(0, i)).toBe(0); // consumer behind: no wakeup
    r.consumeAll(0, 100, () => {});
    expect(r.commit(0, 101)).toBe(1); // caught up again
    expect(r.commit(0, 102)).toBe(0);
  });
  it("default, property: a commit notifies iff the ring was empty before it", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant("out" as const), fc.constant("drain" as const)), { maxLength: 200 }), (ops) => {
        const r = rb({ bytes: 8192 }, 1);
        let t = 0;
        for (const op of ops) {
          if (op === "drain") r.consumeAll(0, t, () => {});
          else {
            const emptyBefore = r.buffered(0) === 0;
            const c = r.commit(0, t++);
            if (c >= 0) expect(c).toBe(emptyBefore ? 1 : 0);
          }
        }
      }),
    );
  });
  it("no_wakeup never notifies", () => {
    const r = rb({ wakeup: "no_wakeup", bytes: 65536 });
    for (let i = 0; i < 100; i++) {
      expect(r.commit(0, i)).toBe(0);
      if (i % 7 === 0) r.consumeAll(0, i, () => {});
    }
  });
  it("forceEvery n notifies on exactly every n-th record, caught up or not", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 300 }), (n, k) => {
        const r = rb({ wakeup: { forceEvery: n }, bytes: 1 << 16 });
        for (let i = 1; i <= k; i++) {
          expect(r.commit(0, i)).toBe(i % n === 0 ? 1 : 0);
          if (i % 11 === 0) r.consumeAll(0, i, () => {});
        }
      }),
    );
  });
});

describe("ring sharding (cpusPerRing)", () => {
  it("one ring for the node by default", () => {
    const r = rb({}, 32);
    expect(r.rings).toBe(1);
    for (let c = 0; c < 32; c++) expect(r.ringOf(c)).toBe(0);
  });
  it("groups of cpusPerRing consecutive CPUs share a ring; ceil(cpus / cpusPerRing) rings", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 128 }), fc.integer({ min: 1, max: 64 }), (cpus, per) => {
        const r = rb({ cpusPerRing: per }, cpus);
        expect(r.rings).toBe(Math.ceil(cpus / per));
        for (let c = 0; c < cpus; c++) {
          expect(r.ringOf(c)).toBe(Math.floor(c / per));
          expect(r.ringOf(c)).toBeLessThan(r.rings);
        }
      }),
    );
  });
  it("rings are independent: filling one drops nothing on another", () => {
    const r = rb({ cpusPerRing: 2 }, 4);
    while (r.commit(0, 0) >= 0);
    expect(r.commit(1, 0)).toBeGreaterThanOrEqual(0);
    expect(r.lost[1]).toBe(0);
  });
});

describe("ring buffer conservation", () => {
  it("produced = consumed + lost + buffered per ring, for any sequence", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ ring: fc.nat(1), n: fc.integer({ min: 0, max: 60 }), drain: fc.boolean() }), { maxLength: 50 }), (steps) => {
        const r = rb({ cpusPerRing: 2, bytes: 4096 }, 4);
        let attempted = 0;
        let consumed = 0;
        let t = 0;
        for (const s of steps) {
          for (let i = 0; i < s.n; i++, attempted++) r.commit(s.ring, t++);
          if (s.drain) consumed += r.consumeAll(s.ring, t, () => {});
        }
        const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
        const buffered = r.buffered(0) + r.buffered(1);
        expect(attempted).toBe(sum(r.produced) + sum(r.lost));
        expect(sum(r.produced)).toBe(consumed + buffered);
        for (let k = 0; k < r.rings; k++) expect(r.prod[k] - r.cons[k]).toBe(r.buffered(k) * r.recordBytes);
      }),
    );
  });
});

describe("the selftest's sampled mode (forceWhenAvailRecords: FORCE once n records are available, else NO_WAKEUP)", () => {
  it("notifies iff at least n records were buffered before this one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.boolean(), { maxLength: 300 }), (n, drains) => {
        const r = new Ringbuf(1, { kind: "ringbuf", bytes: 1 << 16, wakeup: "no_wakeup" }, 8, { forceWhenAvailRecords: n });
        let t = 0;
        for (const d of drains) {
          if (d) r.consumeAll(0, t, () => {});
          const before = r.buffered(0);
          expect(r.commit(0, t++)).toBe(before >= n ? 1 : 0);
        }
      }),
    );
  });
});

describe("the reservation lock (RingbufLock): lines moved per step, from models/benchmarks/ringbuf-reservation.json", () => {
  // Ryzen 9 7950X profile: CPUs 0-7 one CCD (17 ns), 8-15 the other (79.5 ns across)
  const hw = loadHardware("bench-ryzen-7950x");
  const topo = new Topology(hw);
  const L = checkReservationLines(reservation, "ringbuf-reservation.json");
  const l = L.lines;
  const T = hw.cacheLineTransferNs;
  const HOLD = 10;
  const lock = (kind: "qspinlock" | "rqspinlock" = "qspinlock", recordBytes = 16) => new RingbufLock(1, topo, L, HOLD, kind, recordBytes);

  it("the shipped counts: lock word, producer_pos/pending_pos, previous header; more lines on the queued path", () => {
    const k = lock();
    expect(k.linesOnPath(LOCK_PATH.uncontended)).toBe(l.lockWordUncontended + l.producerPos + l.previousHeader);
    expect(k.linesOnPath(LOCK_PATH.pending)).toBe(l.lockWordPending + l.producerPos + l.previousHeader);
    expect(k.linesOnPath(LOCK_PATH.queued)).toBe(l.lockWordQueued + l.mcsNodeQueued + l.producerPos + l.previousHeader);
    expect(k.linesOnPath(LOCK_PATH.queued)).toBeGreaterThan(k.linesOnPath(LOCK_PATH.pending));
  });

  it("before the pending loop (kernels before the 2024 overrun fix) the previous header's line moves only when the new header shares it", () => {
    // 16-byte records, four to a 64-byte line: the new header lands on the previous record's line 3 times in 4
    const old16 = new RingbufLock(1, topo, L, HOLD, "qspinlock", 16, false);
    expect(headerLineTransfers(L, 16, false)).toBeCloseTo(l.previousHeader * 0.75, 12);
    expect(old16.linesOnPath(LOCK_PATH.queued)).toBeCloseTo(l.lockWordQueued + l.mcsNodeQueued + l.producerPos + 0.75 * l.previousHeader, 12);
    expect(old16.linesOnPath(LOCK_PATH.pending)).toBeLessThan(lock().linesOnPath(LOCK_PATH.pending));
    // a record of a line or more starts on a line no reservation touched since the wrap: nothing to move
    expect(headerLineTransfers(L, 128, false)).toBe(0);
    expect(reservationLinesOnPath(L, LOCK_PATH.pending, 128, false)).toBe(l.lockWordPending + l.producerPos);
    // with the pending loop the previous header is read whatever the record size
    expect(headerLineTransfers(L, 128, true)).toBe(l.previousHeader);
    expect(reservationLinesOnPath(L, LOCK_PATH.queued, 16, true)).toBe(lock().linesOnPath(LOCK_PATH.queued));
    // and the hold follows: a contended grant before the loop moves fewer lines
    const a = new RingbufLock(1, topo, L, HOLD, "qspinlock", 16, false);
    a.reserve(0, 1, 0);
    const g = a.reserve(0, 2, 1);
    expect(g.transferNs).toBeCloseTo(a.linesOnPath(LOCK_PATH.pending) * T.sameLlc, 9);
  });

  it("the same CPU again, uncontended: only the local critical section (every line is already here)", () => {
    const k = lock();
    k.reserve(0, 3, 0);
    const g = k.reserve(0, 3, 1000);
    expect(g.path).toBe(LOCK_PATH.uncontended);
    expect(g.spinNs).toBe(0);
    expect(g.holdNs).toBe(HOLD);
  });

  it("another CPU, uncontended: each line comes from the last owner at that pair's transfer time", () => {
    const k = lock();
    k.reserve(0, 1, 0);
    const same = k.reserve(0, 2, 1000); // same CCD
    expect(same.holdNs).toBeCloseTo(HOLD + k.linesOnPath(0) * T.sameLlc, 9);
    const cross = k.reserve(0, 9, 2000); // other CCD
    expect(cross.transferNs).toBeCloseTo(k.linesOnPath(0) * T.crossLlc, 9);
    expect(cross.remoteTransferNs).toBe(0); // one NUMA node
  });

  it("a second CPU arriving while the lock is held spins until the release, then pays the pending path", () => {
    const k = lock();
    const a = { ...k.reserve(0, 1, 0) };
    const b = k.reserve(0, 2, 1);
    expect(b.path).toBe(LOCK_PATH.pending);
    expect(b.acquireAt).toBe(a.acquireAt + a.holdNs);
    expect(b.spinNs).toBe(a.holdNs - 1);
    expect(b.holdNs).toBeCloseTo(HOLD + k.linesOnPath(LOCK_PATH.pending) * T.sameLlc, 9);
  });

  it("with a third contender the queued (MCS) path, each line at the mean transfer from the other contenders", () => {
    const k = lock();
    k.reserve(0, 1, 0);
    k.reserve(0, 2, 1);
    const c = k.reserve(0, 9, 2); // CPU 9 on the other CCD; contenders 1 and 2 on CCD 0
    expect(c.path).toBe(LOCK_PATH.queued);
    expect(c.transferNs).toBeCloseTo(k.linesOnPath(LOCK_PATH.queued) * T.crossLlc, 9);
    const d = k.reserve(0, 1, 3); // CPU 1: contenders 2 (same CCD) and 9 (other)
    expect(d.transferNs).toBeCloseTo(k.linesOnPath(LOCK_PATH.queued) * ((T.sameLlc + T.crossLlc) / 2), 9);
  });

  it("grants follow the call order, never overlap, and nobody takes the lock before arriving (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 15 }), gap: fc.integer({ min: 0, max: 300 }) }), { minLength: 1, maxLength: 200 }),
        (calls) => {
          const k = lock();
          let at = 0;
          let releasedAt = -Infinity;
          for (const c of calls) {
            at += c.gap;
            const g = k.reserve(0, c.cpu, at);
            expect(g.acquireAt).toBeGreaterThanOrEqual(at);
            expect(g.acquireAt).toBeGreaterThanOrEqual(releasedAt);
            expect(g.spinNs).toBeCloseTo(g.acquireAt - at, 9);
            expect(g.holdNs).toBeGreaterThanOrEqual(HOLD);
            expect(g.holdNs).toBeLessThanOrEqual(HOLD + k.linesOnPath(LOCK_PATH.queued) * T.crossLlc + 1e-9);
            releasedAt = g.acquireAt + g.holdNs;
            expect(k.locks[0].freeAt).toBe(releasedAt);
            expect(k.lastOwner[0]).toBe(c.cpu);
          }
        },
      ),
    );
  });

  it("the rqspinlock moves the same lines (T4: no difference beyond noise)", () => {
    const q = lock("qspinlock");
    const r = lock("rqspinlock");
    for (const [cpu, at] of [
      [1, 0],
      [2, 1],
      [9, 2],
      [1, 500],
    ] as const) {
      expect(r.reserve(0, cpu, at).holdNs).toBeCloseTo(q.reserve(0, cpu, at).holdNs + L.rqspinlockExtraHoldNs, 9);
    }
  });

  it("records shorter than a line share it with the previous header; a 128-byte record does not", () => {
    expect(lock("qspinlock", 16).recordsShareLines).toBe(true);
    expect(lock("qspinlock", 128).recordsShareLines).toBe(false);
  });

  it("a bad line count file is rejected naming the field and the value", () => {
    expect(() => checkReservationLines({ ...L, lines: { ...l, producerPos: -1 } }, "f.json")).toThrow(/f\.json: lines\.producerPos = -1/);
    expect(() => checkReservationLines({ ...L, cacheLineBytes: "64" }, "f.json")).toThrow(/cacheLineBytes = "64"/);
    expect(() => checkReservationLines(null, "f.json")).toThrow(/f\.json/);
  });
});
