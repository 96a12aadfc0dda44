/**
 * The measurement grids: which microbenchmark (BPF_PROG_TEST_RUN) and throughput (iperf3 over
 * a veth) configurations `bpfsim measure` runs. Pure data, so tests can check them and the
 * dataset records each configuration next to its result.
 */
import type { LoaderSettings } from "./loader.ts";
import { BadOptionError } from "./options.ts";

export interface MicrobenchConfig {
  id: string;
  settings: LoaderSettings;
  producers: number;
  consumer: boolean;
  repeat: number;
}

export interface ThroughputConfig {
  id: string;
  /** undefined: baseline, no program attached. */
  settings?: LoaderSettings;
  /** Agent CPU limit in CPUs (cgroup quota); undefined: unlimited. */
  cpuLimit?: number;
  /** Run the loader with --count-wakeups (perf_event_output / perf_event_wakeup / irq_work counts). */
  countWakeups?: boolean;
  /**
   * Traffic shape. "veth" (undefined): one iperf3 stream across the harness's veth pair, parser on
   * both ends. "lo-p2": iperf3 -P 2 over the loopback of the harness's namespace "a", parser on
   * that `lo`'s ingress and egress (endpoint hooks). Both runners (throughput.ts, delay.ts) take
   * their endpoints from throughput.ts `shapeEndpoints`. @defaultValue "veth"
   */
  shape?: TrafficShape;
  /**
   * The socket buffer iperf3 asks for on both ends (`iperf3 -w`, bytes; the kernel doubles it for its
   * bookkeeping), which caps the receive window: a window-limited flow. undefined: the kernel's
   * autotuning (the flow is not window-limited on the harness's veth pair).
   */
  windowBytes?: number;
}

/** The bounds `bpfsim measure --window` accepts (bytes): at least one page, at most 64 MiB. */
export const MIN_WINDOW_BYTES = 4096;
export const MAX_WINDOW_BYTES = 64 << 20;

/** The id tag of a window: 16384 -> "w16k" (KiB, rounded down; the bounds keep it at least 4). */
export function windowTag(bytes: number): string {
  return `w${Math.floor(bytes / 1024)}k`;
}

export const TRAFFIC_SHAPES = ["veth", "lo-p2"] as const;
export type TrafficShape = (typeof TRAFFIC_SHAPES)[number];

export interface GridOptions {
  /** CPUs on the machine (producers go from 1 to this). */
  nproc: number;
  /** Small grid for a fast check. @defaultValue false */
  quick?: boolean;
  /**
   * Traffic shape of the throughput and wakeup grids. "lo-p2" configurations get ids
   * `tp-lo-p2-...` / `tpw-lo-p2-...` (never the veth grid's, so both shapes can share a file) and
   * carry `shape`. Ignored by the microbenchmark grid. @defaultValue "veth"
   */
  shape?: TrafficShape;
}

/** Checks a traffic shape; returns the id prefix of its throughput configurations and the field configurations carry. */
function shapePrefix(shape: TrafficShape | undefined, base: string): { prefix: string; extra: { shape?: TrafficShape } } {
  const sh = shape ?? "veth";
  if (!(TRAFFIC_SHAPES as readonly string[]).includes(sh)) throw new BadOptionError("--shape", sh, `must be one of ${TRAFFIC_SHAPES.join(", ")}`);
  return sh === "veth" ? { prefix: base, extra: {} } : { prefix: `${base}-${sh}`, extra: { shape: sh } };
}

/** Perf ring and ringbuf sizes large enough that a test run without consumer never fills them. */
export const MICRO_PERF_PAGES = 8192; // 32 MiB per CPU, ~246k records of 136 bytes
export const MICRO_RINGBUF_BYTES = 64 << 20; // 64 MiB, ~524k records of 128 bytes
export const MICRO_WATERMARK_BYTES = 16 << 20;

export function microbenchGrid(o: GridOptions): MicrobenchConfig[] {
  if (!Number.isInteger(o.nproc) || o.nproc < 1) throw new BadOptionError("nproc", o.nproc, "must be a positive integer");
  const base = o.quick ? 20_000 : 100_000;
  // Runs at P producers share one ring buffer: keep P x repeat records within 90% of it.
  const repeatFor = (p: number) => Math.min(base, Math.floor((0.9 * MICRO_RINGBUF_BYTES) / 128 / p));
  const producers = Array.from({ length: o.nproc }, (_, i) => i + 1);
  const outputs: { tag: string; settings: LoaderSettings }[] = [
    { tag: "perf-we1", settings: { mode: "perf", perfPages: MICRO_PERF_PAGES, wakeupEvents: 1 } },
    { tag: "perf-wm", settings: { mode: "perf", perfPages: MICRO_PERF_PAGES, watermarkBytes: MICRO_WATERMARK_BYTES } },
    { tag: "ringbuf-default", settings: { mode: "ringbuf", ringbufBytes: MICRO_RINGBUF_BYTES, rbWakeup: "default" } },
    {
      tag: "ringbuf-nowakeup",
      settings: { mode: "ringbuf", ringbufBytes: MICRO_RINGBUF_BYTES, rbWakeup: { forceEvery: 4096 } },
    },
  ];
  const out: MicrobenchConfig[] = [];
  for (const p of producers) {
    const repeat = repeatFor(p);
    out.push({ id: `micro-none-p${p}`, settings: { mode: "none" }, producers: p, consumer: false, repeat });
    for (const { tag, settings } of outputs) {
      if (o.quick && tag === "ringbuf-nowakeup") continue;
      for (const consumer of [false, true]) {
        out.push({ id: `micro-${tag}-p${p}-${consumer ? "c" : "nc"}`, settings, producers: p, consumer, repeat });
      }
    }
  }
  return out;
}

/** The smallest rings the loader opens: one data page per CPU (perf), one page in all (ring buffer). */
export const LOST_PERF_PAGES = 1;
export const LOST_RINGBUF_BYTES = 4096;

/**
 * The lost-output grid (`bpfsim measure --lost`): what an output costs the producing CPU when its
 * ring is full, beside the same output stored, in one sitting. At 1..nproc producers, no consumer:
 * mode none; perf and ring buffer into rings too big to fill (`-stored`: perf with a watermark above
 * the run, so no wakeup, as micro-perf-wm); and into the smallest rings (`-full`: after ~30 records
 * every output finds its ring full; perf with wakeup_events = 1, Retina's policy, so a lost output
 * that raised a wakeup would show its irq_work). Ids `micro-lost-*`, never the calibration grid's.
 */
export function lostGrid(o: GridOptions): MicrobenchConfig[] {
  if (!Number.isInteger(o.nproc) || o.nproc < 1) throw new BadOptionError("nproc", o.nproc, "must be a positive integer");
  const repeat = o.quick ? 20_000 : 100_000;
  const outputs: { tag: string; settings: LoaderSettings }[] = [
    { tag: "none", settings: { mode: "none" } },
    { tag: "perf-stored", settings: { mode: "perf", perfPages: MICRO_PERF_PAGES, watermarkBytes: MICRO_WATERMARK_BYTES } },
    { tag: "perf-full", settings: { mode: "perf", perfPages: LOST_PERF_PAGES, wakeupEvents: 1 } },
    { tag: "ringbuf-stored", settings: { mode: "ringbuf", ringbufBytes: MICRO_RINGBUF_BYTES, rbWakeup: "default" } },
    { tag: "ringbuf-full", settings: { mode: "ringbuf", ringbufBytes: LOST_RINGBUF_BYTES, rbWakeup: "default" } },
  ];
  const out: MicrobenchConfig[] = [];
  for (let p = 1; p <= o.nproc; p++) {
    // P producers share one stored ring buffer: keep P x repeat records within 90% of it
    const r = Math.min(repeat, Math.floor((0.9 * MICRO_RINGBUF_BYTES) / 128 / p));
    for (const { tag, settings } of outputs) out.push({ id: `micro-lost-${tag}-p${p}`, settings, producers: p, consumer: false, repeat: r });
  }
  return out;
}

export function throughputGrid(o: GridOptions): ThroughputConfig[] {
  if (!Number.isInteger(o.nproc) || o.nproc < 1) throw new BadOptionError("nproc", o.nproc, "must be a positive integer");
  const { prefix: p, extra } = shapePrefix(o.shape, "tp");
  const pinCpu = o.nproc - 1;
  const c = (tag: string, settings?: LoaderSettings, cpuLimit?: number): ThroughputConfig => ({
    id: `${p}-${tag}`,
    ...(settings ? { settings } : {}),
    ...(cpuLimit !== undefined ? { cpuLimit } : {}),
    ...extra,
  });
  const base: ThroughputConfig[] = [
    c("baseline"),
    c("none", { mode: "none" }),
    c("perf", { mode: "perf", perfPages: 64, wakeupEvents: 1 }),
    c("ringbuf", { mode: "ringbuf", ringbufBytes: 8 << 20 }),
  ];
  if (o.quick) return base;
  return [
    ...base,
    c("perf-pinned", { mode: "perf", perfPages: 64, wakeupEvents: 1, readerCpu: pinCpu }),
    c("perf-limit025", { mode: "perf", perfPages: 64, wakeupEvents: 1 }, 0.25),
    c("perf-pages8", { mode: "perf", perfPages: 8, wakeupEvents: 1 }),
    c("perf-wm128k", { mode: "perf", perfPages: 64, watermarkBytes: 128 << 10 }),
    c("perf-sample10", { mode: "perf", perfPages: 64, wakeupEvents: 1, sample: 10 }),
    c("ringbuf-pinned", { mode: "ringbuf", ringbufBytes: 8 << 20, readerCpu: pinCpu }),
    c("ringbuf-limit025", { mode: "ringbuf", ringbufBytes: 8 << 20 }, 0.25),
    c("ringbuf-nowakeup256", { mode: "ringbuf", ringbufBytes: 8 << 20, rbWakeup: { forceEvery: 256 } }),
    c("ringbuf-sample10", { mode: "ringbuf", ringbufBytes: 8 << 20, sample: 10 }),
  ];
}

/** The id tag of a CPU limit: 0.25 -> "limit025", 1 -> "limit100", 0.1 -> "limit010". */
export function limitTag(limit: number): string {
  return `limit${String(Math.round(limit * 100)).padStart(3, "0")}`;
}

/**
 * The CPU-limit sweep (`bpfsim measure --limits 0.1,0.25,...`): the baseline, the default perf array
 * and ring buffer unlimited, then each at every CPU limit given (cgroup quota, 100 ms period), ids
 * `tp-perf-limitNNN` / `tp-ringbuf-limitNNN` (the throughput grid's, so 0.25 is its limit025). What a
 * CPU-limited reader loses, and what that does to the node's throughput, as a curve over the limit.
 */
export function limitGrid(limits: readonly number[], shape?: TrafficShape): ThroughputConfig[] {
  if (limits.length === 0) throw new BadOptionError("--limits", "", "must list at least one CPU limit");
  const seen = new Set<string>();
  for (const l of limits) {
    if (!(Number.isFinite(l) && l >= 0.01 && l <= 64)) throw new BadOptionError("--limits", String(l), "each limit must be a number of CPUs in [0.01, 64]");
    const tag = limitTag(l);
    if (seen.has(tag)) throw new BadOptionError("--limits", String(l), `repeats limit ${tag} (limits are kept to hundredths of a CPU)`);
    seen.add(tag);
  }
  const { prefix: p, extra } = shapePrefix(shape, "tp");
  const perf: LoaderSettings = { mode: "perf", perfPages: 64, wakeupEvents: 1 };
  const ringbuf: LoaderSettings = { mode: "ringbuf", ringbufBytes: 8 << 20 };
  const out: ThroughputConfig[] = [{ id: `${p}-baseline`, ...extra }];
  for (const [tag, settings] of [
    ["perf", perf],
    ["ringbuf", ringbuf],
  ] as const) {
    out.push({ id: `${p}-${tag}`, settings, ...extra });
    for (const l of limits) out.push({ id: `${p}-${tag}-${limitTag(l)}`, settings, cpuLimit: l, ...extra });
  }
  return out;
}

/**
 * The wakeup-counting grid (`bpfsim measure --wakeups`): the perf configurations of the throughput
 * grid, plus mode none (background irq_work of other users) and the default ring buffer, all with
 * the loader's --count-wakeups. Ids start with `tpw-` so they never collide with the throughput
 * grid's run ids; `tpw-perf` is the tp-perf-like configuration the calibration fits.
 */
export function wakeupGrid(shape?: TrafficShape): ThroughputConfig[] {
  const { prefix: p, extra } = shapePrefix(shape, "tpw");
  const c = (tag: string, settings: LoaderSettings): ThroughputConfig => ({ id: `${p}-${tag}`, settings, countWakeups: true, ...extra });
  return [
    c("none", { mode: "none" }),
    c("perf", { mode: "perf", perfPages: 64, wakeupEvents: 1 }),
    c("perf-sample10", { mode: "perf", perfPages: 64, wakeupEvents: 1, sample: 10 }),
    c("perf-pages8", { mode: "perf", perfPages: 8, wakeupEvents: 1 }),
    c("perf-wm128k", { mode: "perf", perfPages: 64, watermarkBytes: 128 << 10 }),
    c("ringbuf", { mode: "ringbuf", ringbufBytes: 8 << 20 }),
  ];
}

/**
 * The order runs happen in: repetition-major (every configuration once, then again), so slow
 * drifts of a shared machine spread over all configurations instead of biasing one.
 */
export function schedule<T extends { id: string }>(configs: T[], reps: number): { config: T; rep: number }[] {
  if (!Number.isInteger(reps) || reps < 1) throw new BadOptionError("--reps", reps, "must be a positive integer");
  const out: { config: T; rep: number }[] = [];
  for (let rep = 0; rep < reps; rep++) for (const config of configs) out.push({ config, rep });
  return out;
}

/** Output modes of the injected-delay grid: the agent's output off (none) and on (perf, ringbuf). */
export const DELAY_MODES = ["none", "perf", "ringbuf"] as const;
export type DelayMode = (typeof DELAY_MODES)[number];
/** Injected ns per program run of the injected-delay grid (0 is each mode's reference). */
export const DELAY_BURNS_NS = [0, 250, 500, 1000, 2000, 4000, 8000, 16000] as const;
/** The loader's bound on --burn-ns. */
export const MAX_BURN_NS = 1_000_000;

export interface DelayGridOptions {
  /** @defaultValue DELAY_MODES */
  modes?: readonly DelayMode[];
  /** @defaultValue DELAY_BURNS_NS */
  burnsNs?: readonly number[];
  /** Add a no-program baseline (`tpd-baseline`). @defaultValue true */
  baseline?: boolean;
  /** Traffic shape; "lo-p2" configurations get ids `tpd-lo-p2-...`. @defaultValue "veth" */
  shape?: TrafficShape;
  /**
   * iperf3 `-w` (bytes, ThroughputConfig.windowBytes) on every run: a window-limited flow; ids
   * `tpd-w<KiB>k-...` (after the shape's prefix). @defaultValue the kernel's autotuning
   */
  windowBytes?: number;
}

/**
 * The injected-delay grid (`bpfsim measure --delay`): iperf3 throughput with every program run
 * spinning `burnNs` first (loader --burn-ns), for each output mode, plus a no-program baseline.
 * Ids `tpd-<mode>-b<ns>`; the perf and ringbuf settings are those of tp-perf and tp-ringbuf.
 */
export function delayGrid(o: DelayGridOptions = {}): ThroughputConfig[] {
  const modes = o.modes ?? DELAY_MODES;
  const burns = o.burnsNs ?? DELAY_BURNS_NS;
  if (modes.length === 0) throw new BadOptionError("--delay-modes", modes, "must name at least one mode");
  for (const m of modes) {
    if (!(DELAY_MODES as readonly string[]).includes(m)) throw new BadOptionError("--delay-modes", m, `must be one of ${DELAY_MODES.join(", ")}`);
  }
  if (new Set(modes).size !== modes.length) throw new BadOptionError("--delay-modes", modes.join(","), "names a mode twice");
  if (burns.length === 0) throw new BadOptionError("--burns", burns, "must list at least one value");
  for (const b of burns) {
    if (!Number.isInteger(b) || b < 0 || b > MAX_BURN_NS) throw new BadOptionError("--burns", b, `must be an integer in [0, ${MAX_BURN_NS}] ns`);
  }
  if (new Set(burns).size !== burns.length) throw new BadOptionError("--burns", burns.join(","), "lists a value twice");
  const base: Record<DelayMode, LoaderSettings> = {
    none: { mode: "none" },
    perf: { mode: "perf", perfPages: 64, wakeupEvents: 1 },
    ringbuf: { mode: "ringbuf", ringbufBytes: 8 << 20 },
  };
  const w = o.windowBytes;
  if (w !== undefined && !(Number.isInteger(w) && w >= MIN_WINDOW_BYTES && w <= MAX_WINDOW_BYTES)) {
    throw new BadOptionError("--window", w, `must be an integer number of bytes in [${MIN_WINDOW_BYTES}, ${MAX_WINDOW_BYTES}]`);
  }
  const shaped = shapePrefix(o.shape, "tpd");
  const prefix = w === undefined ? shaped.prefix : `${shaped.prefix}-${windowTag(w)}`;
  const extra: { shape?: TrafficShape; windowBytes?: number } = w === undefined ? shaped.extra : { ...shaped.extra, windowBytes: w };
  const out: ThroughputConfig[] = o.baseline === false ? [] : [{ id: `${prefix}-baseline`, ...extra }];
  for (const m of modes) for (const b of burns) out.push({ id: `${prefix}-${m}-b${b}`, settings: { ...base[m], burnNs: b }, ...extra });
  return out;
}

/** mulberry32: a small seeded PRNG, so a shuffled schedule can be replayed from its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Like schedule (repetition-major), but each round runs the configurations in a fresh seeded
 * random order, so neither a drift within a round nor a fixed neighbour (e.g. the run after a
 * 16 us burn) lines up with one configuration.
 */
export function shuffledSchedule<T extends { id: string }>(configs: T[], reps: number, seed: number): { config: T; rep: number }[] {
  if (!Number.isInteger(reps) || reps < 1) throw new BadOptionError("--reps", reps, "must be a positive integer");
  if (!Number.isInteger(seed)) throw new BadOptionError("--seed", seed, "must be an integer");
  const rnd = mulberry32(seed);
  const out: { config: T; rep: number }[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const order = configs.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const config of order) out.push({ config, rep });
  }
  return out;
}
