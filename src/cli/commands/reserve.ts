/** `bpfsim reserve`: CPU to reserve for the agent: limits vs unlimited vs pinned. A thin shell over reserve(). */
import type { Command } from "commander";
import { reserve } from "../../queries/reserve.ts";
import { numberOption } from "../errors.ts";
import { addOutputOptions, addQuickSimulationOptions, estCell, print, quickOptions, trafficFlags } from "../output.ts";
import { DEFAULT_CALIBRATION } from "../../node/scenario.ts";

export function registerReserve(program: Command): void {
  const cmd = program
    .command("reserve")
    .description(
      "CPU to reserve for the agent: node CPU, losses and throttling under a range of CPU limits, unlimited and pinned to 1, 2, 4 CPUs. " +
        "Recommends only a placement that carries the agent's demand.",
    )
    .requiredOption("--hardware <profile>", "hardware profile name (models/hardware) or JSON file")
    .requiredOption("--tool <profile>", "tool profile name (models/tools) or JSON file")
    .option("--limits <list>", "comma-separated CPU limits to try (cores)", "0.1,0.25,0.5,1,2,4")
    .option("--max-lost-per-s <n>", "a limit starves the agent when mean lost events/s reach this", "1")
    .option("--max-throttled-pct <pct>", "... or when the reader is throttled this % of the time", "5")
    .option("--pinned-cpus <list>", "comma-separated dedicated CPU counts to try pinned", "1,2,4")
    .option("--max-pinned-use-pct <pct>", "a pinned agent is starved when its threads use this % of its CPUs", "90")
    .option("--workload <w>", "workload profile name or JSON file", "tcp-receiver-saturating")
    .option("--calibration <c>", "calibration host class or JSON file", DEFAULT_CALIBRATION)
    .option("--traffic <gbps>", "offered traffic in Gb/s (workload mode offered)")
    .option("--observed <gbps>", "measured baseline in Gb/s (workload mode observed)");
  addOutputOptions(addQuickSimulationOptions(cmd)).action((o) => {
    const limits = String(o.limits)
      .split(",")
      .map((s) => numberOption("--limits", s, (n) => n > 0 && n <= 1024, "a comma-separated list of cores in (0, 1024]"));
    const a = reserve(
      { hardware: o.hardware, tool: o.tool, workload: o.workload, calibration: o.calibration, ...trafficFlags(o) },
      {
        ...quickOptions(o),
        limits,
        maxLostPerS: numberOption("--max-lost-per-s", o.maxLostPerS, (n) => n > 0, "a number > 0"),
        maxThrottledPct: numberOption("--max-throttled-pct", o.maxThrottledPct, (n) => n > 0, "a percentage > 0"),
        pinnedCpus: String(o.pinnedCpus)
          .split(",")
          .map((s) => numberOption("--pinned-cpus", s, (n) => Number.isInteger(n) && n >= 1 && n <= 1024, "a comma-separated list of integers in [1, 1024]")),
        maxPinnedUsePct: numberOption("--max-pinned-use-pct", o.maxPinnedUsePct, (n) => n > 0 && n <= 100, "a percentage in (0, 100]"),
      },
    );
    print(o, a, {
      preamble: [
        `${a.spec.hardware} · ${a.spec.tool} · starved = lost/s >= ${a.criteria.maxLostPerS} or throttled >= ${a.criteria.maxThrottledPct}% or (pinned) its threads use >= ${a.criteria.maxPinnedUsePct}% of its CPUs`,
        `calibration: ${a.calibration.file}; ${a.replications} replications per option, ± is the 95% confidence half-width`,
      ],
      header: ["placement", "CPU (cores)", "node CPU (cores)", "node CPU (%)", "overhead (%)", "lost (%)", "throttled (%)", "agent threads (cores)", "starved"],
      rows: a.options.map((r) => [
        r.placement + (r.placement === a.recommended ? " *" : ""),
        r.cpuCores === null ? "-" : String(r.cpuCores),
        estCell(r.nodeCpuCores, 3),
        estCell(r.nodeCpuPct),
        estCell(r.overheadPct),
        estCell(r.lostPct, 1),
        estCell(r.throttledPct, 1),
        estCell(r.agentCpuCores, 3),
        r.starved ? "yes" : "no",
      ]),
      footer: [`recommendation (*): ${a.recommendation}`],
    });
  });
}
