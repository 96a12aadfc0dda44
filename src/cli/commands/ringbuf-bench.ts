/** `bpfsim ringbuf-bench`: the kernel selftest's ring buffer vs perf buffer benchmark, simulated. */
import type { Command } from "commander";
import { loadCalibration, loadHardware, listProfiles } from "../../models/load.ts";
import { DEFAULT_CALIBRATION } from "../../node/scenario.ts";
import { ringbufBench, type RingbufBenchResult } from "../../node/ringbuf-bench.ts";
import { numberOption, UsageError } from "../errors.ts";
import { table } from "../format.ts";

/** The smallest shipped node with at least `cpus` vCPUs (the bench-* machine profiles are chosen only by name). */
function smallestWith(cpus: number): string {
  const fits = listProfiles("hardware")
    .filter((n) => !n.startsWith("bench-"))
    .map((n) => ({ n, v: loadHardware(n).vcpus }))
    .filter((h) => h.v >= cpus)
    .sort((a, b) => a.v - b.v || a.n.localeCompare(b.n));
  if (fits.length === 0) throw new UsageError(`--producers = ${cpus - 1}: no shipped hardware profile has ${cpus} vCPUs (producers + consumer)`);
  return fits[0].n;
}

export function printRingbufBench(r: RingbufBenchResult): string {
  const m = (x: number) => (x / 1e6).toFixed(3);
  const row = (name: string, b: RingbufBenchResult["ringbuf"]) => [
    name,
    m(b.recordsPerS),
    m(b.producedPerS),
    m(b.lostPerS),
    m(b.wakeupsPerS),
    b.producerNsPerRecord.toFixed(0),
  ];
  return [
    `${r.producers} producer CPU(s) back to back (CPUs 1-${r.producers}), rb-libbpf consumer on CPU 0; ${r.sampled === null ? "default notification" : `sampled: wakeup once ${r.sampled} records are available`}; ${r.hardware}; calibration ${r.calibration}; ${r.lockKind}${r.pendingLoop ? "" : ", before the pending loop"}`,
    `(simulated ${r.options.durationS} s; ${r.options.sampleBytes}-byte samples in batches of ${r.options.batchCnt}; producer ${r.options.producerRecordNs.toFixed(1)} ns per record outside the lock; ring buffer ${r.options.ringbufBytes} B, perf buffer ${r.options.perfPagesPerCpu} pages per CPU; deterministic: no interval)`,
    "",
    table(
      ["buffer", "received M/s", "produced M/s", "lost M/s", "wakeups M/s", "producer ns/record"],
      r.perfbuf === null ? [row("ringbuf", r.ringbuf)] : [row("ringbuf", r.ringbuf), row("perfbuf", r.perfbuf)],
    ),
  ].join("\n");
}

export function registerRingbufBench(program: Command): void {
  program
    .command("ringbuf-bench")
    .description(
      "Simulate the kernel selftest benchmark (bench_ringbufs.c): 8-byte samples from N producer CPUs (1..N) back to back, one consumer on CPU 0; records/s through the ring buffer and the perf buffer",
    )
    .requiredOption("--producers <n>", "producer CPUs")
    .option("--sampled <n>", "sample rate n (ringbuf NO_WAKEUP, FORCE once n records are available; perf wakeup_events = n)")
    .option("--batch <n>", "records per trigger (--rb-batch-cnt; the multi-producer sweep uses 50)", "500")
    .option("--lock <kind>", "qspinlock (kernels before 6.15) or rqspinlock (6.15 on)", "rqspinlock")
    .option(
      "--no-pending-loop",
      "a kernel before the 2024 overrun fix (6.10; stable 5.10, 5.15, 6.1, 6.6 from July 2024): the reservation does not read the previous record's header",
    )
    .option("--hardware <profile>", "hardware profile (default: the smallest shipped one with producers + 1 vCPUs)")
    .option("--calibration <c>", "calibration host class or JSON file", DEFAULT_CALIBRATION)
    .option("--duration <s>", "simulated seconds", "0.005")
    .option("--json", "print one JSON object (RingbufBenchResult)")
    .action((o) => {
      const producers = numberOption("--producers", o.producers, (n) => Number.isInteger(n) && n >= 1 && n <= 4096, "an integer in [1, 4096]");
      const sampled = o.sampled === undefined ? undefined : numberOption("--sampled", o.sampled, (n) => Number.isInteger(n) && n >= 1, "an integer >= 1");
      const durationS = numberOption("--duration", o.duration, (n) => n > 0 && n <= 10, "seconds in (0, 10]");
      const batchCnt = numberOption("--batch", o.batch, (n) => Number.isInteger(n) && n >= 1 && n <= 1_000_000, "an integer in [1, 1000000]");
      if (o.lock !== "qspinlock" && o.lock !== "rqspinlock") throw new UsageError(`--lock = ${o.lock}: expected qspinlock or rqspinlock`);
      const hw = loadHardware(o.hardware ?? smallestWith(producers + 1));
      if (producers >= hw.vcpus) {
        throw new UsageError(`--producers = ${producers}: ${hw.name} has ${hw.vcpus} vCPUs; producers + consumer need ${producers + 1}`);
      }
      const r = ringbufBench(hw, loadCalibration(o.calibration), {
        producers,
        sampled,
        durationS,
        batchCnt,
        lockKind: o.lock,
        pendingLoop: o.pendingLoop !== false,
      });
      console.log(o.json ? JSON.stringify(r, null, 2) : printRingbufBench(r));
    });
}
