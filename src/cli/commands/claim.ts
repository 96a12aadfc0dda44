/** `bpfsim claim <claim.json>`: a verdict on a vendor's cost claim. A thin shell over judgeClaim(). */
import type { Command } from "commander";
import { judgeClaim, loadClaim } from "../../queries/claim.ts";
import { addSimulationOptions, simulationOptions } from "./simulate.ts";
import { numberOption } from "../errors.ts";
import { addOutputOptions, print } from "../output.ts";
import { dominantLabel } from "../../queries/common.ts";

export function registerClaim(program: Command): void {
  const cmd = program
    .command("claim")
    .description(
      'Judge a vendor claim (models/schema/claim.schema.json; examples in models/claims/): "consistent" (inside the predicted 95%\n' +
        'interval widened by the model tolerance), "optimistic", "pessimistic" or "impossible" (less CPU than the BPF programs alone need)',
    )
    .argument("<claim>", "claim JSON file")
    .option("--tolerance <fraction>", "model tolerance, relative to the predicted mean (absolute floors: 0.5 pp overhead, 0.05 cores)", "0.25");
  addOutputOptions(addSimulationOptions(cmd)).action((file: string, o) => {
    const relative = numberOption("--tolerance", o.tolerance, (n) => n >= 0 && n <= 10, "a fraction in [0, 10]");
    const { seed, replications, durationS } = simulationOptions(o);
    const a = judgeClaim(loadClaim(file), { seed, replications, durationS, tolerance: { relative } });
    const rows: string[][] = [];
    const f = (x: number, d: number) => x.toFixed(d);
    if (a.overhead) rows.push([a.overheadKind === "cpu" ? "node CPU the agent takes (%)" : "throughput overhead (%)", f(a.overhead.claimed, 2), f(a.overhead.predicted.mean, 2), `[${f(a.overhead.predicted.low, 2)}, ${f(a.overhead.predicted.high, 2)}]`, `[${f(a.overhead.accepted.low, 2)}, ${f(a.overhead.accepted.high, 2)}]`, "-", a.overhead.verdict]);
    if (a.agentCpu) rows.push(["agent CPU, user + kernel (cores)", f(a.agentCpu.claimed, 3), f(a.agentCpu.predicted.mean, 3), `[${f(a.agentCpu.predicted.low, 3)}, ${f(a.agentCpu.predicted.high, 3)}]`, `[${f(a.agentCpu.accepted.low, 3)}, ${f(a.agentCpu.accepted.high, 3)}]`, f(a.agentCpu.bpfLowerBoundCores, 3), a.agentCpu.verdict]);
    print(o, a, {
      preamble: [
        `claim ${a.claim.name}: "${a.claim.description}"`,
        `source: ${a.claim.source}`,
        `calibration: ${a.calibration.file}; ${a.replications} replications; tolerance: ±max(${a.tolerance.relative * 100}% of the prediction, ${a.tolerance.overheadPp} pp / ${a.tolerance.cpuCores} cores) around the 95% CI`,
      ],
      header: ["quantity", "claimed", "predicted", "95% CI", "accepted", "BPF lower bound", "verdict"],
      rows,
      footer: [`verdict: ${a.verdict.toUpperCase()}; dominant mechanism: ${dominantLabel(a)}`, a.reason],
    });
  });
}
