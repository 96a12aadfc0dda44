/**
 * One microbenchmark repetition: the loader's --test-run, i.e. BPF_PROG_TEST_RUN
 * (net/bpf/test_run.c) of the endpoint_ingress program on a synthetic TCP packet with
 * timestamp options, `repeat` times from each of P producer threads pinned to CPUs 0..P-1,
 * with or without a live consumer thread. The kernel reports the mean ns per run; the
 * difference between output modes is the per-record output cost (with its wakeups), its growth
 * with P the ring-buffer lock contention.
 */
import type { MicrobenchConfig } from "./grid.ts";
import { runTestRun, type LoaderReport } from "./loader.ts";

export async function runMicrobench(c: MicrobenchConfig): Promise<LoaderReport & { ns_per_run_mean: number; consumer_cpu_s: number }> {
  const r = await runTestRun(c.settings, { producers: c.producers, repeat: c.repeat, consumer: c.consumer });
  if (typeof r.ns_per_run_mean !== "number") throw new Error("loader test-run JSON lacks ns_per_run_mean");
  return r as LoaderReport & { ns_per_run_mean: number; consumer_cpu_s: number };
}
