import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LOST, PAGE_BYTES, PerfEventArray, STORED, STORED_WAKEUP, perfRecordBytes } from "../../src/kernel/perf-event-array.ts";
import type { PerfBufferSettings } from "../../src/models/types.ts";

const perf = (s: Partial<PerfBufferSettings>, cpus = 1, sample = 120) => new PerfEventArray(cpus, { kind: "perf", pagesPerCpu: 1, ...s }, sample);

/**
 * The kernel's wakeup decision for one perf ring, written from kernel/events/ring_buffer.c (v6.x) and
 * kernel/events/core.c, independently of the model:
 *   ring_buffer_init: rb->watermark = min(size, wakeup_watermark) if attr.watermark, else size / 2
 *   __perf_output_begin: handle->wakeup = rb->wakeup; (space check: CIRC_SPACE >= size, else lost)
 *     head += size; if (head - rb->wakeup > rb->watermark) rb->wakeup += rb->watermark
 *   perf_output_sample (!attr.watermark && wakeup_events): if (++rb->events >= wakeup_events)
 *     { rb->events -= wakeup_events; rb->wakeup++ }
 *   perf_output_put_handle: wake if handle->wakeup != rb->wakeup
 */
function kernelPerfRing(size: number, rec: number, attr: { watermark?: number; wakeupEvents?: number }) {
  const watermark = attr.watermark !== undefined ? Math.min(size, attr.watermark) : size / 2;
  let head = 0;
  let tail = 0;
  let wakeup = 0;
  let events = 0;
  return {
    output(): number {
      const before = wakeup;
      if (size - 1 - (head - tail) < rec) return LOST;
      head += rec;
      if (head - wakeup > watermark) wakeup += watermark;
      if (attr.watermark === undefined && attr.wakeupEvents) {
        if (++events >= attr.wakeupEvents) {
          events -= attr.wakeupEvents;
          wakeup++;
        }
      }
      return before !== wakeup ? STORED_WAKEUP : STORED;
    },
    consume(): void {
      tail = head;
    },
  };
}

describe("perf record layout (struct perf_event_header + u32 size + sample, 8-aligned)", () => {
  it("a 120-byte sample takes 136 bytes", () => {
    expect(perfRecordBytes(120)).toBe(136);
  });
  it("is 12 + sample rounded up to 8, for any sample size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65000 }), (n) => {
        const r = perfRecordBytes(n);
        expect(r % 8).toBe(0);
        expect(r).toBeGreaterThanOrEqual(12 + n);
        expect(r).toBeLessThan(12 + n + 8);
      }),
    );
  });
});

describe("perf ring capacity (__perf_output_begin: no room, rb->lost)", () => {
  it("a ring of P pages holds floor(P*4096/136) records, then loses", () => {
    for (const pages of [1, 2, 8, 32]) {
      const p = perf({ pagesPerCpu: pages });
      const cap = Math.floor((pages * PAGE_BYTES) / 136);
      expect(p.capacityRecords).toBe(cap);
      for (let i = 0; i < cap; i++) expect(p.output(0, i)).not.toBe(LOST);
      expect(p.buffered(0)).toBe(cap);
      expect(p.output(0, cap)).toBe(LOST);
      expect(p.output(0, cap + 1)).toBe(LOST);
      expect(p.lost[0]).toBe(2);
      expect(p.produced[0]).toBe(cap);
    }
  });
  it("rings are per CPU: filling one CPU's ring loses nothing on another", () => {
    const p = perf({}, 2);
    for (let i = 0; i < p.capacityRecords; i++) p.output(0, i);
    expect(p.output(0, 0)).toBe(LOST);
    expect(p.output(1, 0)).not.toBe(LOST);
  });
  it("consuming frees the space and reports each record's latency", () => {
    const p = perf({});
    for (let i = 0; i < p.capacityRecords; i++) p.output(0, i);
    const lat: number[] = [];
    expect(p.consumeAll(0, 1000, (l) => lat.push(l))).toBe(p.capacityRecords);
    expect(lat[0]).toBe(1000);
    expect(lat[lat.length - 1]).toBe(1000 - (p.capacityRecords - 1));
    expect(p.buffered(0)).toBe(0);
    expect(p.output(0, 2000)).not.toBe(LOST);
  });
});

describe("perf wakeup rule", () => {
  it("wakeup_events = n wakes on exactly every n-th stored record (well below half the ring)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 200 }), (n, records) => {
        const p = perf({ pagesPerCpu: 64, wakeupEvents: n });
        for (let k = 1; k <= records; k++) {
          const r = p.output(0, k);
          expect(r).toBe(k % n === 0 ? STORED_WAKEUP : STORED);
        }
      }),
    );
  });
  it("wakeup_events also wakes at the half-ring default watermark, as the kernel (reference) does", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 20 }),
        (pages, n, bursts) => {
          const p = perf({ pagesPerCpu: pages, wakeupEvents: n });
          const ref = kernelPerfRing(pages * PAGE_BYTES, 136, { wakeupEvents: n });
          for (const b of bursts) {
            for (let i = 0; i < b; i++) expect(p.output(0, i)).toBe(ref.output());
            p.consumeAll(0, 0, () => {});
            ref.consume();
          }
        },
      ),
    );
  });
  it("the default (neither set) is wakeup_events = 1: every record wakes", () => {
    const p = perf({});
    for (let k = 0; k < 10; k++) expect(p.output(0, k)).toBe(STORED_WAKEUP);
  });
  it("lost records neither count towards wakeup_events nor move the mark (kernel reference, past capacity)", () => {
    const p = perf({ wakeupEvents: 7 });
    const ref = kernelPerfRing(PAGE_BYTES, 136, { wakeupEvents: 7 });
    for (let k = 0; k < p.capacityRecords + 10; k++) expect(p.output(0, k)).toBe(ref.output());
    p.consumeAll(0, 0, () => {});
    ref.consume();
    for (let k = 0; k < 20; k++) expect(p.output(0, k)).toBe(ref.output());
  });
  it("watermark w wakes exactly as the kernel's rb->wakeup mark does (reference: __perf_output_begin)", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 20000 }), fc.constantFrom(68, 135, 136, 137, 272, 408), fc.integer({ min: 200000, max: 400000 })),
        fc.integer({ min: 1, max: 400 }),
        (w, records) => {
          const p = perf({ pagesPerCpu: 64, watermarkBytes: w });
          const ref = kernelPerfRing(64 * PAGE_BYTES, 136, { watermark: w });
          for (let k = 0; k < records; k++) expect(p.output(0, k)).toBe(ref.output());
        },
      ),
    );
  });
  it("watermark equal to the record size: every record after the first wakes (the mark lags by one watermark)", () => {
    const p = perf({ pagesPerCpu: 4, watermarkBytes: 136 });
    const got = Array.from({ length: 6 }, (_, k) => p.output(0, k));
    expect(got).toEqual([STORED, STORED_WAKEUP, STORED_WAKEUP, STORED_WAKEUP, STORED_WAKEUP, STORED_WAKEUP]);
  });
  it("a 1-byte watermark (cilium/ebpf's default) wakes on every record", () => {
    const p = perf({ watermarkBytes: 1 });
    for (let k = 0; k < 20; k++) expect(p.output(0, k)).toBe(STORED_WAKEUP);
  });
  it("watermark 4096 with 136-byte records: the first wakeup is on record 31 (31*136 = 4216 > 4096)", () => {
    const p = perf({ pagesPerCpu: 4, watermarkBytes: 4096 });
    const wakes: number[] = [];
    for (let k = 1; k <= 70; k++) if (p.output(0, k) === STORED_WAKEUP) wakes.push(k);
    expect(wakes).toEqual([31, 61]); // 61*136 = 8296 > 8192
  });
  it("wakeupEvents and watermarkBytes together throw, naming both", () => {
    expect(() => perf({ wakeupEvents: 4, watermarkBytes: 64 })).toThrow(/wakeupEvents.*watermarkBytes|watermarkBytes.*wakeupEvents/);
  });
});

describe("perf conservation", () => {
  it("produced = consumed + lost + buffered, for any sequence of outputs and drains", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ cpu: fc.nat(3), outputs: fc.integer({ min: 0, max: 80 }), drain: fc.boolean() }), { maxLength: 60 }),
        (cpus, steps) => {
          const p = perf({ wakeupEvents: 3 }, cpus);
          let attempted = 0;
          let consumed = 0;
          let t = 0;
          for (const s of steps) {
            const cpu = s.cpu % cpus;
            for (let i = 0; i < s.outputs; i++) {
              p.output(cpu, t++);
              attempted++;
            }
            if (s.drain) consumed += p.consumeAll(cpu, t, () => {});
          }
          let lost = 0;
          let buffered = 0;
          let produced = 0;
          for (let c = 0; c < cpus; c++) {
            lost += p.lost[c];
            buffered += p.buffered(c);
            produced += p.produced[c];
            expect(p.head[c] - p.tail[c]).toBe(p.buffered(c) * p.recordBytes);
            expect(p.buffered(c)).toBeLessThanOrEqual(p.capacityRecords);
          }
          expect(attempted).toBe(produced + lost);
          expect(produced).toBe(consumed + buffered);
        },
      ),
    );
  });
});
