/** `bpfsim measure`: a thin shell over runMeasure (src/measure/measure.ts). */
import type { Command } from "commander";
import { readDataset } from "../../measure/jsonl.ts";
import { runMeasure } from "../../measure/measure.ts";
import { summarise } from "../../measure/summary.ts";
import { parseIntOption, parsePositiveNumber } from "../../measure/options.ts";

export function registerMeasure(program: Command): void {
  program
    .command("measure")
    .description(
      "Measure the TC parser on this machine (root): BPF_PROG_TEST_RUN microbenchmarks and iperf3 runs over a private veth; appends JSON Lines to validation/data/",
    )
    .option("--quick", "small grid: 4 throughput configurations, 3 repetitions, 3 s runs")
    .option("--reps <n>", "repetitions per configuration (default 5, quick 3)")
    .option("--duration <sec>", "seconds per iperf3 run (default 5, quick 3)")
    .option("--out <file>", "dataset file (default validation/data/<host-class>-<date>.jsonl)")
    .option("--no-microbench", "skip the test-run microbenchmarks")
    .option("--no-throughput", "skip the iperf3 runs")
    .option("--wakeups", "run only the wakeup-counting grid (tpw-*: perf configurations, mode none, ringbuf) with the loader's --count-wakeups")
    .option("--summarise <file>", "measure nothing: print per-configuration medians and spreads of a dataset")
    .action(async (opts: { quick?: boolean; reps?: string; duration?: string; out?: string; microbench: boolean; throughput: boolean; wakeups?: boolean; summarise?: string }) => {
      if (opts.summarise) {
        for (const s of summarise(readDataset(opts.summarise))) console.log(JSON.stringify(s));
        return;
      }
      const summary = await runMeasure({
        quick: opts.quick,
        reps: opts.reps === undefined ? undefined : parseIntOption("--reps", opts.reps, 1, 1000),
        durationS: opts.duration === undefined ? undefined : parsePositiveNumber("--duration", opts.duration, 120),
        out: opts.out,
        microbench: opts.microbench,
        throughput: opts.throughput,
        wakeups: opts.wakeups,
      });
      console.log(JSON.stringify(summary));
    });
}
