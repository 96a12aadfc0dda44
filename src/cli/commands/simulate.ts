/** `bpfsim simulate`: one scenario, with and without the agent. A thin shell over simulate(). */
import type { Command } from "commander";
import { buildScenario, DEFAULT_CALIBRATION } from "../../node/scenario.ts";
import { simulate, type SimulationResult } from "../../node/simulate.ts";
import { simulationTextRows } from "../../node/simulation-metrics.ts";
import { numberOption, seedOption } from "../errors.ts";
import { printWarnings } from "../output.ts";
import { fmtEstimate, table } from "../format.ts";
import { addScenarioFlags, scenarioFlags } from "../scenario-flags.ts";
import { headline } from "../../queries/health.ts";

export interface SimOptionFlags {
  seed?: string;
  replications?: string;
  duration?: string;
  maxIterations?: string;
}

/** Adds --seed / --replications / --duration / --max-iterations to a command. */
export function addSimulationOptions(cmd: Command): Command {
  return cmd
    .option("--seed <n>", "seed of the first replication (integer)", "1")
    .option("--replications <n>", "independent replications, for 95% intervals", "5")
    .option("--duration <s>", "simulated seconds per discrete-event run (0.02 s of it warm-up)", "0.22")
    .option("--max-iterations <n>", "throughput fixed-point iterations per replication (raise it when a warning says the fixed point did not settle)", "4");
}

export function simulationOptions(o: SimOptionFlags) {
  return {
    seed: seedOption(o.seed ?? "1"),
    replications: numberOption("--replications", o.replications ?? "5", (n) => Number.isInteger(n) && n >= 1 && n <= 1000, "an integer in [1, 1000]"),
    durationS: numberOption("--duration", o.duration ?? "0.22", (n) => n > 0.02 && n <= 3600, "seconds in (0.02, 3600]"),
    warmupS: 0.02,
    maxIterations: numberOption("--max-iterations", o.maxIterations ?? "4", (n) => Number.isInteger(n) && n >= 1 && n <= 50, "an integer in [1, 50]"),
  };
}

export function printSimulation(r: SimulationResult): string {
  // rows, their labels and digits, and the by-mechanism blocks: node/simulation-metrics.ts
  const rows = simulationTextRows(r, fmtEstimate);
  const s = r.scenario;
  return [
    `${s.hardware} · ${s.tool ?? "no agent"} · ${s.placement} · ${s.workload} · calibration ${s.calibration}`,
    `(${r.options.replications} replications, seed ${r.options.seed}; ± is the 95% confidence half-width)`,
    "",
    ...(r.scenario.tool === null ? [] : [...headline(r).lines, ""]),
    table(["metric", "value"], rows),
  ].join("\n");
}

export function registerSimulate(program: Command): void {
  const cmd = program
    .command("simulate")
    .description("Simulate one node with and without the agent: throughput, overhead, events, wakeups, losses, CPU, latency, attribution")
    .requiredOption("--hardware <profile>", "hardware profile name (models/hardware) or JSON file")
    .requiredOption("--tool <profile>", 'tool profile name (models/tools) or JSON file, or "none"')
    .option("--traffic <gbps>", "offered traffic in Gb/s (default: the workload's, a saturating receiver)")
    .option("--observed <gbps>", "measured baseline in Gb/s at the node's CPU limit (workload mode observed)")
    .option("--placement <p>", "agent placement: limited, unlimited, pinned, or a JSON file", "limited")
    .option("--workload <w>", "workload profile name or JSON file", "tcp-receiver-saturating")
    .option("--calibration <c>", "calibration host class (models/calibration) or JSON file", DEFAULT_CALIBRATION)
    .option("--json", "print one JSON object (the SimulationResult) instead of a table");
  addScenarioFlags(cmd);
  addSimulationOptions(cmd).action((o) => {
    const scenario = buildScenario({
      hardware: o.hardware,
      tool: o.tool,
      placement: o.placement,
      workload: o.workload,
      calibration: o.calibration,
      trafficGbps: o.traffic === undefined ? undefined : numberOption("--traffic", o.traffic, (n) => n > 0 && n <= 10000, "Gb/s in (0, 10000]"),
      observedGbps: o.observed === undefined ? undefined : numberOption("--observed", o.observed, (n) => n > 0 && n <= 10000, "Gb/s in (0, 10000]"),
      ...scenarioFlags(o),
    });
    const r = simulate(scenario, simulationOptions(o));
    // warnings go to stderr once, in every output mode (also in the JSON's `warnings`)
    printWarnings(r.warnings);
    console.log(o.json ? JSON.stringify(r, null, 2) : printSimulation(r));
  });
}
