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
}

export interface GridOptions {
  /** CPUs on the machine (producers go from 1 to this). */
  nproc: number;
  /** Small grid for a fast check. @defaultValue false */
  quick?: boolean;
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

export function throughputGrid(o: GridOptions): ThroughputConfig[] {
  if (!Number.isInteger(o.nproc) || o.nproc < 1) throw new BadOptionError("nproc", o.nproc, "must be a positive integer");
  const pinCpu = o.nproc - 1;
  const base: ThroughputConfig[] = [
    { id: "tp-baseline" },
    { id: "tp-none", settings: { mode: "none" } },
    { id: "tp-perf", settings: { mode: "perf", perfPages: 64, wakeupEvents: 1 } },
    { id: "tp-ringbuf", settings: { mode: "ringbuf", ringbufBytes: 8 << 20 } },
  ];
  if (o.quick) return base;
  return [
    ...base,
    { id: "tp-perf-pinned", settings: { mode: "perf", perfPages: 64, wakeupEvents: 1, readerCpu: pinCpu } },
    { id: "tp-perf-limit025", settings: { mode: "perf", perfPages: 64, wakeupEvents: 1 }, cpuLimit: 0.25 },
    { id: "tp-perf-pages8", settings: { mode: "perf", perfPages: 8, wakeupEvents: 1 } },
    { id: "tp-perf-wm128k", settings: { mode: "perf", perfPages: 64, watermarkBytes: 128 << 10 } },
    { id: "tp-perf-sample10", settings: { mode: "perf", perfPages: 64, wakeupEvents: 1, sample: 10 } },
    { id: "tp-ringbuf-pinned", settings: { mode: "ringbuf", ringbufBytes: 8 << 20, readerCpu: pinCpu } },
    { id: "tp-ringbuf-limit025", settings: { mode: "ringbuf", ringbufBytes: 8 << 20 }, cpuLimit: 0.25 },
    { id: "tp-ringbuf-nowakeup256", settings: { mode: "ringbuf", ringbufBytes: 8 << 20, rbWakeup: { forceEvery: 256 } } },
    { id: "tp-ringbuf-sample10", settings: { mode: "ringbuf", ringbufBytes: 8 << 20, sample: 10 } },
  ];
}

/**
 * The wakeup-counting grid (`bpfsim measure --wakeups`): the perf configurations of the throughput
 * grid, plus mode none (background irq_work of other users) and the default ring buffer, all with
 * the loader's --count-wakeups. Ids start with `tpw-` so they never collide with the throughput
 * grid's run ids; `tpw-perf` is the tp-perf-like configuration the calibration fits.
 */
export function wakeupGrid(): ThroughputConfig[] {
  const c = (id: string, settings: LoaderSettings): ThroughputConfig => ({ id, settings, countWakeups: true });
  return [
    c("tpw-none", { mode: "none" }),
    c("tpw-perf", { mode: "perf", perfPages: 64, wakeupEvents: 1 }),
    c("tpw-perf-sample10", { mode: "perf", perfPages: 64, wakeupEvents: 1, sample: 10 }),
    c("tpw-perf-pages8", { mode: "perf", perfPages: 8, wakeupEvents: 1 }),
    c("tpw-perf-wm128k", { mode: "perf", perfPages: 64, watermarkBytes: 128 << 10 }),
    c("tpw-ringbuf", { mode: "ringbuf", ringbufBytes: 8 << 20 }),
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
