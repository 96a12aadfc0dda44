/** `bpfsim measure`: a thin shell over runMeasure (src/measure/measure.ts). */
import type { Command } from "commander";
import { readDataset } from "../../measure/jsonl.ts";
import { runMeasure } from "../../measure/measure.ts";
import { runDelayMeasure } from "../../measure/delay.ts";
import { DELAY_MODES, MAX_WINDOW_BYTES, MIN_WINDOW_BYTES, type DelayMode, type TrafficShape } from "../../measure/grid.ts";
import { delayResponseCalibration, delayResponseTable, fitDelayResponse } from "../../calibration/delay-response.ts";
import { writeFileSync } from "node:fs";
import { UserError } from "../../errors.ts";
import { relative } from "node:path";
import { REPO_ROOT } from "../../measure/loader.ts";
import { summarise } from "../../measure/summary.ts";
import { BadOptionError, parseIntOption, parsePositiveNumber } from "../../measure/options.ts";

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
    .option(
      "--limits <list>",
      "run only the CPU-limit sweep: comma-separated agent CPU limits (e.g. 0.1,0.25,0.5,1); the baseline, the default perf array and ring buffer unlimited and at each limit (tp-perf-limitNNN, tp-ringbuf-limitNNN)",
    )
    .option(
      "--lost",
      "run only the lost-output microbenchmarks (micro-lost-*: BPF_PROG_TEST_RUN without a consumer into rings too big to fill and into the smallest ones, perf and ring buffer, beside mode none): what an output costs when its ring is full",
    )
    .option(
      "--delay",
      "run only the injected-delay grid (tpd-*: iperf3 with the parser spinning --burns ns per program run, per output mode; 3 s runs, 5 reps, shuffled rounds)",
    )
    .option("--burns <list>", "with --delay: comma-separated ns per program run (default 0,250,500,1000,2000,4000,8000,16000)")
    .option("--delay-modes <list>", "with --delay: comma-separated output modes (default none,perf,ringbuf)")
    .option("--seed <n>", "with --delay: seed of the shuffled run order (default 1)")
    .option(
      "--clean-runs <n>",
      "with --delay: after the planned rounds, rerun configurations until each has n runs with <= 10% foreign CPU in the file (default 3; 0: off)",
    )
    .option(
      "--shape <shape>",
      "traffic shape of the throughput, --wakeups or --delay grid: veth (one stream over the veth pair, default) or lo-p2 (iperf3 -P 2 over a namespace's loopback, parser on lo; ids tp-lo-p2-*, tpw-lo-p2-*, tpd-lo-p2-*)",
    )
    .option("--quiet-wait <sec>", "longest wait before each run for >= 85% idle CPUs (default 10; with --delay 5)")
    .option("--only-quiet", "with --delay: start a run only once the CPUs are >= 85% idle (within --quiet-wait); else skip it to a later round")
    .option("--budget-min <m>", "with --delay: start no run after m minutes (default 25)")
    .option(
      "--delay-fit <file>",
      "measure nothing: fit the delay-response laws to an injected-delay dataset, print the markdown table; with --out, write the calibration JSON there",
    )
    .option(
      "--max-foreign <share>",
      "with --delay-fit: leave out runs where other tenants used more than this share of the CPUs (default 0.1; 1 keeps every run)",
    )
    .option(
      "--window <bytes>",
      "with --delay: iperf3 -w on every run (socket buffers of that many bytes cap the receive window: a window-limited flow; ids tpd-w<KiB>k-*); with --delay-fit: fit that window's runs (default: the runs without -w)",
    )
    .option("--summarise <file>", "measure nothing: print per-configuration medians and spreads of a dataset")
    .action(
      async (opts: {
        quick?: boolean;
        reps?: string;
        duration?: string;
        out?: string;
        microbench: boolean;
        throughput: boolean;
        wakeups?: boolean;
        limits?: string;
        lost?: boolean;
        summarise?: string;
        delay?: boolean;
        burns?: string;
        delayModes?: string;
        seed?: string;
        delayFit?: string;
        cleanRuns?: string;
        budgetMin?: string;
        shape?: string;
        quietWait?: string;
        onlyQuiet?: boolean;
        maxForeign?: string;
        window?: string;
      }) => {
        {
          if (opts.maxForeign !== undefined && !opts.delayFit) throw new BadOptionError("--max-foreign", opts.maxForeign, "only applies with --delay-fit");
          if (opts.window !== undefined && !opts.delay && !opts.delayFit)
            throw new BadOptionError("--window", opts.window, "only applies with --delay or --delay-fit");
          const windowBytes = opts.window === undefined ? undefined : parseIntOption("--window", opts.window, MIN_WINDOW_BYTES, MAX_WINDOW_BYTES);
          if (opts.delayFit) {
            const maxForeignShare = opts.maxForeign === undefined ? undefined : parsePositiveNumber("--max-foreign", opts.maxForeign, 1);
            let rows: ReturnType<typeof readDataset>;
            let fit: ReturnType<typeof fitDelayResponse>;
            try {
              rows = readDataset(opts.delayFit);
              fit = fitDelayResponse(rows, { maxForeignShare, windowBytes });
            } catch (e) {
              // A dataset that cannot be fitted is bad input: one line naming the file, no stack (exit 2).
              if (e instanceof UserError) throw e;
              throw new UserError(`--delay-fit ${opts.delayFit}: ${(e as Error).message}`, "--delay-fit", opts.delayFit);
            }
            console.log(delayResponseTable(fit));
            if (opts.out) {
              const host = rows.find((r) => r.host)?.host;
              const rel = relative(REPO_ROOT, opts.delayFit);
              const cal = delayResponseCalibration(fit, {
                dataset: rel,
                command: `bpfsim measure --delay-fit ${rel}${opts.maxForeign === undefined ? "" : ` --max-foreign ${opts.maxForeign}`}${windowBytes === undefined ? "" : ` --window ${windowBytes}`} --out ${relative(REPO_ROOT, opts.out)}`,
                measuredWith: "bpfsim measure --delay (3 s iperf3 runs; the campaigns that wrote the file and their flags: validation/delay-response.md)",
                date: new Date().toISOString().slice(0, 10),
                hostClass: host?.hostClass ?? rows[0]?.hostClass ?? "unknown",
                host,
              });
              writeFileSync(opts.out, `${JSON.stringify(cal, null, 2)}\n`);
            }
            return;
          }
          if (!opts.delay) {
            for (const [flag, v] of [
              ["--burns", opts.burns],
              ["--delay-modes", opts.delayModes],
              ["--seed", opts.seed],
              ["--clean-runs", opts.cleanRuns],
              ["--budget-min", opts.budgetMin],
              ["--only-quiet", opts.onlyQuiet],
            ] as const) {
              if (v !== undefined) throw new BadOptionError(flag, v, "only applies with --delay");
            }
          }
          const list = (flag: string, v: string): string[] => {
            const items = v.split(",").map((x) => x.trim());
            if (items.some((x) => x === "")) throw new BadOptionError(flag, v, "must be a comma-separated list without empty items");
            return items;
          };
          if (opts.delay) {
            const modes =
              opts.delayModes === undefined
                ? undefined
                : list("--delay-modes", opts.delayModes).map((m) => {
                    if (!(DELAY_MODES as readonly string[]).includes(m))
                      throw new BadOptionError("--delay-modes", m, `must be one of ${DELAY_MODES.join(", ")}`);
                    return m as DelayMode;
                  });
            const summary = await runDelayMeasure({
              reps: opts.reps === undefined ? undefined : parseIntOption("--reps", opts.reps, 0, 1000),
              durationS: opts.duration === undefined ? undefined : parsePositiveNumber("--duration", opts.duration, 120),
              cleanRuns: opts.cleanRuns === undefined ? undefined : parseIntOption("--clean-runs", opts.cleanRuns, 0, 100),
              onlyQuiet: opts.onlyQuiet,
              quietWaitMs: opts.quietWait === undefined ? undefined : 1000 * parsePositiveNumber("--quiet-wait", opts.quietWait, 600),
              budgetMin: opts.budgetMin === undefined ? undefined : parsePositiveNumber("--budget-min", opts.budgetMin, 600),
              out: opts.out,
              burnsNs: opts.burns === undefined ? undefined : list("--burns", opts.burns).map((b) => parseIntOption("--burns", b, 0, 1_000_000)),
              modes,
              shape: opts.shape === undefined ? undefined : (opts.shape as TrafficShape),
              windowBytes,
              seed: opts.seed === undefined ? undefined : parseIntOption("--seed", opts.seed, 0, 2 ** 31 - 1),
            });
            console.log(JSON.stringify(summary));
            return;
          }
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
            limits: opts.limits === undefined ? undefined : list("--limits", opts.limits).map((x) => parsePositiveNumber("--limits", x, 64)),
            lost: opts.lost,
            shape: opts.shape === undefined ? undefined : (opts.shape as TrafficShape),
            quietWaitMs: opts.quietWait === undefined ? undefined : 1000 * parsePositiveNumber("--quiet-wait", opts.quietWait, 600),
          });
          console.log(JSON.stringify(summary));
        }
      },
    );
}
