/** `bpfsim crossover`: the node size above which the ring buffer beats the perf event array. A thin shell over crossover(). */
import type { Command } from "commander";
import { overheadByCoresChart } from "../../charts/overhead-by-cores.ts";
import { crossover } from "../../queries/crossover.ts";
import { metricLabel } from "../../queries/common.ts";
import { addOutputOptions, addQuickSimulationOptions, chartPath, ci, est, metricOption, print, quickOptions, trafficFlags, writeChart } from "../output.ts";
import { DEFAULT_CALIBRATION } from "../../node/scenario.ts";

export function registerCrossover(program: Command): void {
  const cmd = program
    .command("crossover")
    .description(
      "Over the shipped hardware shapes ordered by vCPUs: the cost of a perf event array tool and a ring buffer tool at each size,\n" +
        "and the vCPU count from which the ring buffer wins (difference > 0 with 95% confidence). Give --traffic or --observed.\n" +
        "The cost compared (--metric): cpu = share of the node's CPU the agent takes (default with --traffic, where throughput\n" +
        "overhead is usually 0), throughput = throughput lost (default with --observed or neither).\n" +
        "Runs 2 simulations per shape: defaults to 3 replications of 0.22 s.",
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
    .option("--chart <file>", "also render overhead against vCPUs for both tools (.svg or .png)");
  addOutputOptions(addQuickSimulationOptions(cmd)).action(async (o) => {
    const chart = chartPath("--chart", o.chart);
    const t = trafficFlags(o);
    const metric = metricOption(o.metric, t.trafficGbps !== undefined ? "cpu" : "throughput");
    const a = crossover(
      { ...t, metric, perfTool: o.perfTool, ringbufTool: o.ringbufTool, placement: o.placement, workload: o.workload, calibration: o.calibration, hardware: o.hardware?.split(",").map((s: string) => s.trim()) },
      quickOptions(o),
    );
    const traffic = t.trafficGbps !== undefined ? `offered ${t.trafficGbps} Gb/s` : t.observedGbps !== undefined ? `observed ${t.observedGbps} Gb/s` : "saturating receiver";
    print(o, a, {
      preamble: [
        `${a.spec.perfTool} vs ${a.spec.ringbufTool} · ${traffic} · placement ${o.placement} · compares ${metric === "cpu" ? "node CPU the agent takes" : "throughput overhead"} (--metric ${metric}${o.metric === undefined ? ", the default" : ""})`,
        `calibration: ${a.calibration.file}; ${a.replications} replications per point, ± is the 95% confidence half-width`,
      ],
      header:
        metric === "cpu"
          ? ["hardware", "vCPUs", "perf node CPU (%)", "ringbuf node CPU (%)", "perf - ringbuf (pp)", "95% CI", "perf overhead (%)", "ringbuf overhead (%)", "perf lost/s", "ringbuf lost/s", "ringbuf wins"]
          : ["hardware", "vCPUs", "perf overhead (%)", "ringbuf overhead (%)", "perf - ringbuf (pp)", "95% CI", "perf node CPU (%)", "ringbuf node CPU (%)", "perf lost/s", "ringbuf lost/s", "ringbuf wins"],
      rows: a.rows.map((r) => {
        const [pm, rm, po, ro] = metric === "cpu" ? [r.perfNodeCpuPct, r.ringbufNodeCpuPct, r.perfOverheadPct, r.ringbufOverheadPct] : [r.perfOverheadPct, r.ringbufOverheadPct, r.perfNodeCpuPct, r.ringbufNodeCpuPct];
        return [r.hardware, String(r.vcpus), est(pm), est(rm), est(r.differencePp), ci(r.differencePp), est(po), est(ro), r.perfLostPerS.mean.toFixed(0), r.ringbufLostPerS.mean.toFixed(0), r.ringbufWins ? "yes" : "no"];
      }),
      footer: [
        a.crossoverVcpus === null
          ? "no crossover: the ring buffer does not win at the largest shape"
          : a.crossoverVcpus === a.rows[0].vcpus
            ? `crossover: at every shape, from the smallest compared (${a.crossoverVcpus} vCPUs), the ring buffer costs less ${metric === "cpu" ? "node CPU" : "throughput"}, by ${est(a.advantageAtCrossoverPp!)} pp there (95% CI ${ci(a.advantageAtCrossoverPp!)})`
            : `crossover: from ${a.crossoverVcpus} vCPUs the ring buffer costs less ${metric === "cpu" ? "node CPU" : "throughput"}, by ${est(a.advantageAtCrossoverPp!)} pp there (95% CI ${ci(a.advantageAtCrossoverPp!)})`,
        `rule: ${a.rule}`,
      ],
    });
    if (chart) {
      const rows = a.rows.flatMap((r) => [
        { vcpus: r.vcpus, tool: a.spec.perfTool!, overheadPct: metric === "cpu" ? r.perfNodeCpuPct : r.perfOverheadPct },
        { vcpus: r.vcpus, tool: a.spec.ringbufTool!, overheadPct: metric === "cpu" ? r.ringbufNodeCpuPct : r.ringbufOverheadPct },
      ]);
      await writeChart(chart, overheadByCoresChart(rows, `${metric === "cpu" ? "Node CPU the agent takes" : "Overhead"} by node size, ${traffic}`, metricLabel(metric)));
    }
  });
}
