/**
 * Node benchmark: wall time and memory of ONE discrete-event run (runNode) of one simulated second
 * of a 96-vCPU node (azure-d96s-v5) at 10 Gb/s offered traffic, perf event array and ring buffer.
 *
 * The run input is built as simulate.ts builds its first iteration: RSS shares from the "rss"
 * stream, the baseline throughput solver (no agent) gives the per-queue rates. Each tool is timed
 * `reps` times in this process (median reported). Memory: the rise of process RSS and of V8's heap
 * over the run, sampled before and just after the run (heap after a forced GC when node runs with
 * --expose-gc; otherwise a plain delta), plus the process's peak RSS from process.resourceUsage().
 * Targets: wall <= 1 s per simulated second, memory < 1 GiB.
 */
import { pathToFileURL } from "node:url";
import { RandomStreams } from "../../src/engine/index.ts";
import { rxQueues } from "../../src/kernel/rx-queues.ts";
import { costsFrom } from "../../src/node/costs.ts";
import { runNode, type NodeRunInput } from "../../src/node/node-run.ts";
import { agentPlacement } from "../../src/node/placement.ts";
import { buildScenario } from "../../src/node/scenario.ts";
import { solveThroughput } from "../../src/node/throughput.ts";
import { nodeSetup } from "../../src/node/simulate.ts";

export interface NodeBenchParams {
  hardware: string;
  trafficGbps: number;
  tools: string[];
  simulatedS: number;
  reps: number;
  seed: number;
}

export const defaultNodeParams: NodeBenchParams = {
  hardware: "azure-d96s-v5",
  trafficGbps: 10,
  tools: ["retina-perf", "retina-ringbuf"],
  simulatedS: 1,
  reps: 3,
  seed: 1,
};

export interface NodeBenchResult {
  tool: string;
  carriedGbps: number;
  bpfOutputs: number;
  wallS: { median: number; min: number; max: number; all: number[] };
  wallPerSimulatedS: number;
  rssDeltaMiB: number;
  heapDeltaMiB: number;
  meetsTarget: boolean;
}

const MiB = 1024 * 1024;

/** The input of one runNode as simulate.ts builds its first iteration (RSS draw, baseline solver), and the carried throughput. */
export function nodeRunInput(
  p: Pick<NodeBenchParams, "hardware" | "trafficGbps" | "simulatedS" | "seed">,
  toolName: string,
): { input: NodeRunInput; carriedGbps: number } {
  const s = buildScenario({ hardware: p.hardware, tool: toolName, trafficGbps: p.trafficGbps });
  const hw = s.hardware;
  const costs = costsFrom(s.calibration);
  const placement = agentPlacement(s.placement, hw);
  const setup = nodeSetup(s);
  const queues = rxQueues(hw.vcpus, setup.channels.channels, s.workload.rssSkewCv, new RandomStreams(p.seed).stream("rss"));
  const base = solveThroughput({
    hw,
    workload: s.workload,
    costs,
    queues,
    appCpus: hw.vcpus,
    excludedCpu: -1,
    agentNsPerByte: new Float64Array(hw.vcpus),
  });
  return {
    input: {
      hw,
      tool: s.tool!,
      placement,
      workload: s.workload,
      costs,
      queues,
      queueBytesPerS: base.queueBytesPerS,
      seed: p.seed * 7919,
      durationNs: p.simulatedS * 1e9,
      warmupNs: 0,
      kernel: setup.kernel,
    },
    carriedGbps: (base.bytesPerS * 8) / 1e9,
  };
}

export function benchNodeRun(p: NodeBenchParams, toolName: string): NodeBenchResult {
  const { input, carriedGbps } = nodeRunInput(p, toolName);
  const walls: number[] = [];
  let rssDelta = 0;
  let heapDelta = 0;
  let outputs = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < p.reps; i++) {
    gc?.();
    const m0 = process.memoryUsage();
    const t0 = process.hrtime.bigint();
    const out = runNode(input);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const m1 = process.memoryUsage();
    walls.push(wall);
    rssDelta = Math.max(rssDelta, (m1.rss - m0.rss) / MiB);
    heapDelta = Math.max(heapDelta, (m1.heapUsed - m0.heapUsed) / MiB);
    outputs = out.totals.attempted;
  }
  const sorted = [...walls].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const wallPerSimulatedS = median / p.simulatedS;
  return {
    tool: toolName,
    carriedGbps,
    bpfOutputs: outputs,
    wallS: { median, min: sorted[0], max: sorted[sorted.length - 1], all: walls },
    wallPerSimulatedS,
    rssDeltaMiB: rssDelta,
    heapDeltaMiB: heapDelta,
    meetsTarget: wallPerSimulatedS <= 1 && rssDelta < 1024,
  };
}

/** The node section: every tool in `p.tools`, plus the process's peak RSS. */
export function nodeSection(p: NodeBenchParams = defaultNodeParams) {
  const results = p.tools.map((t) => benchNodeRun(p, t));
  return {
    params: p,
    results,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    memoryMethod:
      "rssDeltaMiB/heapDeltaMiB: process.memoryUsage() just before and just after each run (max over reps); peakRssMiB: process.resourceUsage().maxRSS of the whole bench process",
    targets: { wallPerSimulatedS: 1, memoryMiB: 1024 },
  };
}

export function printNode(n: ReturnType<typeof nodeSection>): void {
  const p = n.params;
  console.log(`node: one runNode of ${p.simulatedS} simulated s, ${p.hardware} at ${p.trafficGbps} Gb/s offered, median of ${p.reps} (min-max)`);
  for (const r of n.results) {
    console.log(
      `  ${r.tool.padEnd(16)} ${r.wallS.median.toFixed(3)} s (${r.wallS.min.toFixed(3)}-${r.wallS.max.toFixed(3)})  ` +
        `wall/simulated ${r.wallPerSimulatedS.toFixed(3)}  outputs ${r.bpfOutputs}  ` +
        `rss +${r.rssDeltaMiB.toFixed(0)} MiB, heap +${r.heapDeltaMiB.toFixed(0)} MiB  ${r.meetsTarget ? "ok" : "MISS"}`,
    );
  }
  console.log(`  peak RSS of the bench process ${n.peakRssMiB.toFixed(0)} MiB (target: <= 1 s per simulated s, < 1024 MiB)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printNode(nodeSection());
}
