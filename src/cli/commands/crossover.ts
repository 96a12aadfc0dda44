/** `bpfsim crossover`: the node size above which the ring buffer beats the perf event array. A thin shell over crossover(). */
import type { Command } from "commander";
import { overheadByCoresChart } from "../../charts/overhead-by-cores.ts";
import { crossover } from "../../queries/crossover.ts";
import { addOutputOptions, addQuickSimulationOptions, chartPath, ci, est, print, quickOptions, trafficFlags, writeChart } from "../output.ts";

export function registerCrossover(program: Command): void {
  const cmd = program
    .command("crossover")
    .description(
      "Over the shipped hardware shapes ordered by vCPUs: overhead of a perf event array tool and a ring buffer tool at each size,\n" +
        "and the vCPU count from which the ring buffer wins (difference > 0 with 95% confidence). Give --traffic or --observed.\n" +
        "Runs 2 simulations per shape: defaults to 3 replications of 0.1 s.",
    )
    .option("--traffic <gbps>", "offered traffic in Gb/s (workload mode offered)")
    .option("--observed <gbps>", "measured baseline in Gb/s at the node's CPU limit (workload mode observed)")
    .option("--perf-tool <profile>", "the perf event array tool", "retina-perf")
    .option("--ringbuf-tool <profile>", "the ring buffer tool", "retina-ringbuf")
    .option("--hardware <list>", "comma-separated hardware profiles (default: every shipped shape)")
    .option("--placement <p>", "agent placement", "limited")
    .option("--workload <w>", "workload profile name or JSON file", "tcp-receiver-saturating")
    .option("--calibration <c>", "calibration host class or JSON file", "literature")
    .option("--chart <file>", "also render overhead against vCPUs for both tools (.svg or .png)");
  addOutputOptions(addQuickSimulationOptions(cmd)).action(async (o) => {
    const chart = chartPath("--chart", o.chart);
    const t = trafficFlags(o);
    const a = crossover(
      { ...t, perfTool: o.perfTool, ringbufTool: o.ringbufTool, placement: o.placement, workload: o.workload, calibration: o.calibration, hardware: o.hardware?.split(",").map((s: string) => s.trim()) },
      quickOptions(o),
    );
    const traffic = t.trafficGbps !== undefined ? `offered ${t.trafficGbps} Gb/s` : t.observedGbps !== undefined ? `observed ${t.observedGbps} Gb/s` : "saturating receiver";
    print(o, a, {
      preamble: [
        `${a.spec.perfTool} vs ${a.spec.ringbufTool} · ${traffic} · placement ${o.placement}`,
        `calibration: ${a.calibration.file}; ${a.replications} replications per point, ± is the 95% confidence half-width`,
      ],
      header: ["hardware", "vCPUs", "perf overhead (%)", "ringbuf overhead (%)", "perf - ringbuf (pp)", "95% CI", "perf lost/s", "ringbuf lost/s", "ringbuf wins"],
      rows: a.rows.map((r) => [r.hardware, String(r.vcpus), est(r.perfOverheadPct), est(r.ringbufOverheadPct), est(r.differencePp), ci(r.differencePp), r.perfLostPerS.mean.toFixed(0), r.ringbufLostPerS.mean.toFixed(0), r.ringbufWins ? "yes" : "no"]),
      footer: [
        a.crossoverVcpus === null
          ? "no crossover: the ring buffer does not win at the largest shape"
          : `crossover: from ${a.crossoverVcpus} vCPUs the ring buffer costs less, by ${est(a.advantageAtCrossoverPp!)} pp there (95% CI ${ci(a.advantageAtCrossoverPp!)})`,
        `rule: ${a.rule}`,
      ],
    });
    if (chart) {
      const rows = a.rows.flatMap((r) => [
        { vcpus: r.vcpus, tool: a.spec.perfTool!, overheadPct: r.perfOverheadPct },
        { vcpus: r.vcpus, tool: a.spec.ringbufTool!, overheadPct: r.ringbufOverheadPct },
      ]);
      await writeChart(chart, overheadByCoresChart(rows, `Overhead by node size, ${traffic}`));
    }
  });
}
