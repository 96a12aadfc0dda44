/** `bpfsim calibrate`: a thin shell over runCalibrate (src/calibration/calibrate.ts). */
import type { Command } from "commander";
import { runCalibrate } from "../../calibration/calibrate.ts";
import { BadOptionError, parseIntOption } from "../../measure/options.ts";

export function registerCalibrate(program: Command): void {
  program
    .command("calibrate")
    .description("Fit the model's cost constants to a `bpfsim measure` dataset; writes models/calibration/<host-class>.json")
    .requiredOption("--data <file>", "dataset (validation/data/<host-class>-<date>.jsonl)")
    .option("--literature <file>", "literature constants (default models/calibration/literature.json)")
    .option("--out <file>", "output (default models/calibration/<host-class>.json)")
    .option("--fit-reps <n>", "throughput repetitions below this index are fitted, the rest held out (default 3)")
    .option("--wakeup-data <file>", "wakeup-counting dataset (`bpfsim measure --wakeups`): fit irqWorkLatencyNs to its tpw-perf wakeups/outputs ratio")
    .action((opts: { data: string; literature?: string; out?: string; fitReps?: string; wakeupData?: string }) => {
      try {
        const { out, calibration } = runCalibrate({
          data: opts.data,
          literature: opts.literature,
          out: opts.out,
          fitReps: opts.fitReps === undefined ? undefined : parseIntOption("--fit-reps", opts.fitReps, 0, 1000),
          wakeupData: opts.wakeupData,
        });
        const w = calibration.constants.irqWorkLatencyNs;
        console.log(
          JSON.stringify({
            out,
            hostClass: calibration.hostClass,
            heldOut: calibration.heldOut.length,
            ...(opts.wakeupData ? { irqWorkLatencyNs: w.value, irqWorkLatencyMethod: w.method } : {}),
          }),
        );
      } catch (e) {
        if (e instanceof BadOptionError) {
          console.error(`bpfsim calibrate: ${e.message}`);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
    });
}
