/** `bpfsim calibrate`: a thin shell over runCalibrate (src/calibration/calibrate.ts). */
import type { Command } from "commander";
import { runCalibrate } from "../../calibration/calibrate.ts";
import { parseIntOption } from "../../measure/options.ts";
import { table } from "../format.ts";
import { printWarnings } from "../output.ts";

export function registerCalibrate(program: Command): void {
  program
    .command("calibrate")
    .description(
      "Fit the model's cost constants to a `bpfsim measure` dataset; writes models/calibration/<host-class>.json (an existing one only with --force)",
    )
    .requiredOption("--data <file>", "dataset (validation/data/<host-class>-<date>.jsonl)")
    .option("--literature <file>", "literature constants (default models/calibration/literature.json)")
    .option("--out <file>", "output (default models/calibration/<host-class>.json)")
    .option("--fit-reps <n>", "throughput repetitions below this index are fitted, the rest held out (default 3)")
    .option("--wakeup-data <file>", "wakeup-counting dataset (`bpfsim measure --wakeups`): fit irqWorkLatencyNs to its tpw-perf wakeups/outputs ratio")
    .option(
      "--lost-data <file>",
      "lost-output dataset (`bpfsim measure --lost`): measure perfLostOutputNs and ringbufLostOutputNs (an output into a full ring) from its micro-lost-* runs",
    )
    .option("--force", "overwrite the calibration already in models/calibration/ for this host class")
    .option("--json", "print one JSON object instead of the table")
    .action(
      (opts: {
        data: string;
        literature?: string;
        out?: string;
        fitReps?: string;
        wakeupData?: string;
        lostData?: string;
        force?: boolean;
        json?: boolean;
      }) => {
        const fitReps = opts.fitReps === undefined ? undefined : parseIntOption("--fit-reps", opts.fitReps, 0, 1000);
        const { out, calibration, summary, warnings } = runCalibrate({
          data: opts.data,
          literature: opts.literature,
          out: opts.out,
          fitReps,
          wakeupData: opts.wakeupData,
          lostData: opts.lostData,
          force: opts.force,
        });
        printWarnings(warnings);
        if (opts.json) {
          console.log(JSON.stringify({ out, hostClass: calibration.hostClass, heldOut: calibration.heldOut.length, constants: summary }));
          return;
        }
        console.log(
          [
            `calibration of ${calibration.hostClass} written to ${out} (${calibration.heldOut.length} runs held out for validation)`,
            "",
            table(
              ["constant", "value", "unit", "method", "runs"],
              summary.map((r) => [r.constant, String(r.value), r.unit, r.method, String(r.runs)]),
            ),
          ].join("\n"),
        );
      },
    );
}
