import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Ringbuf, ringbufRecordBytes } from "../../src/kernel/ringbuf.ts";
import type { RingbufSettings } from "../../src/models/types.ts";

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
      fc.property(
        fc.array(fc.record({ ring: fc.nat(1), n: fc.integer({ min: 0, max: 60 }), drain: fc.boolean() }), { maxLength: 50 }),
        (steps) => {
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
        },
      ),
    );
  });
});
