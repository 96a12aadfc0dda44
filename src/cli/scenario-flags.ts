/**
 * Flags for what a field setup may not state (the unknowns of models/unknowns/field-study.json) and
 * for switching mechanisms off, shared by the commands that build one scenario.
 */
import type { Command } from "commander";
import type { ScenarioSpec } from "../node/scenario.ts";
import { MECHANISM_NAMES } from "../node/mechanisms.ts";
import { numberOption, UsageError } from "./errors.ts";

export interface ScenarioFlagValues {
  kernel?: string;
  rxChannels?: string;
  goVersion?: string;
  vmExitNs?: string;
  irqTimeAccounting?: string;
  windowFlows?: string;
  disable?: string;
}

export function addScenarioFlags(cmd: Command): Command {
  return cmd
    .option("--kernel <release>", "the node's kernel release, e.g. 5.15 or 6.8 (default: the hardware profile's)")
    .option("--rx-channels <n>", "receive channels, as ethtool -L sets them (default: the NIC driver's default at the kernel)")
    .option("--go-version <v>", "a Go agent's go line, e.g. 1.24 or 1.25: decides its GOMAXPROCS (default: the tool profile's)")
    .option("--vm-exit-ns <ns>", "cost of one VM exit, ns (default: the hardware profile's)")
    .option(
      "--irq-time-accounting <on|off>",
      "the node kernel's CONFIG_IRQ_TIME_ACCOUNTING: off bills the interrupt time taken while the agent runs to the agent (its CPU and CFS quota) (default: the hardware profile's, else off)",
    )
    .option(
      "--window-flows <n>",
      "the receiver's flows are window-limited, n of them in parallel, at the node's baseline rate: the agent's hook work lengthens their round trips (a what-if; default: the workload's, CPU-bound for the shipped receivers)",
    )
    .option("--disable <mechanisms>", `comma-separated mechanisms to switch off (ablation): ${MECHANISM_NAMES.join(", ")}`);
}

export function scenarioFlags(o: ScenarioFlagValues): Partial<ScenarioSpec> {
  const out: Partial<ScenarioSpec> = {};
  if (o.kernel !== undefined) out.kernel = o.kernel;
  if (o.rxChannels !== undefined)
    out.rxChannels = numberOption("--rx-channels", o.rxChannels, (n) => Number.isInteger(n) && n >= 1 && n <= 4096, "an integer in [1, 4096]");
  if (o.goVersion !== undefined) out.goVersion = o.goVersion;
  if (o.vmExitNs !== undefined) out.vmExitNs = numberOption("--vm-exit-ns", o.vmExitNs, (n) => n >= 0 && n <= 1e6, "ns in [0, 1000000]");
  if (o.irqTimeAccounting !== undefined) {
    if (o.irqTimeAccounting !== "on" && o.irqTimeAccounting !== "off")
      throw new UsageError(`--irq-time-accounting = ${JSON.stringify(o.irqTimeAccounting)}: must be on or off`, "--irq-time-accounting", o.irqTimeAccounting);
    out.irqTimeAccounting = o.irqTimeAccounting === "on";
  }
  if (o.windowFlows !== undefined)
    out.windowFlows = numberOption("--window-flows", o.windowFlows, (n) => Number.isInteger(n) && n >= 1 && n <= 1_000_000, "an integer in [1, 1000000]");
  if (o.disable !== undefined)
    out.disabled = o.disable
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  return out;
}
