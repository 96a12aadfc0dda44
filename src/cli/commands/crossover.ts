/** `bpfsim crossover`: the node size above which the ring buffer beats the perf event array. A thin shell over crossover(). */
import type { Command } from "commander";
import { overheadByCoresChart } from "../../charts/overhead-by-cores.ts";
import { crossover } from "../../queries/crossover.ts";
import { metricLabel } from "../../queries/common.ts";
import {
  addOutputOptions,
  addQuickSimulationOptions,
  chartPath,
  ciCell,
  estCell,
  metricOption,
  print,
  quickOptions,
  trafficFlags,
  writeChart,
  type Cell,
} from "../output.ts";
import { DEFAULT_CALIBRATION } from "../../node/scenario.ts";

export function registerCrossover(program: Command): void {
  const cmd = program
    .command("crossover")
    .description(
      "Over the shipped hardware shapes ordered by vCPUs: the cost of a perf event array tool and a ring buffer tool at each size, the margin between them, " +
        "and the vCPU count from which the ring buffer wins (difference > 0 with 95% confidence), or plainly that it wins always or never, with the setting that would flip that. " +
        "Give --traffic or --observed. " +
        "The cost compared (--metric): cpu = share of the node's CPU the agent takes (default with --traffic, where throughput overhead is usually 0), throughput = throughput lost (default with --observed or neither). " +
        "Runs 2 simulations per shape, and a few more to find a flip.",
    )
    .option("--traffic <gbps>", "offered traffic in Gb/s (workload mode offered)")
    .option("--observed <gbps>", "measured baseline in Gb/s at the node's CPU limit (workload mode observed)")
    .option("--perf-tool <profile>", "the perf event array tool", "retina-perf")
    .option("--ringbuf-tool <profile>", "the ring buffer tool", "retina-ringbuf")
    .option("--hardware <list>", "comma-separated hardware profiles (default: every shipped shape)")
    .option("--placement <p>", "agent placement", "limited")
    .option("--workload <w>", "workload profile name or JSON file", "tcp-receiver-saturating")
    .option("--calibration <c>", "calibration host class or JSON file", DEFAULT_CALIBRATION)
    .option("--metric <m>", "cost compared: cpu (node CPU the agent takes) or throughput (throughput lost); default cpu with --traffic, throughput otherwise")
    .option("--chart <file>", "also render overhead against vCPUs for both tools (.svg or .png)")
    .option("--no-flip", "do not search for the setting that flips an always/never answer");
  addOutputOptions(addQuickSimulationOptions(cmd)).action(async (o) => {
    const chart = chartPath("--chart", o.chart);
    const t = trafficFlags(o);
    const metric = metricOption(o.metric, t.trafficGbps !== undefined ? "cpu" : "throughput");
    const a = crossover(
      {
        ...t,
        metric,
        perfTool: o.perfTool,
        ringbufTool: o.ringbufTool,
        placement: o.placement,
        workload: o.workload,
        calibration: o.calibration,
        hardware: o.hardware?.split(",").map((s: string) => s.trim()),
      },
      { ...quickOptions(o), flipSearch: o.flip !== false },
    );
    const traffic =
      t.trafficGbps !== undefined ? `offered ${t.trafficGbps} Gb/s` : t.observedGbps !== undefined ? `observed ${t.observedGbps} Gb/s` : "saturating receiver";
    print(o, a, {
      preamble: [
        `${a.spec.perfTool} vs ${a.spec.ringbufTool} · ${traffic} · placement ${o.placement} · compares ${metric === "cpu" ? "node CPU the agent takes" : "throughput overhead"} (--metric ${metric}${o.metric === undefined ? ", the default" : ""})`,
        `calibration: ${a.calibration.file}; ${a.replications} replications per point, ± is the 95% confidence half-width`,
      ],
      // narrow: the metric compared and its margin; the other metric and losses are in --json / --csv
      header: [
        "hardware",
        "vCPUs",
        metric === "cpu" ? "perf node CPU (%)" : "perf overhead (%)",
        metric === "cpu" ? "ringbuf node CPU (%)" : "ringbuf overhead (%)",
        "margin (pp)",
        "95% CI",
        "ringbuf wins",
        "keeps up (perf/rb)",
      ],
      rows: a.rows.map((r): Cell[] => {
        const [pm, rm] = metric === "cpu" ? [r.perfNodeCpuPct, r.ringbufNodeCpuPct] : [r.perfOverheadPct, r.ringbufOverheadPct];
        return [
          r.hardware,
          String(r.vcpus),
          estCell(pm),
          estCell(rm),
          estCell(r.differencePp),
          ciCell(r.differencePp),
          r.ringbufWins ? "yes" : "no",
          `${r.perfKeepsUp ? "yes" : "NO"}/${r.ringbufKeepsUp ? "yes" : "NO"}`,
        ];
      }),
      footer: [
        `answer: ${a.verdict.toUpperCase()}: ${a.statement}`,
        ...(a.flip ? [`what would flip it: ${a.flip.mechanism}`, `searched (${a.flip.setting} at ${a.flip.hardware}): ${a.flip.statement}`] : []),
        `margin = perf - ring buffer; keeps up = no lost events and not throttled (agent health); rule: ${a.rule}`,
      ],
    });
    if (chart) {
      const rows = a.rows.flatMap((r) => [
        { vcpus: r.vcpus, tool: a.spec.perfTool!, overheadPct: metric === "cpu" ? r.perfNodeCpuPct : r.perfOverheadPct },
        { vcpus: r.vcpus, tool: a.spec.ringbufTool!, overheadPct: metric === "cpu" ? r.ringbufNodeCpuPct : r.ringbufOverheadPct },
      ]);
      await writeChart(
        chart,
        overheadByCoresChart(rows, `${metric === "cpu" ? "Node CPU the agent takes" : "Overhead"} by node size, ${traffic}`, metricLabel(metric)),
      );
    }
  });
}
