/** `bpfsim budget`: the highest offered traffic the node carries within an overhead budget. A thin shell over budget(). */
import type { Command } from "commander";
import { budget } from "../../queries/budget.ts";
import { numberOption } from "../errors.ts";
import { addOutputOptions, addQuickSimulationOptions, addScenarioOptions, ci, est, print, quickOptions } from "../output.ts";

export function registerBudget(program: Command): void {
  const cmd = program
    .command("budget")
    .description(
      "Highest offered traffic (Gb/s) the node carries with the agent's overhead within a budget: bisection over --traffic,\n" +
        "assuming overhead does not decrease as traffic grows. Runs ~10 simulations: defaults to 3 replications of 0.1 s.",
    )
    .requiredOption("--hardware <profile>", "hardware profile name (models/hardware) or JSON file")
    .requiredOption("--tool <profile>", "tool profile name (models/tools) or JSON file")
    .requiredOption("--max-overhead <pct>", "overhead budget, % of throughput")
    .option("--tolerance <gbps>", "stop when the bracket is this narrow (Gb/s)", "0.25");
  addOutputOptions(addQuickSimulationOptions(addScenarioOptions(cmd, false))).action((o) => {
    const max = numberOption("--max-overhead", o.maxOverhead, (n) => n >= 0 && n < 100, "a percentage in [0, 100)");
    const toleranceGbps = numberOption("--tolerance", o.tolerance, (n) => n > 0, "Gb/s > 0");
    const a = budget({ hardware: o.hardware, tool: o.tool, placement: o.placement, workload: o.workload, calibration: o.calibration }, max, { ...quickOptions(o), toleranceGbps });
    const ov = a.atAnswer.overheadPct;
    print(o, a, {
      preamble: [
        `${a.spec.hardware} · ${a.spec.tool} · placement ${a.spec.placement} · budget ${max}% overhead`,
        `calibration: ${a.atAnswer.calibration.file}; ${a.atAnswer.replications} replications per point; assumption: ${a.assumption}`,
      ],
      header: ["offered Gb/s", "overhead (%)", "95% CI", "within budget"],
      rows: a.steps.map((s, i) => [s.trafficGbps.toFixed(3), s.overheadPct.toFixed(2), i === a.steps.length - 1 || s.trafficGbps === a.maxTrafficGbps ? "" : "", s.withinBudget ? "yes" : "no"]).map((r, i) => {
        const s = a.steps[i];
        const p = s.trafficGbps === a.maxTrafficGbps ? a.atAnswer : s.trafficGbps === a.exceededAtGbps ? a.atExceeded : null;
        r[2] = p ? ci(p.overheadPct) : "";
        return r;
      }),
      footer: a.binding
        ? [`answer: ${a.maxTrafficGbps.toFixed(2)} Gb/s (overhead ${est(ov)} %, 95% CI ${ci(ov)}); ${a.exceededAtGbps!.toFixed(2)} Gb/s exceeds the budget (${est(a.atExceeded!.overheadPct)} %)`]
        : [`answer: ${a.maxTrafficGbps.toFixed(2)} Gb/s, the NIC's bandwidth: the budget does not bind (overhead there ${est(ov)} %, 95% CI ${ci(ov)})`],
    });
  });
}
