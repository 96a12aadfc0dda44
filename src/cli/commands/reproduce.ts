/** `bpfsim reproduce`: the field study's tables, published beside predicted. A thin shell over reproduce(). */
import type { Command } from "commander";
import { reproduceParallel, type ReproduceResult } from "../../validation/reproduce.ts";
import { fmtEstimate, table } from "../format.ts";
import { addSimulationOptions, simulationOptions } from "./simulate.ts";
import { DEFAULT_CALIBRATION } from "../../node/scenario.ts";
import { requiredCostTable, type RequiredCostRow } from "../../validation/required-cost.ts";

export function printRequiredCost(rows: RequiredCostRow[]): string {
  const us = (ns: number) => (ns / 1000).toFixed(1);
  return [
    "Extra CPU per record on the producing CPU that each counted row would need (an inverse question, not a fit):",
    table(
      ["row", "published pp", "model pp", "model kernel us/record", "extra us/record", "reached pp", "status"],
      rows.map((r) => [
        r.label,
        r.targetPct.toFixed(1),
        r.modelPct.toFixed(2),
        us(r.modelNsPerRecord),
        r.status === "unreachable" ? `>${us(r.extraNs)}` : us(r.extraNs),
        r.achievedPct.toFixed(2),
        r.status,
      ]),
    ),
  ].join("\n");
}

function attributionTable(r: ReproduceResult): string {
  const scenarios = Object.keys(r.attribution32ByScenario);
  const mechanisms = Object.keys(r.attribution32);
  const rows = mechanisms.map((m) => [m, ...scenarios.map((sc) => fmtEstimate(r.attribution32ByScenario[sc][m]))]);
  const short = (label: string) => label.replace(/\s*\(.*\)$/, "");
  return table(["mechanism", ...scenarios.map(short)], rows);
}

/** What each counted row's agent took in and gave out: records output, the share lost to full buffers, CPU, throttling. */
export function printDelivery(r: ReproduceResult): string {
  const keys = Object.keys(r.delivery);
  return [
    "What each counted row's agent delivers (a CPU-limited reader that cannot keep up loses records to full buffers; a lost record costs the kernel almost nothing):",
    table(
      ["row", "records output/s", "lost", "delivered/s", "agent CPUs", "throttled"],
      keys.map((k) => {
        const d = r.delivery[k];
        return [
          `${k.split("|")[0].startsWith("throughput by core count") ? "" : "32 cores: "}${rowLabel(k)}`,
          d.outputsPerS.toFixed(0),
          `${(100 * d.lostShare).toFixed(0)}%`,
          d.deliveredPerS.toFixed(0),
          d.agentCores.toFixed(2),
          `${d.throttledPct.toFixed(0)}%`,
        ];
      }),
    ),
  ].join("\n");
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
    "",
    printDelivery(r),
  );
  if (r.band !== undefined) out.push("", printBand(r.band));
  if (r.ablation !== undefined) out.push("", printAblation(r.ablation));
  return out.join("\n");
}

const rowLabel = (key: string) => key.split("|")[1].replace(/\s*\(.*\)$/, "");

export function printBand(band: NonNullable<ReproduceResult["band"]>): string {
  const keys = Object.keys(band);
  const unknowns = [...new Set(keys.flatMap((k) => Object.keys(band[k].byUnknown)))];
  const rows = keys.map((k) => {
    const b = band[k];
    return [
      rowLabel(k),
      b.published.toFixed(1),
      b.atDefaults.toFixed(1),
      `[${b.low.toFixed(1)}, ${b.high.toFixed(1)}]`,
      b.covers ? "yes" : "no",
      `[${b.joint.low.toFixed(1)}, ${b.joint.high.toFixed(1)}]`,
      b.joint.covers ? "yes" : "no",
      ...unknowns.map((u) => (b.byUnknown[u] ?? []).map((x) => `${x.value}: ${x.overheadPct.toFixed(1)}`).join("; ")),
    ];
  });
  return [
    "Band over the study's unknowns (models/unknowns/field-study.json; one unknown at a time, and jointly: every unknown at the value that moved the row furthest on its own, all at once; overhead %; epistemic, apart from the replication interval):",
    table(["row", "published", "at defaults", "band", "published inside", "joint band", "inside joint", ...unknowns], rows),
  ].join("\n");
}

export function printAblation(a: NonNullable<ReproduceResult["ablation"]>): string {
  const rows = Object.entries(a.rows).map(([k, v]) => [
    rowLabel(k),
    v.all.toFixed(1),
    ...a.mechanisms.map((m) => `${v.without[m].toFixed(1)} (${v.without[m] - v.all >= 0 ? "+" : ""}${(v.without[m] - v.all).toFixed(1)})`),
  ]);
  return [
    "Ablation: each row's overhead (%) with one mechanism switched off (change from all on in brackets; a large drop names the mechanism that carries the row):",
    table(["row", "all on", ...a.mechanisms.map((m) => `no ${m}`)], rows),
  ].join("\n");
}

export function registerReproduce(program: Command): void {
  const cmd = program
    .command("reproduce")
    .description("Run every row of the field study's tables (validation/seed-retina-kubecon.json) and print published beside predicted, with the error")
    .option("--calibration <c>", "calibration host class or JSON file", DEFAULT_CALIBRATION)
    .option("--json", "print one JSON object (ReproduceResult) instead of tables")
    .option(
      "--no-band",
      "skip the band over the study's unknowns (models/unknowns/field-study.json: each unknown alone, then their corners set together), which takes most of the run time",
    )
    .option("--ablate", "also run every counted row with each many-core mechanism switched off in turn")
    .option(
      "--required-cost",
      "also find, for each counted overhead row, the extra CPU per record on the producing CPU that would make the model match it (many more simulations; JSON: field requiredCost)",
    );
  addSimulationOptions(cmd).action(async (o) => {
    const sim = simulationOptions(o);
    const r = await reproduceParallel({ ...sim, calibration: o.calibration, band: o.band !== false, ablate: o.ablate === true });
    const need = o.requiredCost ? requiredCostTable(r, sim) : null;
    if (o.json) console.log(JSON.stringify(need === null ? r : { ...r, requiredCost: need }, null, 2));
    else console.log(need === null ? printReproduce(r) : `${printReproduce(r)}\n\n${printRequiredCost(need)}`);
  });
}
