/** `bpfsim predict`: overhead, throughput, events, wakeups, losses and agent CPU for one node. A thin shell over predict(). */
import type { Command } from "commander";
import { attributionChart } from "../../charts/attribution.ts";
import { predict } from "../../queries/predict.ts";
import { dominantLabel } from "../../queries/common.ts";
import { addSimulationOptions, simulationOptions } from "./simulate.ts";
import {
  addMaxIterationsOption,
  addOutputOptions,
  addScenarioOptions,
  chartPath,
  ciCell,
  estCell,
  maxIterationsOption,
  print,
  trafficFlags,
  writeChart,
  type Cell,
} from "../output.ts";

export function registerPredict(program: Command): void {
  const cmd = program
    .command("predict")
    .description(
      "Predict what the agent costs one node. Leads with the node CPU it takes (cores and %), the throughput overhead and its health (lost events %, throttled %, delivery latency); " +
        "then throughput, events/s, wakeups/s, lost/s, agent CPU, node CPU by mechanism and the dominant mechanism.",
    )
    .requiredOption("--hardware <profile>", "hardware profile name (models/hardware) or JSON file")
    .requiredOption("--tool <profile>", "tool profile name (models/tools) or JSON file")
    .option("--chart <file>", "also render the overhead attribution as a bar chart (.svg or .png)");
  addOutputOptions(addMaxIterationsOption(addSimulationOptions(addScenarioOptions(cmd)))).action(async (o) => {
    const chart = chartPath("--chart", o.chart);
    const spec = { hardware: o.hardware, tool: o.tool, placement: o.placement, workload: o.workload, calibration: o.calibration, ...trafficFlags(o) };
    const { seed, replications, durationS } = simulationOptions(o);
    const p = predict(spec, { seed, replications, durationS, maxIterations: maxIterationsOption(o) });
    const byMechanism =
      Object.entries(p.cpuByMechanism)
        .filter(([, v]) => v >= 0.0005)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(", ") || "none";
    const row = (name: string, e: import("../../engine/index.ts").Estimate, d = 2): Cell[] => [name, estCell(e, d), ciCell(e, d)];
    print(o, p, {
      preamble: [
        `${p.result.scenario.hardware} · ${p.result.scenario.tool} · ${p.result.scenario.placement} · ${p.result.scenario.workload}`,
        ...p.headline,
        `calibration: ${p.calibration.file}; ${p.replications} replications, ± is the 95% confidence half-width`,
      ],
      header: ["metric", "mean ± 95% half-width", "95% CI"],
      rows: [
        row("node CPU the agent takes (cores)", p.nodeCpuCores, 3),
        row("node CPU the agent takes (%)", p.nodeCpuPct),
        row("throughput overhead (%)", p.overheadPct),
        row("lost events (% of outputs)", p.health.lostPct),
        row("reader throttled (% of time)", p.health.throttledPct, 1),
        row("delivery latency p50 (µs)", p.health.deliveryP50Us, 0),
        row("delivery latency p99 (µs)", p.health.deliveryP99Us, 0),
        row("baseline throughput (Gb/s)", p.baselineGbps),
        row("throughput with agent (Gb/s)", p.withAgentGbps),
        row("BPF output events/s", p.eventsPerS, 0),
        row("wakeups/s", p.wakeupsPerS, 0),
        row("lost events/s", p.lostPerS, 0),
        row("agent user-space CPU (cores)", p.agentCpuCores, 3),
        row("agent kernel-side CPU (cores)", p.kernelCpuCores, 3),
        // too wide for the table's columns: a footer line there, a row in CSV
        ...(o.csv ? [["node CPU by mechanism (cores)", byMechanism, ""]] : []),
      ],
      footer: [
        `node CPU by mechanism (cores): ${byMechanism}`,
        `bottleneck with agent: ${p.bottleneck}; dominant mechanism: ${dominantLabel(p)}`,
        ...p.warnings.map((w) => `warning: ${w}`),
      ],
    });
    if (chart) await writeChart(chart, attributionChart(p.result));
  });
}
