/** `bpfsim size`: the smallest buffer keeping lost events under a target, and its memory. A thin shell over size(). */
import type { Command } from "commander";
import { size } from "../../queries/size.ts";
import { numberOption } from "../errors.ts";
import {
  addOutputOptions,
  addQuickSimulationOptions,
  addScenarioOptions,
  ciCell,
  est,
  estCell,
  print,
  quickOptions,
  trafficFlags,
  type Cell,
} from "../output.ts";

const mib = (b: number) => `${(b / 2 ** 20).toFixed(b < 2 ** 20 ? 3 : 1)} MiB`;

export function registerSize(program: Command): void {
  const cmd = program
    .command("size")
    .description(
      "Smallest perf pages per CPU (powers of two) or ring buffer size (powers of two from 4 KiB) keeping lost events/s under a target, and the memory it costs. " +
        "Bisection, assuming losses do not grow with the buffer.",
    )
    .requiredOption("--hardware <profile>", "hardware profile name (models/hardware) or JSON file")
    .requiredOption("--tool <profile>", "tool profile name (models/tools) or JSON file")
    .requiredOption("--max-lost-per-s <n>", "target: lost events per second");
  addOutputOptions(addQuickSimulationOptions(addScenarioOptions(cmd))).action((o) => {
    const max = numberOption("--max-lost-per-s", o.maxLostPerS, (n) => n >= 0, "a number >= 0");
    const a = size(
      { hardware: o.hardware, tool: o.tool, placement: o.placement, workload: o.workload, calibration: o.calibration, ...trafficFlags(o) },
      max,
      quickOptions(o),
    );
    const unit = a.unit === "pagesPerCpu" ? "pages per CPU" : "ring bytes";
    const steps = [...a.steps].sort((x, y) => x.size - y.size);
    print(o, a, {
      preamble: [
        `${a.spec.hardware} · ${a.spec.tool} (${a.buffer}) · target lost/s < ${max}`,
        `calibration: ${a.calibration.file}; ${a.replications} replications per size, ± is the 95% confidence half-width; assumption: ${a.assumption}`,
      ],
      header: [unit, "memory", "lost events/s", "95% CI", "meets target"],
      rows: steps.map((s): Cell[] => [String(s.size), mib(s.memoryBytes), estCell(s.lostPerS, 0), ciCell(s.lostPerS, 0), s.meetsTarget ? "yes" : "no"]),
      footer: [
        a.answer === null
          ? `no size up to ${steps.at(-1)!.size} ${unit} keeps lost/s under ${max}`
          : `answer: ${a.answer.size} ${unit} = ${mib(a.answer.memoryBytes)} (${a.nextSmaller ? `${a.nextSmaller.size} loses ${est(a.nextSmaller.lostPerS, 0)}/s` : "the smallest size tried"}); the tool's default ${a.toolDefault.size} = ${mib(a.toolDefault.memoryBytes)}`,
        ...(a.readerFallsBehind
          ? ["warning: the reader falls behind (more than 10% of records still buffered at the end): a bigger buffer only delays the losses"]
          : []),
      ],
    });
  });
}
