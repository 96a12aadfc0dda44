/**
 * Per-CPU perf buffers behind a BPF_MAP_TYPE_PERF_EVENT_ARRAY, as bpf_perf_event_output fills them.
 *
 * Kernel (read at v6.18; version differences are named where they matter): kernel/events/ring_buffer.c `__perf_output_begin`, `perf_output_put_handle`,
 * `perf_output_wakeup`; kernel/events/core.c `perf_event_output`, `perf_pending_irq`.
 * - One ring per CPU of `pagesPerCpu` 4 KiB pages; the producer is always the local CPU, so no lock.
 * - A record is `struct perf_event_header` (8 B) + u32 size + the raw sample, padded to 8 bytes:
 *   a 120-byte sample becomes a 136-byte record.
 * - No room: the record is dropped and `rb->lost` counted (`__perf_output_begin`, "fail" path).
 *   Such an output is neither copied nor counted toward a wakeup; the node layer charges it
 *   perfLostOutputNs (measured: `bpfsim measure --lost`) instead of perfOutputNs.
 * - Wakeup rule: a record wakes the reader when it moves the mark `rb->wakeup`
 *   (`perf_output_put_handle`: `handle->wakeup != local_read(&rb->wakeup)`). The mark moves by
 *   `rb->watermark` when the head gets more than that past it (`__perf_output_begin`:
 *   `if (head - local_read(&rb->wakeup) > rb->watermark) local_add(rb->watermark, &rb->wakeup)`),
 *   where `rb->watermark` is min(ring, wakeup_watermark) with attr.watermark set and half the ring
 *   otherwise (`ring_buffer_init`); and, without attr.watermark, by one on every `wakeup_events`-th
 *   record (`perf_output_sample`: `rb->events`, `local_inc(&rb->wakeup)`). libbpf's perf_buffer uses
 *   sample_period = 1, wakeup_events = 1; cilium/ebpf's reader a 1-byte watermark: both wake on
 *   every record.
 * - The wakeup itself is deferred: `perf_output_wakeup` sets `rb->poll` and queues the event's
 *   irq_work (see irq-work.ts), and `perf_pending_irq` calls `perf_event_wakeup` later.
 * - `data_head` (written by the producer) and `data_tail` (written by the reader) share the first
 *   cache line after the mmap'ed control page header; each reader access pulls the line away from
 *   the producing CPU, which pays to pull it back on its next record.
 * Left out: PERF_RECORD_LOST records themselves, overwrite (backward) mode, aux buffers.
 */
import type { PerfBufferSettings } from "../models/types.ts";

import { RecordStamps } from "../accounting/record-stamps.ts";

export const PAGE_BYTES = 4096;

/** Bytes one raw sample of `sampleBytes` takes in a perf ring. */
export function perfRecordBytes(sampleBytes: number): number {
  return Math.ceil((8 + 4 + sampleBytes) / 8) * 8;
}

/** Outcome of one `output` call. */
export const STORED = 0;
export const STORED_WAKEUP = 1;
export const LOST = -1;

export class PerfEventArray {
  readonly recordBytes: number;
  readonly ringBytes: number;
  readonly capacityRecords: number;
  private readonly wakeupEvents: number;
  private readonly watermark: number;
  // per-CPU state
  readonly head: Float64Array; // bytes ever written
  readonly tail: Float64Array; // bytes ever consumed
  private readonly events: Int32Array; // records since the last wakeup_events wakeup (rb->events)
  private readonly mark: Float64Array; // rb->wakeup
  /** `rb->poll`: set by a wakeup, cleared when the reader polls the ring (perf_poll). */
  readonly pollReady: Uint8Array;
  /** True while the reader holds the control line (it read or wrote data_head/data_tail last). */
  readonly lineAtReader: Uint8Array;
  readonly produced: Float64Array;
  readonly lost: Float64Array;
  private readonly stamps: RecordStamps;

  constructor(
    readonly cpus: number,
    settings: PerfBufferSettings,
    sampleBytes: number,
  ) {
    this.recordBytes = perfRecordBytes(sampleBytes);
    this.ringBytes = settings.pagesPerCpu * PAGE_BYTES;
    this.capacityRecords = Math.floor(this.ringBytes / this.recordBytes);
    if (settings.wakeupEvents !== undefined && settings.watermarkBytes !== undefined) {
      throw new RangeError("perf buffer: wakeupEvents and watermarkBytes are exclusive; set one");
    }
    this.wakeupEvents = settings.watermarkBytes === undefined ? (settings.wakeupEvents ?? 1) : 0;
    // ring_buffer_init: min(size, wakeup_watermark) with attr.watermark, else half the ring
    this.watermark = settings.watermarkBytes === undefined ? this.ringBytes / 2 : Math.min(this.ringBytes, settings.watermarkBytes);
    this.head = new Float64Array(cpus);
    this.tail = new Float64Array(cpus);
    this.events = new Int32Array(cpus);
    this.mark = new Float64Array(cpus);
    this.pollReady = new Uint8Array(cpus);
    this.lineAtReader = new Uint8Array(cpus);
    this.produced = new Float64Array(cpus);
    this.lost = new Float64Array(cpus);
    this.stamps = new RecordStamps(cpus, this.capacityRecords);
  }

  /** Unread records in CPU `cpu`'s ring. */
  buffered(cpu: number): number {
    return this.stamps.count(cpu);
  }

  /** bpf_perf_event_output on `cpu` at `now`: STORED, STORED_WAKEUP (a wakeup is due) or LOST. */
  output(cpu: number, now: number): number {
    const size = this.recordBytes;
    if (this.head[cpu] - this.tail[cpu] + size > this.ringBytes) {
      this.lost[cpu]++;
      return LOST;
    }
    this.head[cpu] += size;
    this.produced[cpu]++;
    this.stamps.push(cpu, now);
    let wake = STORED;
    if (this.head[cpu] - this.mark[cpu] > this.watermark) {
      this.mark[cpu] += this.watermark; // one watermark per record: the mark may lag behind the head
      wake = STORED_WAKEUP;
    }
    if (this.wakeupEvents > 0 && ++this.events[cpu] >= this.wakeupEvents) {
      this.events[cpu] -= this.wakeupEvents;
      this.mark[cpu] += 1; // local_inc(&rb->wakeup): the kernel moves the same mark by one byte
      wake = STORED_WAKEUP;
    }
    return wake;
  }

  /**
   * The reader consumes every record in `cpu`'s ring, finishing at `doneAt`; `onRecord(latencyNs)`
   * is called per record. Returns the number consumed.
   */
  consumeAll(cpu: number, doneAt: number, onRecord: (latencyNs: number) => void): number {
    const n = this.stamps.drain(cpu, doneAt, onRecord);
    this.tail[cpu] = this.head[cpu];
    return n;
  }
}
