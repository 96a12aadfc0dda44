/** `bpfsim validate`: regenerates validation/REPORT.md and validation/charts/. A thin shell over writeReport(). */
import type { Command } from "commander";
import { numberOption, seedOption } from "../errors.ts";
import { writeReport } from "../../validation/report.ts";
import { loadCalibration } from "../../models/load.ts";
import { isPath } from "../../models/paths.ts";
import { checkOutputDir } from "../../models/read.ts";
import { DEFAULT_CALIBRATION } from "../../node/scenario.ts";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("Regenerate validation/REPORT.md and its charts: the field study's rows, our held-out measurements, overhead against node size, sensitivity")
    .option("--seed <n>", "seed of the first replication (integer)", "1")
    .option("--replications <n>", "replications per scenario", "5")
    .option("--duration <s>", "simulated seconds per discrete-event run", "0.22")
    .option("--sensitivity-replications <n>", "replications per sensitivity scenario", "2")
    .option("--calibration <c>", "calibration for the seed rows, scaling and sensitivity", DEFAULT_CALIBRATION)
    .option("--measured-calibration <file>", "calibration file of our host (default: models/calibration/<host class>.json)")
    .option("--out <dir>", "output folder (default: validation/)")
    .action(async (o) => {
      // every path and profile is checked before the (minutes of) simulation start
      if (o.out !== undefined) checkOutputDir("--out", o.out);
      loadCalibration(o.calibration);
      if (o.measuredCalibration !== undefined) loadCalibration(isPath(o.measuredCalibration) ? o.measuredCalibration : `./${o.measuredCalibration}`);
      const r = await writeReport({
        seed: seedOption(o.seed),
        replications: numberOption("--replications", o.replications, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, "an integer in [1, 1000]"),
        durationS: numberOption("--duration", o.duration, (n) => n > 0.02 && n <= 3600, "seconds in (0.02, 3600]"),
        sensitivityReplications: numberOption(
          "--sensitivity-replications",
          o.sensitivityReplications,
          (n) => Number.isInteger(n) && n >= 1 && n <= 1000,
          "an integer in [1, 1000]",
        ),
        seedCalibration: o.calibration,
        measuredCalibration: o.measuredCalibration,
        outDir: o.out,
      });
      console.log(`wrote ${r.report}`);
      for (const c of r.charts) console.log(`wrote ${c}`);
    });
}
