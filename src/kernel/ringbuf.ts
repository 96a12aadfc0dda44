/**
 * The BPF ring buffer (BPF_MAP_TYPE_RINGBUF): one ring shared by many CPUs.
 *
 * Kernel (v6.x): Documentation/bpf/ringbuf.rst; kernel/bpf/ringbuf.c `__bpf_ringbuf_reserve`,
 * `bpf_ringbuf_commit`, `bpf_ringbuf_notify`.
 * - A record is an 8-byte header (length with busy/discard bits, page offset) + the sample,
 *   rounded up to 8 bytes: a 120-byte sample takes 128 bytes.
 * - Reservation is serialised by `rb->spinlock` (raw_spin_lock_irqsave): it reads consumer_pos,
 *   checks space, advances producer_pos. Every reservation by a different CPU than the last moves
 *   the lock line and the producer_pos line to the new CPU (the handoff, see topology.ts), and a
 *   CPU that finds the lock held spins. Lock order is arrival order (queued spinlock: MCS queue).
 * - No room (`new_prod_pos - cons_pos > rb->mask`): reservation fails, the record is dropped. The
 *   producer may run at most `bytes - 1` ahead, so a ring holds floor((bytes - 1) / record) records
 *   (one fewer than bytes / record when the record size divides the ring, as 128 divides 2^k).
 * - Commit is lockless (xchg of the header). Notification (`bpf_ringbuf_commit`): with
 *   BPF_RB_FORCE_WAKEUP always; with BPF_RB_NO_WAKEUP never; by default only when the consumer has
 *   caught up with this very record (`cons_pos == rec_pos`), so a busy consumer is not woken. The
 *   wakeup goes through the ring's irq_work (`rb->work`), like perf's.
 * - Records are visible to the consumer in reservation order; the model commits instantly after the
 *   copy, so a busy record never holds the consumer back (left out).
 * Optionally several rings, one per group of `cpusPerRing` CPUs (Falco's sharding).
 */
import type { RingbufSettings } from "../models/types.ts";
import { RecordStamps } from "./record-stamps.ts";

/** Bytes one sample of `sampleBytes` takes in a BPF ring buffer (BPF_RINGBUF_HDR_SZ = 8). */
export function ringbufRecordBytes(sampleBytes: number): number {
  return Math.ceil((8 + sampleBytes) / 8) * 8;
}

export class Ringbuf {
  readonly rings: number;
  readonly recordBytes: number;
  readonly capacityRecords: number;
  readonly cpusPerRing: number;
  readonly prod: Float64Array;
  readonly cons: Float64Array;
  /** Time the spinlock is next free, and the CPU that held it last. */
  readonly lockFreeAt: Float64Array;
  readonly lastOwner: Int32Array;
  /** CPU that last wrote consumer_pos (the reader's CPU) — its line must come back to producers. */
  readonly consLineAt: Int32Array;
  readonly produced: Float64Array;
  readonly lost: Float64Array;
  private readonly stamps: RecordStamps;
  private readonly forceEvery: number;
  private readonly noWakeup: boolean;
  private readonly sinceForce: Float64Array;

  constructor(
    readonly cpus: number,
    readonly settings: RingbufSettings,
    sampleBytes: number,
  ) {
    this.cpusPerRing = settings.cpusPerRing ?? cpus;
    this.rings = Math.ceil(cpus / this.cpusPerRing);
    this.recordBytes = ringbufRecordBytes(sampleBytes);
    this.capacityRecords = Math.floor((settings.bytes - 1) / this.recordBytes); // rb->mask = bytes - 1
    this.prod = new Float64Array(this.rings);
    this.cons = new Float64Array(this.rings);
    this.lockFreeAt = new Float64Array(this.rings);
    this.lastOwner = new Int32Array(this.rings).fill(-1);
    this.consLineAt = new Int32Array(this.rings).fill(-1);
    this.produced = new Float64Array(this.rings);
    this.lost = new Float64Array(this.rings);
    this.stamps = new RecordStamps(this.rings, this.capacityRecords);
    this.sinceForce = new Float64Array(this.rings);
    const w = settings.wakeup;
    this.noWakeup = w !== "default";
    this.forceEvery = typeof w === "object" ? w.forceEvery : 0;
  }

  ringOf(cpu: number): number {
    return Math.floor(cpu / this.cpusPerRing);
  }

  buffered(ring: number): number {
    return this.stamps.count(ring);
  }

  /**
   * Reserves, copies and commits one record on `ring` at time `at` (the lock is already held by the
   * caller's timing). Returns -1 when the ring is full, 1 when a notification is due, 0 otherwise.
   */
  commit(ring: number, at: number): number {
    const size = this.recordBytes;
    if (this.prod[ring] + size - this.cons[ring] > this.capacityRecords * size) {
      this.lost[ring]++;
      return -1;
    }
    const recPos = this.prod[ring];
    this.prod[ring] += size;
    this.produced[ring]++;
    this.stamps.push(ring, at);
    if (this.forceEvery > 0) {
      if (++this.sinceForce[ring] >= this.forceEvery) {
        this.sinceForce[ring] = 0;
        return 1; // BPF_RB_FORCE_WAKEUP
      }
      return 0;
    }
    if (this.noWakeup) return 0;
    return this.cons[ring] === recPos ? 1 : 0; // consumer caught up with this record
  }

  /** Consumes every record of `ring`, finishing at `doneAt`. Returns the number consumed. */
  consumeAll(ring: number, doneAt: number, onRecord: (latencyNs: number) => void): number {
    const n = this.stamps.drain(ring, doneAt, onRecord);
    this.cons[ring] = this.prod[ring];
    return n;
  }
}
