/** `bpfsim reproduce`: the field study's tables, published beside predicted. A thin shell over reproduce(). */
import type { Command } from "commander";
import { reproduce, type ReproduceResult } from "../../validation/reproduce.ts";
import { fmtEstimate, table } from "../format.ts";
import { addSimulationOptions, simulationOptions } from "./simulate.ts";
import { DEFAULT_CALIBRATION } from "../../node/scenario.ts";

function attributionTable(r: ReproduceResult): string {
  const scenarios = Object.keys(r.attribution32ByScenario);
  const mechanisms = Object.keys(r.attribution32);
  const rows = mechanisms.map((m) => [m, ...scenarios.map((sc) => fmtEstimate(r.attribution32ByScenario[sc][m]))]);
  const short = (label: string) => label.replace(/\s*\(.*\)$/, "");
  return table(["mechanism", ...scenarios.map(short)], rows);
}

export function printReproduce(r: ReproduceResult): string {
  const out: string[] = [`Source: ${r.source}`, `Calibration: ${r.calibration}`, ""];
  const tables = [...new Set(r.rows.map((x) => x.table))];
  for (const t of tables) {
    out.push(`## ${t}`);
    const rows = r.rows
      .filter((x) => x.table === t)
      .map((x) => [
        x.label,
        x.metric,
        `${x.publishedQualifier === "=" ? "" : x.publishedQualifier}${x.published}`,
        fmtEstimate(x.predicted, x.metric.endsWith("per_s") ? 0 : 2),
        `${x.error >= 0 ? "+" : ""}${x.error.toFixed(1)} ${x.errorUnit}`,
        x.status + (x.withinGoal === null ? "" : x.withinGoal ? " (ok)" : " (MISS)"),
      ]);
    out.push(table(["row", "metric", "published", "predicted (95% CI)", "error", "status"], rows), "");
  }
  const s = r.summary;
  out.push(
    `Overhead rows counted: ${s.countedRows}; within 5 pp: ${s.withinGoal}; mean |error| ${s.meanAbsErrorPp.toFixed(1)} pp; worst ${s.worstAbsErrorPp.toFixed(1)} pp.`,
    `32-core throughput order predicted (lowest first): ${s.predictedOrder.join(" < ")}; published order preserved: ${s.orderingPreserved ? "yes" : "no"}.`,
    "Baseline rows are inputs (the study's closed-loop receiver defines the node's limit), not predictions.",
    "",
    "Attribution of the 32-core overheads to mechanisms (pp of throughput):",
    attributionTable(r),
  );
  return out.join("\n");
}

export function registerReproduce(program: Command): void {
  const cmd = program
    .command("reproduce")
    .description("Run every row of the field study's tables (validation/seed-retina-kubecon.json) and print published beside predicted, with the error")
    .option("--calibration <c>", "calibration host class or JSON file", DEFAULT_CALIBRATION)
    .option("--json", "print one JSON object (ReproduceResult) instead of tables");
  addSimulationOptions(cmd).action((o) => {
    const r = reproduce({ ...simulationOptions(o), calibration: o.calibration });
    console.log(o.json ? JSON.stringify(r, null, 2) : printReproduce(r));
  });
}
