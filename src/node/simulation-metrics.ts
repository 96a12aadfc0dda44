/**
 * The metrics of `simulate()`, declared once: name, unit, meaning, how one replication's value is
 * computed, and how the CLI's table shows it. SimulationResult's metric fields (node/simulate.ts),
 * its JSON (fields in this order) and `bpfsim simulate`'s table (cli/commands/simulate.ts) all derive
 * from SIMULATION_FIELDS. Every metric is aggregated the same way: a mean with its Student-t 95%
 * interval over the replications (engine confidenceInterval).
 */
import type { Estimate } from "../engine/index.ts";
import { COST_CATEGORIES, type CostCategory } from "../accounting/cpu-ledger.ts";
import type { NodeRunOutput } from "./node-run.ts";
import type { Bottleneck } from "./throughput.ts";

/** What one replication's metrics are computed from. */
export interface ReplicationFigures {
  baselineGbps: number;
  withAgentGbps: number;
  overheadPct: number;
  /** Receive queues saturated (and served by ksoftirqd) in the throughput solution reported. */
  saturatedQueues: number;
  ksoftirqdQueues: number;
  /** Cores per mechanism over the whole node, and pp of throughput per mechanism. */
  cpuByMechanism: Record<string, number>;
  attribution: Record<string, number>;
  /** The discrete-event run of the agent; absent without one (no tool, or a node that carries nothing). */
  run?: AgentRunFigures;
}

export interface AgentRunFigures {
  out: NodeRunOutput;
  /** The measured window, ns. */
  windowNs: number;
  /** CPUs' worth of the agent's user-space threads. */
  agentCores: number;
  /** ns of agent-caused kernel work (BPF, output, lock spin, wakeups, cache lines) over the node. */
  kernelNs: number;
  /** CPUs' worth of everything the agent takes (a pinned agent's reserved CPUs in full). */
  takenCores: number;
  vcpus: number;
}

/** The result's fields a table row's own text (`render`) may read. */
export interface RenderedFields {
  bottleneck: { baseline: Bottleneck; withAgent: Bottleneck };
  rxChannels: { channels: number; rule: string; documented: boolean };
  saturatedRxQueues: Estimate;
  ksoftirqdRxQueues: Estimate;
}

/** How the CLI's table prints a field: an estimate with `digits`, or its own text (`render`). */
export type FieldText =
  { label: string; digits: number } | { label: string; render: (r: RenderedFields, fmt: (e: Estimate, digits: number) => string) => string };

interface EstimateField<K extends string> {
  kind: "estimate";
  key: K;
  unit: string;
  description: string;
  /** The replication's value. */
  value: (x: ReplicationFigures) => number;
  /** Absent: not in the table (JSON only). */
  text?: FieldText;
}

interface CategoryField<K extends string> {
  kind: "byCategory";
  key: K;
  unit: string;
  description: string;
  categories: readonly string[];
  value: (x: ReplicationFigures) => Record<string, number>;
  /** Printed below the table's rows, `position` first: a heading, then one row per category. */
  text: { heading: string; digits: number; position: number };
}

interface GivenField<K extends string> {
  kind: "given";
  key: K;
  description: string;
  text: FieldText;
}

/** A run's figure, 0 without an agent run. */
const perRun = (f: (a: AgentRunFigures) => number) => (x: ReplicationFigures) => (x.run === undefined ? 0 : f(x.run));
/** A histogram of the agent run's quantile q in µs (the histogram holds ns), 0 when it is empty. */
const quantileUs = (pick: (out: AgentRunFigures["out"]) => { total: number; quantile(q: number): number }, q: number) =>
  perRun((a) => {
    const h = pick(a.out);
    return h.total > 0 ? h.quantile(q) / 1000 : 0;
  });
/** A histogram's p50 and p99 fields in µs (keys `<base>P50Us`, `<base>P99Us`; table labels "<label> p50 (µs)", "... p99 (µs)"). */
const quantileFields = <B extends string>(
  base: B,
  pick: (out: AgentRunFigures["out"]) => { total: number; quantile(q: number): number },
  d: { label: string; digits: number; p50: string; p99: string },
) =>
  [
    estimate({
      key: `${base}P50Us` as `${B}P50Us`,
      unit: "µs",
      description: d.p50,
      value: quantileUs(pick, 0.5),
      text: { label: `${d.label} p50 (µs)`, digits: d.digits },
    }),
    estimate({
      key: `${base}P99Us` as `${B}P99Us`,
      unit: "µs",
      description: d.p99,
      value: quantileUs(pick, 0.99),
      text: { label: `${d.label} p99 (µs)`, digits: d.digits },
    }),
  ] as const;
/** Events per second of a run's count. */
const rate = (count: (o: NodeRunOutput) => number) => perRun((a) => (count(a.out) / a.windowNs) * 1e9);

const estimate = <K extends string>(f: Omit<EstimateField<K>, "kind">): EstimateField<K> => ({ kind: "estimate", ...f });

/** Every field of SimulationResult after `scenario` and `options` and before `conservation`, in JSON order. */
export const SIMULATION_FIELDS = [
  estimate({
    key: "baselineGbps",
    unit: "Gb/s",
    description: "Throughput without the agent.",
    value: (x) => x.baselineGbps,
    text: { label: "baseline throughput (Gb/s)", digits: 2 },
  }),
  estimate({
    key: "withAgentGbps",
    unit: "Gb/s",
    description: "Throughput with the agent.",
    value: (x) => x.withAgentGbps,
    text: { label: "with agent (Gb/s)", digits: 2 },
  }),
  estimate({
    key: "overheadPct",
    unit: "%",
    description: "100 * (1 - withAgent / baseline).",
    value: (x) => x.overheadPct,
    text: { label: "overhead (%)", digits: 2 },
  }),
  {
    kind: "given",
    key: "bottleneck",
    description: "What limits the throughput, without and with the agent (replication 0).",
    text: { label: "bottleneck (baseline / with agent)", render: (r) => `${r.bottleneck.baseline} / ${r.bottleneck.withAgent}` },
  } as GivenField<"bottleneck">,
  estimate({
    key: "eventsPerS",
    unit: "1/s",
    description: "bpf_perf_event_output / bpf_ringbuf_output calls per second.",
    value: rate((o) => o.outputs),
    text: { label: "BPF output events/s", digits: 0 },
  }),
  estimate({
    key: "wakeupsPerS",
    unit: "1/s",
    description: "perf_event_wakeup (or ring buffer irq_work) runs per second.",
    value: rate((o) => o.wakeups),
    text: { label: "wakeups/s (perf_event_wakeup or ringbuf notify)", digits: 0 },
  }),
  estimate({
    key: "readerWakeupsPerS",
    unit: "1/s",
    description: "Reader wakeups from sleep per second.",
    value: rate((o) => o.readerWakeups),
    text: { label: "reader wakeups from sleep/s", digits: 0 },
  }),
  estimate({
    key: "contextSwitchesPerS",
    unit: "1/s",
    description: "The agent's context switches per second.",
    value: rate((o) => o.contextSwitches),
    text: { label: "agent context switches/s", digits: 0 },
  }),
  estimate({
    key: "lostPerS",
    unit: "1/s",
    description: "Records lost (buffer full) per second.",
    value: rate((o) => o.lost),
    text: { label: "lost events/s", digits: 0 },
  }),
  estimate({
    key: "agentCpuCores",
    unit: "cores",
    description: "CPUs' worth of the agent's user-space threads.",
    value: perRun((a) => a.agentCores),
    text: { label: "agent user-space CPU (cores)", digits: 3 },
  }),
  estimate({
    key: "agentCpuBilledCores",
    unit: "cores",
    description:
      "CPUs' worth the kernel bills the agent's threads (getrusage, cgroup cpu.stat): agentCpuCores plus, on kernels without IRQ time accounting, the interrupt time taken while they ran.",
    value: perRun((a) => a.out.agentBilledNs / a.windowNs),
    text: { label: "agent CPU as the kernel bills it (cores)", digits: 3 },
  }),
  estimate({
    key: "kernelCpuCores",
    unit: "cores",
    description: "CPUs' worth of agent-caused kernel work (BPF, output, wakeups) on the traffic CPUs.",
    value: perRun((a) => a.kernelNs / a.windowNs),
    text: { label: "agent kernel-side CPU (cores)", digits: 3 },
  }),
  estimate({
    key: "nodeCpuPct",
    unit: "%",
    description:
      "Share of the node's CPU the agent takes, in %: its threads, the kernel work it causes, IPIs and cache refills it inflicts; a pinned agent's reserved CPUs count in full. Unlike overheadPct this is a cost even when the node still carries its traffic.",
    value: perRun((a) => (100 * a.takenCores) / a.vcpus),
    text: { label: "node CPU taken by the agent (%)", digits: 2 },
  }),
  {
    kind: "byCategory",
    key: "cpuByMechanism",
    unit: "cores",
    description: "Where nodeCpuPct goes: cores per mechanism over the whole node (pinned agent's own threads under readerCpu).",
    categories: COST_CATEGORIES,
    value: (x) => x.cpuByMechanism,
    text: { heading: "node CPU by mechanism (cores)", digits: 3, position: 2 },
  } as CategoryField<"cpuByMechanism">,
  estimate({
    key: "throttledPct",
    unit: "%",
    description: "Share of the window the reader is throttled by its CPU limit.",
    value: perRun((a) => (100 * a.out.throttledNs) / a.windowNs),
    text: { label: "reader throttled (% of time)", digits: 2 },
  }),
  ...quantileFields("latency", (o) => o.latency, {
    label: "event delivery latency",
    digits: 1,
    p50: "Event delivery latency (output to the reader's consumption), p50. Leaves out rare waits of a millisecond or more: the reader's for a CPU (its wait here is an exponential of mean runqueueWaitNs, and it is never preempted while awake), which on our host make the ring buffer's record p99 (about one record in a hundred waits 2.5-3.5 ms), and for the perf array a wait not yet identified: validation/REPORT.md, 'How long a record waits for the reader'.",
    p99: "Event delivery latency, p99.",
  }),
  ...quantileFields("firstRecordLatency", (o) => o.firstLatency, {
    label: "first record of a pass: delivery",
    digits: 1,
    p50: "Delivery latency of the first record of each reader pass (the record whose wakeup the reader answered, or the oldest left when it went round again), p50: the wake path.",
    p99: "Delivery latency of the first record of each reader pass, p99.",
  }),
  ...quantileFields("skbDelay", (o) => o.skbDelay, {
    label: "skb delay added by the hooks",
    digits: 2,
    p50: "Delay the agent's TC hooks add to each received skb's softirq processing (programs, outputs, irq_work raises, and waiting behind earlier skbs' agent work on that CPU), p50. A latency-sensitive (window-limited) TCP flow pays it in every round trip; the throughput model does not (see the validation report).",
    p99: "The same delay, p99.",
  }),
  {
    kind: "byCategory",
    key: "attribution",
    unit: "pp",
    description: "Overhead taken from the application, split by mechanism, in percentage points of throughput.",
    categories: [...COST_CATEGORIES, "dedicatedCpus"],
    value: (x) => x.attribution,
    text: { heading: "throughput overhead by mechanism (pp)", digits: 2, position: 1 },
  } as CategoryField<"attribution">,
  {
    kind: "given",
    key: "rxChannels",
    description: "Receive channels the node ran with, how that count was reached, and whether it is documented.",
    text: { label: "receive channels", render: (r) => `${r.rxChannels.channels} (${r.rxChannels.rule})` },
  } as GivenField<"rxChannels">,
  estimate({
    key: "saturatedRxQueues",
    unit: "queues",
    description: "Receive queues whose CPU the agent's work saturated.",
    value: (x) => x.saturatedQueues,
    text: { label: "receive queues saturated / served by ksoftirqd", render: (r, fmt) => `${fmt(r.saturatedRxQueues, 1)} / ${fmt(r.ksoftirqdRxQueues, 1)}` },
  }),
  estimate({
    key: "ksoftirqdRxQueues",
    unit: "queues",
    description: "Of the saturated receive queues, those ksoftirqd serves.",
    value: (x) => x.ksoftirqdQueues,
  }),
  estimate({
    key: "skbDropPct",
    unit: "%",
    description: "skbs dropped because a receive CPU's queue (NIC ring + backlog) was full, % of those arriving.",
    value: perRun((a) => (a.out.arrivedSkbs > 0 ? (100 * a.out.droppedSkbs) / a.out.arrivedSkbs : 0)),
    text: { label: "skbs dropped at a full receive queue (%)", digits: 2 },
  }),
  estimate({
    key: "epollLockContendedPct",
    unit: "%",
    description: "Share of ep_poll_callback calls that found the epoll lock held, %.",
    value: perRun((a) => 100 * a.out.epollLock.contendedShare),
    text: { label: "epoll callbacks that found the lock held (%)", digits: 2 },
  }),
  estimate({
    key: "epollLockSpinUs",
    unit: "µs",
    description: "Mean spin of the ep_poll_callback calls that found the epoll lock held, µs.",
    value: perRun((a) => a.out.epollLock.meanSpinNs / 1000),
  }),
] as const;

type Field = (typeof SIMULATION_FIELDS)[number];
/** The metrics every replication measures and SimulationResult reports as estimates. */
export type SimulationMetric = Extract<Field, { kind: "estimate" }>["key"];

/** The fields SIMULATION_FIELDS describes, with their types (SimulationResult extends it). */
export type SimulationFields = Record<SimulationMetric, Estimate> &
  RenderedFields & {
    cpuByMechanism: Record<CostCategory, Estimate>;
    attribution: Record<CostCategory | "dedicatedCpus", Estimate>;
  };

/**
 * The table rows of the fields that have `text`, in order, then the by-category blocks (heading, then
 * one indented row per category), formatted with `fmt` (the CLI's estimate formatter).
 */
export function simulationTextRows(r: SimulationFields, fmt: (e: Estimate, digits: number) => string): [string, string][] {
  const cell = (t: FieldText, key: string): string => ("render" in t ? t.render(r, fmt) : fmt((r as unknown as Record<string, Estimate>)[key], t.digits));
  const rows: [string, string][] = [];
  const blocks: { position: number; rows: [string, string][] }[] = [];
  for (const f of SIMULATION_FIELDS as readonly (EstimateField<string> | CategoryField<string> | GivenField<string>)[]) {
    if (f.kind === "byCategory") {
      const values = (r as unknown as Record<string, Record<string, Estimate>>)[f.key];
      blocks.push({
        position: f.text.position,
        rows: [[f.text.heading, ""], ...Object.entries(values).map(([k, v]) => [`  ${k}`, fmt(v, f.text.digits)] as [string, string])],
      });
    } else if (f.text !== undefined) rows.push([f.text.label, cell(f.text, f.key)]);
  }
  return [...rows, ...blocks.sort((a, b) => a.position - b.position).flatMap((b) => b.rows)];
}
