/**
 * Drives bpf/build/bpfsim-loader: builds it (`make -C bpf`), turns a typed configuration into
 * its flags, runs it (live, attached to interfaces, or --test-run), and parses the one JSON
 * object it prints. The flag semantics are the loader's (see `bpfsim-loader --help`).
 */
import { existsSync } from "node:fs";
import { PACKAGE_ROOT } from "../models/paths.ts";
import { run, start, type Started } from "./exec.ts";

/** The package root (models/paths.ts PACKAGE_ROOT, the one place it is found) with a trailing slash. */
export const REPO_ROOT = `${PACKAGE_ROOT}/`;
export const LOADER_PATH = `${REPO_ROOT}bpf/build/bpfsim-loader`;
export const PKTSEND_PATH = `${REPO_ROOT}bpf/build/pktsend`;

export type OutputMode = "none" | "perf" | "ringbuf";

/** Loader settings; `undefined` means the loader's default (in brackets). */
export interface LoaderSettings {
  mode: OutputMode;
  /** Perf data pages per CPU [64]. */
  perfPages?: number;
  /** perf wakeup_events [1]; exclusive with watermarkBytes. */
  wakeupEvents?: number;
  /** perf wakeup_watermark in bytes; exclusive with wakeupEvents. */
  watermarkBytes?: number;
  /** Ring buffer bytes [8 MiB]. */
  ringbufBytes?: number;
  /** "default" or { forceEvery: N } (BPF_RB_NO_WAKEUP + FORCE every N) ["default"]. */
  rbWakeup?: "default" | { forceEvery: number };
  /** Emit 1 record in N [1]. */
  sample?: number;
  /** Pin the reader to this CPU [not pinned]. */
  readerCpu?: number;
  /** Injected delay: ns every program run spins before parsing, any mode (0..1000000) [0]. */
  burnNs?: number;
}

export function loaderFlags(s: LoaderSettings): string[] {
  if (s.wakeupEvents !== undefined && s.watermarkBytes !== undefined) {
    throw new Error("wakeupEvents and watermarkBytes are exclusive");
  }
  const f = ["--mode", s.mode];
  if (s.perfPages !== undefined) f.push("--perf-pages", String(s.perfPages));
  if (s.wakeupEvents !== undefined) f.push("--wakeup-events", String(s.wakeupEvents));
  if (s.watermarkBytes !== undefined) f.push("--watermark", String(s.watermarkBytes));
  if (s.ringbufBytes !== undefined) f.push("--ringbuf-bytes", String(s.ringbufBytes));
  if (s.rbWakeup !== undefined) {
    f.push("--rb-wakeup", s.rbWakeup === "default" ? "default" : `nowakeup:${s.rbWakeup.forceEvery}`);
  }
  if (s.sample !== undefined) f.push("--sample", String(s.sample));
  if (s.readerCpu !== undefined) f.push("--reader-cpu", String(s.readerCpu));
  if (s.burnNs !== undefined) f.push("--burn-ns", String(s.burnNs));
  return f;
}

/** Builds the parser and loader; throws with make's output on failure. */
export async function buildBpf(): Promise<void> {
  const r = await run("make", ["-C", `${REPO_ROOT}bpf`], { timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`make -C bpf failed:\n${r.stdout}\n${r.stderr}`);
  if (!existsSync(LOADER_PATH)) throw new Error(`make -C bpf did not produce ${LOADER_PATH}`);
}

/** The loader's JSON (fields as printed; see loader.c print_settings and run_live/run_test). */
export type LoaderReport = Record<string, unknown> & { records: number; emitted: number; failed: number } & Partial<WakeupCounts>;

/**
 * What `--count-wakeups` adds to the loader's JSON: system-wide counts over the run (null where the
 * kernel would not let it count: fentry programs refused, see count_wakeups_error).
 */
export interface WakeupCounts {
  count_wakeups_method: "fentry+raw_tp" | "raw_tp" | "none";
  perf_event_output_calls: number | null;
  perf_event_wakeup_calls: number | null;
  perf_pending_irq_calls: number | null;
  bpf_ringbuf_notify_calls: number | null;
  /** irq_vectors:irq_work_entry: irq_work self-IPIs (each runs every irq_work pending on its CPU). */
  irq_work_ipis: number | null;
  count_wakeups_error?: string;
}

/**
 * The irq_work coalescing ratio of one run, wakeups per output call: perf_event_wakeup /
 * perf_event_output when fentry counted them; otherwise irq_work IPIs / the parser's output calls
 * (emitted + failed), less `backgroundIpis` (irq_work IPIs of other users over the same time,
 * e.g. from mode-none runs). undefined when the run has neither.
 */
export function wakeupRatio(
  l: LoaderReport,
  backgroundIpis = 0,
): { ratio: number; outputs: number; wakeups: number; method: "fentry" | "irq_work_ipi" } | undefined {
  if (typeof l.perf_event_output_calls === "number" && typeof l.perf_event_wakeup_calls === "number" && l.perf_event_output_calls > 0) {
    return {
      ratio: l.perf_event_wakeup_calls / l.perf_event_output_calls,
      outputs: l.perf_event_output_calls,
      wakeups: l.perf_event_wakeup_calls,
      method: "fentry",
    };
  }
  const outputs = Number(l.emitted) + Number(l.failed);
  if (typeof l.irq_work_ipis === "number" && outputs > 0) {
    const wakeups = Math.max(0, l.irq_work_ipis - backgroundIpis);
    return { ratio: wakeups / outputs, outputs, wakeups, method: "irq_work_ipi" };
  }
  return undefined;
}

export function parseLoaderOutput(stdout: string): LoaderReport {
  const line = stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("{"))
    .pop();
  if (!line) throw new Error(`the loader printed no JSON object: ${JSON.stringify(stdout.slice(0, 200))}`);
  return JSON.parse(line) as LoaderReport;
}

export interface TestRunOptions {
  producers: number;
  repeat: number;
  consumer: boolean;
}

export async function runTestRun(s: LoaderSettings, t: TestRunOptions): Promise<LoaderReport> {
  const args = [...loaderFlags(s), "--test-run", "--producers", String(t.producers), "--repeat", String(t.repeat)];
  if (t.consumer) args.push("--consumer");
  const r = await run(LOADER_PATH, args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`bpfsim-loader ${args.join(" ")}: exit ${r.code}: ${r.stderr.trim()}`);
  return parseLoaderOutput(r.stdout);
}

export interface LiveLoader {
  started: Started;
  /** Resolves when the loader says it has attached (or rejects if it exits first). */
  attached: Promise<void>;
}

/**
 * Starts the loader attached to `ifaces` (loader syntax NAME[@NETNS][:host]) for at most
 * `durationS`; `cgroupProcs`, when given, is a cgroup.procs file the loader joins before exec.
 */
export function startLive(
  s: LoaderSettings,
  ifaces: string[],
  durationS: number,
  extra: { cgroupProcs?: string; dump?: number; countWakeups?: boolean; splitReaderCpu?: boolean; deliveryLatency?: boolean } = {},
): LiveLoader {
  const args = [...loaderFlags(s), "--duration", String(durationS), ...ifaces.flatMap((i) => ["--iface", i])];
  if (extra.dump) args.push("--dump", String(extra.dump));
  if (extra.countWakeups) args.push("--count-wakeups");
  // the reader's clock split at each poll's first record (reader_wait_cpu_s, reader_drain_cpu_s)
  if (extra.splitReaderCpu) args.push("--split-reader-cpu");
  // each record's wait from its hook to the reader's callback (delivery_us)
  if (extra.deliveryLatency) args.push("--delivery-latency");
  let onAttach: () => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const attached = new Promise<void>((res, rej) => {
    onAttach = res;
    onFail = rej;
  });
  let cmd = LOADER_PATH;
  let argv = args;
  if (extra.cgroupProcs) {
    cmd = "sh";
    argv = ["-c", 'echo $$ > "$0" && exec "$@"', extra.cgroupProcs, LOADER_PATH, ...args];
  }
  const started = start(cmd, argv, {
    timeoutMs: (durationS + 30) * 1000,
    onStderr: (chunk) => {
      if (chunk.includes("attached, reading")) onAttach();
    },
  });
  started.done.then((r) => onFail(new Error(`bpfsim-loader exited before attaching (exit ${r.code}): ${r.stderr.trim()}`)));
  return { started, attached };
}
