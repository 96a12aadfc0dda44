/** `bpfsim claim <claim.json>`: a verdict on a vendor's cost claim. A thin shell over judgeClaim(). */
import type { Command } from "commander";
import { judgeClaim, loadClaim } from "../../queries/claim.ts";
import { addSimulationOptions, simulationOptions } from "./simulate.ts";
import { numberOption } from "../errors.ts";
import { addMaxIterationsOption, addOutputOptions, ciCell, estCell, maxIterationsOption, print, type Cell } from "../output.ts";
import { dominantLabel } from "../../queries/common.ts";

export function registerClaim(program: Command): void {
  const cmd = program
    .command("claim")
    .description(
      "Judge a vendor claim (models/schema/claim.schema.json; examples in models/claims/). " +
        '"consistent": inside the predicted 95% interval widened by the model\'s validated error for that kind of scenario (validation/model-error.json). ' +
        '"optimistic": below it; "pessimistic": above it. ' +
        '"impossible": less CPU than the BPF programs alone need.',
    )
    .argument("<claim>", "claim JSON file")
    .option("--tolerance <fraction>", "a wider tolerance than the model's validated error, relative to the predicted mean (the larger applies; default: none)");
  addOutputOptions(addMaxIterationsOption(addSimulationOptions(cmd))).action((file: string, o) => {
    const relative = o.tolerance === undefined ? 0 : numberOption("--tolerance", o.tolerance, (n) => n >= 0 && n <= 10, "a fraction in [0, 10]");
    const { seed, replications, durationS } = simulationOptions(o);
    const a = judgeClaim(loadClaim(file), { seed, replications, durationS, maxIterations: maxIterationsOption(o), tolerance: { relative } });
    const rows: Cell[][] = [];
    const f = (x: number, d: number) => x.toFixed(d);
    const acc = (v: { accepted: { low: number; high: number }; predicted: { mean: number; n: number } }) => ({
      mean: v.predicted.mean,
      halfWidth: (v.accepted.high - v.accepted.low) / 2,
      low: v.accepted.low,
      high: v.accepted.high,
      n: v.predicted.n,
    });
    if (a.overhead)
      rows.push([
        a.overheadKind === "cpu" ? "node CPU the agent takes (%)" : "throughput overhead (%)",
        f(a.overhead.claimed, 2),
        estCell(a.overhead.predicted, 2),
        ciCell(a.overhead.predicted, 2),
        ciCell(acc(a.overhead), 2),
        "-",
        a.overhead.verdict,
      ]);
    if (a.agentCpu)
      rows.push([
        "agent CPU, user + kernel (cores)",
        f(a.agentCpu.claimed, 3),
        estCell(a.agentCpu.predicted, 3),
        ciCell(a.agentCpu.predicted, 3),
        ciCell(acc(a.agentCpu), 3),
        f(a.agentCpu.bpfLowerBoundCores, 3),
        a.agentCpu.verdict,
      ]);
    const me = a.modelError;
    const extra =
      a.tolerance.relative > 0 || a.tolerance.overheadPp > 0 || a.tolerance.cpuCores > 0
        ? `, or max(${a.tolerance.relative * 100}% of the prediction, ${a.tolerance.overheadPp} pp / ${a.tolerance.cpuCores} cores) if larger`
        : "";
    print(o, a, {
      preamble: [
        `claim ${a.claim.name}: "${a.claim.description}"`,
        `source: ${a.claim.source}`,
        ...a.prediction.headline.map((l) => `predicted ${l}`),
        `calibration: ${a.calibration.file}; ${a.replications} replications`,
        `tolerance around the 95% CI: the model's validated error for ${me.kind} on ${me.minVcpus}-${me.maxVcpus} vCPUs: ±${me.errorPp.toFixed(2)} pp of throughput overhead, ±${(100 * me.relativeError).toFixed(0)}% of node CPU or cores (${me.extrapolated ? "no validation rows in this band: its buffer kind's largest error" : `${me.rows} validation row${me.rows === 1 ? "" : "s"}`}; ${me.file}, ${me.generated})${extra}`,
      ],
      header: ["quantity", "claimed", "predicted", "95% CI", "accepted (± model error)", "BPF lower bound", "verdict"],
      rows,
      footer: [`verdict: ${a.verdict.toUpperCase()}; dominant mechanism: ${dominantLabel(a)}`, a.reason],
    });
  });
}
