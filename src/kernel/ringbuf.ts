/**
 * BPF ring buffer (BPF_MAP_TYPE_RINGBUF)
 * ======================================
 *
 * One ring shared by many CPUs (MPSC), one consumer. Source: Documentation/bpf/ringbuf.rst and
 * kernel/bpf/ringbuf.c (`__bpf_ringbuf_reserve`, `bpf_ringbuf_commit`, `bpf_ringbuf_notify`) as of
 * Linux 6.18; where the code changed in between, the version and function are named below.
 *
 * Records
 * -------
 * A record is an 8-byte header (`len` with BUSY/DISCARD bits, `pg_off`) plus the sample, rounded up
 * to 8 bytes: a 120-byte sample takes 128 bytes, the selftest's 8-byte sample 16 (four to a line).
 * The producer may run at most `mask = bytes - 1` ahead of the consumer, so a ring holds
 * floor((bytes - 1) / record) records; a reservation that does not fit fails and the record is lost.
 *
 * Reservation (`__bpf_ringbuf_reserve`), line by line, with the cache lines each step touches
 * ---------------------------------------------------------------------------------------------
 * 1. `cons_pos = smp_load_acquire(&rb->consumer_pos)`: the consumer page's line, last written by the
 *    reader (libbpf and cilium/ebpf store it after every record). Before the lock: it delays this
 *    producer but not the lock holder (`consLineAt` marks the line as the reader's; the node layer,
 *    src/node/agent-buffer.ts, charges its transfer to the producer).
 * 2. `raw_spin_lock_irqsave(&rb->spinlock)`: the lock word, alone on its line. Uncontended: one
 *    transfer from the last owner. Contended, a qspinlock (MCS queue, kernel/locking/qspinlock.c):
 *    the first waiter takes the pending path and spins on the lock word (the release moves the line
 *    back to it once); later waiters queue (xchg_tail on the same word, which steals the line once
 *    more per handoff), and the new owner writes the next waiter's MCS node. The counts per path are
 *    data: models/benchmarks/ringbuf-reservation.json.
 * 3. Under the lock, `pending_pos` and `producer_pos` (one line since the 2024 overrun fix) are read
 *    and written: one transfer from the previous reservation's CPU. The pending loop reads the
 *    previous record's header, which its producer wrote at reservation and at commit: one more. The
 *    new header is written on that same line when records are shorter than a line.
 *    The pending loop came with cfa1a2329a69 "bpf: Fix overrunning reservations in ringbuf"
 *    (v6.10-rc5, June 2024; backported to the 5.10, 5.15, 6.1 and 6.6 stable series in July 2024).
 *    Before it the reservation read only `producer_pos`, and the previous record's header line was
 *    touched only by writing the new header into it: in the share of reservations whose header shares
 *    a line with the previous record's, 1 - record / line bytes (3/4 for the selftest's 16-byte
 *    records, none for a record of a line or more). `pendingLoop` chooses the era.
 * 4. `smp_store_release(&rb->producer_pos)`, unlock: lines already held.
 * Commit (`bpf_ringbuf_commit`) is lockless: xchg of the own header, then a load of consumer_pos to
 * decide on a notification. With BPF_RB_FORCE_WAKEUP always, with BPF_RB_NO_WAKEUP never, by default
 * only when the consumer has caught up with this very record (`cons_pos == rec_pos`). The wakeup
 * goes through the ring's irq_work (`rb->work` -> `bpf_ringbuf_notify` -> `wake_up_all`).
 *
 * Which lock
 * ----------
 * From v5.8 to v6.14 a spinlock (`spinlock_t`, later `raw_spinlock_t`: a qspinlock on x86 and
 * arm64), with a trylock in NMI. From v6.15, a650d38915c1 "bpf: Convert ringbuf map to rqspinlock"
 * (K. Dwivedi, April 2025): an `rqspinlock_t`, the same MCS queue plus per-CPU held-lock bookkeeping,
 * deadlock checks and a timeout that makes the reservation fail instead of spinning forever. A patch
 * to go back ("bpf: Drop rqspinlock usage in ringbuf", 21 August 2025, after lock-ups of NMI
 * producers) was posted, but bpf-next still had `rqspinlock_t spinlock` in struct bpf_ringbuf when
 * the overwrite-mode series was posted against it (v2 5 September, v3 18 October 2025: their diff
 * context), so v6.18 reserves under the rqspinlock. On the 6.18 harness host this is consistent with
 * kallsyms listing `resilient_queued_spin_lock_slowpath` (BPF's res_spin_lock helpers use it too,
 * and the host exposes neither /proc/kcore nor a writable tracefs to see what `__bpf_ringbuf_reserve`
 * calls). Both kinds move the same lines; the rqspinlock's extra local work is
 * `rqspinlockExtraHoldNs` (0: table T4 shows no difference beyond noise).
 *
 * Order of the queue
 * ------------------
 * The lock is granted in the order `RingbufLock.reserve` is called for a ring (the order the node
 * model's events call `emit`), each caller after the previous grant's hold. Which CPU precedes which
 * in a real MCS queue is settled by nanosecond races on xchg_tail that the model does not resolve;
 * with identical producers the event order would be a fixed cycle (CPU 1, 2, ..., N, 1, ...) that
 * crosses a cache-domain boundary only twice per round. So a contended grant charges each moved line
 * the mean transfer from the other CPUs that have contended for this ring (the queue order taken as
 * random); an uncontended one charges the transfer from the actual last owner. For the same reason
 * the path is taken from how many CPUs contend rather than from the event order (identical producers
 * fall into a lockstep where each arrives just as the previous waiter takes the lock): a contended
 * grant is "pending" while at most two CPUs have contended for the ring and "queued" (MCS) from the
 * third on, or whenever a grant is still waiting ahead. The tally of contenders never decays: a ring
 * that saw three CPUs contend charges later contended grants the queued path.
 *
 * Left out
 * --------
 * The extra coherence round when a line read shared must be upgraded for a write; queuing at the
 * home agent when many CPUs hit one line (transfer times are the idle ping-pong figures); a busy
 * record holding the consumer back (the model commits right after the copy); overwrite mode
 * (BPF_F_RB_OVERWRITE, 2025); NMI producers; SMT siblings sharing a core's caches.
 * Optionally several rings, one per group of `cpusPerRing` CPUs (Falco's sharding).
 */
import { SpinLock } from "../engine/index.ts";
import type { RingbufSettings } from "../models/types.ts";
import { RecordStamps } from "../accounting/record-stamps.ts";
import type { Topology } from "../hardware/topology.ts";

/** Bytes one sample of `sampleBytes` takes in a BPF ring buffer (BPF_RINGBUF_HDR_SZ = 8). */
export function ringbufRecordBytes(sampleBytes: number): number {
  return Math.ceil((8 + sampleBytes) / 8) * 8;
}

/** The lock `rb->spinlock` is: qspinlock before v6.15, rqspinlock from v6.15 (see the header comment). */
export type RingbufLockKind = "qspinlock" | "rqspinlock";

/** Cache-line transfers on the lock's critical path, per step (models/benchmarks/ringbuf-reservation.json). */
export interface ReservationLines {
  cacheLineBytes: number;
  lines: {
    lockWordUncontended: number;
    lockWordPending: number;
    lockWordQueued: number;
    mcsNodeQueued: number;
    producerPos: number;
    previousHeader: number;
  };
  rqspinlockExtraHoldNs: number;
}

/** Checks a reservation line count file, naming the field and value of the first bad entry. */
export function checkReservationLines(o: unknown, label: string): ReservationLines {
  const bad = (field: string, v: unknown, why: string): never => {
    throw new RangeError(`${label}: ${field} = ${JSON.stringify(v)}: ${why}`);
  };
  const r = o as Partial<ReservationLines> | null;
  if (r === null || typeof r !== "object") bad("(file)", o, "must be an object");
  const num = (field: string, v: unknown) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) bad(field, v, "must be a finite number >= 0");
  };
  num("cacheLineBytes", r!.cacheLineBytes);
  if (!(r!.cacheLineBytes! > 0)) bad("cacheLineBytes", r!.cacheLineBytes, "must be > 0");
  num("rqspinlockExtraHoldNs", r!.rqspinlockExtraHoldNs);
  if (r!.lines === null || typeof r!.lines !== "object") bad("lines", r!.lines, "must be an object");
  for (const k of ["lockWordUncontended", "lockWordPending", "lockWordQueued", "mcsNodeQueued", "producerPos", "previousHeader"] as const) {
    num(`lines.${k}`, (r!.lines as Record<string, unknown>)[k]);
  }
  return r as ReservationLines;
}

/**
 * Transfers of the previous record's header line per reservation: `previousHeader` with the pending
 * loop; before it, only when the new header lands on that line (1 - record / line bytes of the time).
 */
export function headerLineTransfers(lines: ReservationLines, recordBytes: number, pendingLoop: boolean): number {
  if (pendingLoop) return lines.lines.previousHeader;
  return recordBytes < lines.cacheLineBytes ? lines.lines.previousHeader * (1 - recordBytes / lines.cacheLineBytes) : 0;
}

/** Lines moved inside the critical section on `path` (lock word, MCS node, producer_pos, previous header). */
export function reservationLinesOnPath(lines: ReservationLines, path: 0 | 1 | 2, recordBytes: number, pendingLoop: boolean): number {
  const l = lines.lines;
  const lock = path === 0 ? l.lockWordUncontended : path === 1 ? l.lockWordPending : l.lockWordQueued + l.mcsNodeQueued;
  return lock + l.producerPos + headerLineTransfers(lines, recordBytes, pendingLoop);
}

/** What one reservation cost: filled in by `RingbufLock.reserve` (one object reused per lock). */
export interface LockGrant {
  /** When the lock was taken (>= the arrival time). */
  acquireAt: number;
  /** ns spent waiting for the lock. */
  spinNs: number;
  /** ns the lock is held: the local critical section plus the line transfers inside it. */
  holdNs: number;
  /** Of `holdNs`, the line transfers, and of those the ones that crossed a NUMA node. */
  transferNs: number;
  remoteTransferNs: number;
  /** "uncontended", "pending" (the only waiter) or "queued" (behind another waiter). */
  path: 0 | 1 | 2;
}

export const LOCK_PATH = { uncontended: 0, pending: 1, queued: 2 } as const;

/**
 * `rb->spinlock` of each ring: an engine SpinLock (when it is next free, how many claims wait ahead
 * of a new one, spin statistics), plus what the lines model needs: who held it last, which CPUs have
 * contended for it, and what each reservation moves. Time is the caller's (ns); the lock is granted
 * in the order `reserve` is called.
 */
export class RingbufLock {
  /** Each ring's lock, on the engine's timeline of when it is next free. */
  readonly locks: SpinLock[];
  /** The CPU that held each ring's lock last (-1: never): where its lines are. */
  readonly lastOwner: Int32Array;
  private readonly holdLocalNs: number;
  private readonly sharesHeaderLine: boolean;
  private readonly recordBytes: number;
  /** CPUs that have waited for each ring's lock, tallied by LLC and NUMA node. */
  private readonly contended: Uint8Array;
  private readonly nContenders: Int32Array;
  private readonly byLlc: Int32Array;
  private readonly byNode: Int32Array;
  private readonly llcs: number;
  private readonly nodes: number;
  private readonly grant: LockGrant = { acquireAt: 0, spinNs: 0, holdNs: 0, transferNs: 0, remoteTransferNs: 0, path: 0 };

  constructor(
    readonly rings: number,
    private readonly topo: Topology,
    private readonly lines: ReservationLines,
    /** Local (cache-hot) ns of the critical section: the calibration's ringbufLockHoldNs. */
    holdNs: number,
    readonly kind: RingbufLockKind,
    recordBytes: number,
    /** Whether the kernel has the pending loop (v6.10 and the July 2024 stable backports; true) or not. */
    readonly pendingLoop = true,
  ) {
    this.holdLocalNs = holdNs + (kind === "rqspinlock" ? lines.rqspinlockExtraHoldNs : 0);
    this.sharesHeaderLine = recordBytes < lines.cacheLineBytes;
    this.recordBytes = recordBytes;
    this.locks = Array.from({ length: rings }, () => new SpinLock());
    this.lastOwner = new Int32Array(rings).fill(-1);
    const cpus = topo.cpus;
    let llcs = 0;
    let nodes = 0;
    for (let c = 0; c < cpus; c++) {
      llcs = Math.max(llcs, topo.llcOf(c) + 1);
      nodes = Math.max(nodes, topo.numaNodeOf(c) + 1);
    }
    this.llcs = llcs;
    this.nodes = nodes;
    this.contended = new Uint8Array(rings * cpus);
    this.nContenders = new Int32Array(rings);
    this.byLlc = new Int32Array(rings * llcs);
    this.byNode = new Int32Array(rings * nodes);
  }

  /** Whether a record of this size shares its header's line with the previous record's header. */
  get recordsShareLines(): boolean {
    return this.sharesHeaderLine;
  }

  /** Lines moved inside the critical section on `path` (lock word, MCS node, producer_pos, previous header). */
  linesOnPath(path: 0 | 1 | 2): number {
    return reservationLinesOnPath(this.lines, path, this.recordBytes, this.pendingLoop);
  }

  /** Mean transfer ns to `cpu` from the other CPUs that have contended for `ring`, and the remote share of it. */
  private meanFromContenders(ring: number, cpu: number): { ns: number; remote: number } {
    const t = this.topo.hw.cacheLineTransferNs;
    const self = this.contended[ring * this.topo.cpus + cpu];
    const n = this.nContenders[ring] - self;
    if (n <= 0) return { ns: 0, remote: 0 };
    const sameLlc = this.byLlc[ring * this.llcs + this.topo.llcOf(cpu)] - self;
    const sameNode = this.byNode[ring * this.nodes + this.topo.numaNodeOf(cpu)] - self - sameLlc;
    const other = n - sameLlc - sameNode;
    return { ns: (sameLlc * t.sameLlc + sameNode * t.crossLlc + other * t.crossNuma) / n, remote: (other * t.crossNuma) / n };
  }

  private markContender(ring: number, cpu: number): void {
    const k = ring * this.topo.cpus + cpu;
    if (this.contended[k] === 1) return;
    this.contended[k] = 1;
    this.nContenders[ring]++;
    this.byLlc[ring * this.llcs + this.topo.llcOf(cpu)]++;
    this.byNode[ring * this.nodes + this.topo.numaNodeOf(cpu)]++;
  }

  /**
   * `cpu` arrives at `at` to reserve on `ring`: queues behind the grants not yet taken, takes the
   * lock when it is free, and holds it for the local critical section plus the lines it moves.
   * Returns the grant (one object reused per lock: copy what you keep).
   */
  reserve(ring: number, cpu: number, at: number): LockGrant {
    const lock = this.locks[ring];
    const g = this.grant;
    const prev = this.lastOwner[ring];
    g.acquireAt = lock.acquire(at);
    g.spinNs = g.acquireAt - at;
    if (g.acquireAt === at) {
      // free at `at` (it was free by then, or released exactly then): nobody spins
      g.path = LOCK_PATH.uncontended;
      const t = prev < 0 || prev === cpu ? 0 : this.topo.transferNs(prev, cpu);
      g.transferNs = this.linesOnPath(0) * t;
      g.remoteTransferNs = prev >= 0 && this.topo.isRemote(prev, cpu) ? g.transferNs : 0;
    } else {
      this.markContender(ring, cpu);
      if (prev >= 0 && prev !== cpu) this.markContender(ring, prev);
      // queued (MCS) once a third CPU contends: behind the holder and the pending waiter, or found waiting
      g.path = lock.ahead > 0 || this.nContenders[ring] >= 3 ? LOCK_PATH.queued : LOCK_PATH.pending;
      const m = this.meanFromContenders(ring, cpu);
      const lines = this.linesOnPath(g.path);
      g.transferNs = lines * m.ns;
      g.remoteTransferNs = lines * m.remote;
    }
    g.holdNs = this.holdLocalNs + g.transferNs;
    lock.release(g.acquireAt + g.holdNs);
    this.lastOwner[ring] = cpu;
    return g;
  }
}

export interface RingbufOptions {
  /**
   * The selftest's sampled mode: output with BPF_RB_FORCE_WAKEUP when at least this many records are
   * available before this one (bpf_ringbuf_query(BPF_RB_AVAIL_DATA) >= wakeup_data_size), else with
   * BPF_RB_NO_WAKEUP. Overrides `settings.wakeup`.
   */
  forceWhenAvailRecords?: number;
}

export class Ringbuf {
  readonly rings: number;
  readonly recordBytes: number;
  readonly capacityRecords: number;
  readonly cpusPerRing: number;
  readonly prod: Float64Array;
  readonly cons: Float64Array;
  /** CPU that last wrote consumer_pos (the reader's CPU) since a producer last read it, or -1. */
  readonly consLineAt: Int32Array;
  readonly produced: Float64Array;
  readonly lost: Float64Array;
  private readonly stamps: RecordStamps;
  private readonly forceEvery: number;
  private readonly forceWhenAvail: number;
  private readonly noWakeup: boolean;
  private readonly sinceForce: Float64Array;

  constructor(
    readonly cpus: number,
    readonly settings: RingbufSettings,
    sampleBytes: number,
    options: RingbufOptions = {},
  ) {
    this.cpusPerRing = settings.cpusPerRing ?? cpus;
    this.rings = Math.ceil(cpus / this.cpusPerRing);
    this.recordBytes = ringbufRecordBytes(sampleBytes);
    this.capacityRecords = Math.floor((settings.bytes - 1) / this.recordBytes); // rb->mask = bytes - 1
    this.prod = new Float64Array(this.rings);
    this.cons = new Float64Array(this.rings);
    this.consLineAt = new Int32Array(this.rings).fill(-1);
    this.produced = new Float64Array(this.rings);
    this.lost = new Float64Array(this.rings);
    this.stamps = new RecordStamps(this.rings, this.capacityRecords);
    this.sinceForce = new Float64Array(this.rings);
    const w = settings.wakeup;
    this.noWakeup = w !== "default";
    this.forceEvery = typeof w === "object" ? w.forceEvery : 0;
    this.forceWhenAvail = options.forceWhenAvailRecords ?? 0;
  }

  ringOf(cpu: number): number {
    return Math.floor(cpu / this.cpusPerRing);
  }

  buffered(ring: number): number {
    return this.stamps.count(ring);
  }

  /**
   * Reserves, copies and commits one record on `ring` at time `at` (the lock is the caller's, see
   * RingbufLock). Returns -1 when the ring is full, 1 when a notification is due, 0 otherwise.
   */
  commit(ring: number, at: number): number {
    const size = this.recordBytes;
    const availBefore = this.stamps.count(ring);
    if (this.prod[ring] + size - this.cons[ring] > this.capacityRecords * size) {
      this.lost[ring]++;
      return -1;
    }
    const recPos = this.prod[ring];
    this.prod[ring] += size;
    this.produced[ring]++;
    this.stamps.push(ring, at);
    if (this.forceWhenAvail > 0) return availBefore >= this.forceWhenAvail ? 1 : 0;
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
