/** `bpfsim budget`: the highest offered traffic the node carries within a CPU or throughput budget. A thin shell over budget(). */
import type { Command } from "commander";
import { budget } from "../../queries/budget.ts";
import { metricOf } from "../../queries/common.ts";
import { numberOption } from "../errors.ts";
import { addOutputOptions, addQuickSimulationOptions, addScenarioOptions, ci, ciCell, est, metricOption, print, quickOptions, type Cell } from "../output.ts";

export function registerBudget(program: Command): void {
  const cmd = program
    .command("budget")
    .description(
      "Highest offered traffic (Gb/s) up to which the agent stays within a budget: by default (--metric cpu) of the node's CPU it takes (nodeCpuPct), " +
        "or with --metric throughput of throughput lost (overheadPct, 0 while the node carries the traffic). " +
        "Scans 8 traffics up to the NIC's bandwidth, then bisects where the budget is first exceeded, at most --max-bisections times. " +
        "Runs ~12 simulations of 3 replications each.",
    )
    .requiredOption("--hardware <profile>", "hardware profile name (models/hardware) or JSON file")
    .requiredOption("--tool <profile>", "tool profile name (models/tools) or JSON file")
    .requiredOption("--max-overhead <pct>", "the budget: % of the node's CPU (--metric cpu) or % of throughput (--metric throughput)")
    .option("--metric <m>", "what the budget limits: cpu (node CPU the agent takes) or throughput (throughput lost); default cpu (budget runs offered traffic)")
    .option("--tolerance <gbps>", "stop when the bracket is this narrow (Gb/s); rejected when --max-bisections cannot reach it", "0.25")
    .option("--max-bisections <n>", "at most this many bisection steps", "12");
  addOutputOptions(addQuickSimulationOptions(addScenarioOptions(cmd, false))).action((o) => {
    const max = numberOption("--max-overhead", o.maxOverhead, (n) => n >= 0 && n < 100, "a percentage in [0, 100)");
    const toleranceGbps = numberOption("--tolerance", o.tolerance, (n) => n > 0, "Gb/s > 0");
    const metric = metricOption(o.metric, "cpu");
    const maxBisections = numberOption("--max-bisections", o.maxBisections, (n) => Number.isInteger(n) && n >= 0 && n <= 40, "an integer in [0, 40]");
    const a = budget({ hardware: o.hardware, tool: o.tool, placement: o.placement, workload: o.workload, calibration: o.calibration }, max, {
      ...quickOptions(o),
      toleranceGbps,
      metric,
      maxBisections,
    });
    const m = (p: typeof a.atAnswer) => metricOf(p, a.metric);
    const v = m(a.atAnswer);
    const name = a.metric === "cpu" ? "node CPU" : "throughput overhead";
    const unit = a.metric === "cpu" ? "% of the node's CPU" : "% of throughput";
    print(o, a, {
      preamble: [
        `${a.spec.hardware} · ${a.spec.tool} · placement ${a.spec.placement ?? "limited"} · budget ${max}${unit} (--metric ${a.metric}${o.metric === undefined ? ", the default" : ""})`,
        ...a.atAnswer.headline.map((l) => `at the answer (${a.maxTrafficGbps.toFixed(2)} Gb/s): ${l}`),
        `calibration: ${a.atAnswer.calibration.file}; ${a.atAnswer.replications} replications per point; assumption: ${a.assumption}`,
      ],
      header: ["offered Gb/s", "node CPU (%)", "throughput overhead (%)", `95% CI (${a.metric})`, "within budget"],
      // by traffic (the order they were evaluated in is in --json's steps)
      rows: [...a.steps]
        .sort((x, y) => x.trafficGbps - y.trafficGbps)
        .map((s): Cell[] => {
          const p = s.trafficGbps === a.maxTrafficGbps ? a.atAnswer : s.trafficGbps === a.exceededAtGbps ? a.atExceeded : null;
          return [s.trafficGbps.toFixed(3), s.nodeCpuPct.toFixed(2), s.overheadPct.toFixed(2), p ? ciCell(m(p)) : "", s.withinBudget ? "yes" : "no"];
        }),
      footer: !a.feasible
        ? [`answer: none: even ${a.exceededAtGbps} Gb/s exceeds the budget (${name} ${est(v)} %)`]
        : a.binding
          ? [
              `answer: ${a.maxTrafficGbps.toFixed(2)} Gb/s (${name} ${est(v)} %, 95% CI ${ci(v)}); ${a.exceededAtGbps!.toFixed(2)} Gb/s exceeds the budget (${est(m(a.atExceeded!))} %)`,
              ...(a.stoppedBy === "resolution"
                ? [
                    `bisection stopped at a ${(a.exceededAtGbps! - a.maxTrafficGbps).toFixed(3)} Gb/s bracket, above --tolerance: the simulation resolves about ${a.resolutionGbps?.toFixed(3)} Gb/s there (more --replications or --duration narrow it)`,
                  ]
                : a.stoppedBy === "iterations"
                  ? [`bisection stopped after --max-bisections ${a.maxBisections} steps, above --tolerance`]
                  : []),
            ]
          : [`answer: ${a.maxTrafficGbps.toFixed(2)} Gb/s, the NIC's bandwidth: the budget does not bind (${name} there ${est(v)} %, 95% CI ${ci(v)})`],
    });
  });
}
