/**
 * The validation report's section on how long a record waits for the reader on our host (issue 11:
 * what the reader does between a record's output and its read): the loader's --delivery-latency
 * histograms beside the node model's delivery latency for the same configuration. Generated from
 * the committed dataset, so it stays current.
 */
import type { Spread } from "../measure/summary.ts";
import { stallFit, type ReaderLatencySummary } from "../measure/reader-latency.ts";
import type { ReaderLatencyEvidence } from "./report-data.ts";
import { f, mdTable } from "./markdown.ts";

const sp = (x: Spread, d: number) => `${f(x.median, d)} (${f(x.min, d)}–${f(x.max, d)})`;
const ms = (us: number) => `${f(us / 1000, 1)} ms`;

export function readerLatencySection(e: ReaderLatencyEvidence | null): string {
  if (e === null) return "";
  const all = e.summaries.filter((x) => x.mode !== "off");
  // the reading below is about the first shape with runs (veth when there is one); every shape is in the table
  const mainShape = all.some((x) => x.shape === "veth") ? "veth" : (all[0]?.shape ?? "veth");
  const modes = all.filter((x) => x.shape === mainShape);
  const sim = (x: ReaderLatencySummary) => e.simulated[`${x.shape}|${x.mode}`];
  const offered = Object.entries(e.baselineGbps)
    .map(([shape, b]) => `${sp(b, 1)} Gb/s (${shape})`)
    .join(", ");
  const both = (meas: Spread, model: number | undefined, d: number) => `${sp(meas, d)} / ${model === undefined ? "—" : f(model, d)}`;
  const maxUs = all[0]?.maxUs ?? 0;
  const out = [
    "### How long a record waits for the reader",
    "",
    `Runs: \`${e.file}\` (\`LOADER_EXTRA=--delivery-latency bpf/tools/placement.sh SHAPE MODE -1 5 1\`, interleaved rounds, the reader unpinned; runs without a parser give the traffic offered, ${offered}, which the model is offered too, with the shape's workload). For every record it reads, the loader takes CLOCK_MONOTONIC in its callback less the record's ts_ns (bpf_ktime_get_ns when the TC program ran: the same clock), in 1 µs bins up to ${ms(maxUs)} (the last bin holds all longer waits); "first" counts each poll's first record only, the record whose wakeup the reader answered: the producer's irq_work, the wakeup, the reader's wait for a CPU and epoll_wait's return. ${e.stolenRuns} runs in which the hypervisor stole more than ${f(100 * e.maxSteal, 0)}% of the guest's CPU time are left out (a vCPU taken away holds every record waiting on it; those waits are the host's)${e.steal === null ? "" : `; the kept runs' steal: ${sp(e.steal, 3)}`}. Model: the same configuration simulated (\`${e.calibration}\`), its delivery latency from the output to the end of the reader's pass that consumed the record. Measured: medians (min–max) over the runs of each run's quantile.`,
    "",
    mdTable(
      [
        "shape",
        "mode",
        "runs",
        "Gb/s, measured / model",
        "records/s, measured / model",
        "sleeps per record, measured / model",
        "p50 µs, measured / model",
        "p90 µs, measured",
        "p99 µs, measured / model",
        `share of records waiting ${ms(maxUs)} or more`,
        "first record of a poll: p50 µs, measured / model",
        "first record of a poll: p90 µs, measured",
        "first record of a poll: p99 µs, measured / model",
      ],
      all.map((x) => [
        x.shape,
        x.mode,
        String(x.runs),
        both(x.gbps, sim(x)?.gbps, 2),
        both(x.recordsPerS, sim(x)?.recordsPerS, 0),
        both(x.sleepsPerRecord, sim(x)?.sleepsPerRecord, 3),
        both(x.p50Us, sim(x)?.p50Us, 0),
        sp(x.p90Us, 0),
        both(x.p99Us, sim(x)?.p99Us, 0),
        sp(x.overMaxShare, 4),
        both(x.firstP50Us, sim(x)?.firstP50Us, 0),
        sp(x.firstP90Us, 0),
        both(x.firstP99Us, sim(x)?.firstP99Us, 0),
      ]),
      ["", "", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
    ),
    "",
  ];
  if (modes.length === 0) return out.join("\n");
  const firstP50 = modes.map((x) => x.firstP50Us.median);
  const firstP90 = modes.map((x) => x.firstP90Us.median);
  const p90 = modes.map((x) => x.p90Us.median);
  const p99 = modes.map((x) => x.p99Us.median);
  const modelP99 = modes.map((x) => sim(x)?.p99Us).filter((v): v is number => v !== undefined);
  const rng = (xs: number[], d: number) =>
    f(Math.min(...xs), d) === f(Math.max(...xs), d) ? f(xs[0]!, d) : `${f(Math.min(...xs), d)}-${f(Math.max(...xs), d)}`;
  const withSim = modes.filter((x) => sim(x) !== undefined);
  const modelFirst =
    withSim.length === 0
      ? ""
      : ` The model's wake path is of the same order: its first record of a pass waits ${rng(
          withSim.map((x) => sim(x)!.firstP50Us),
          0,
        )} µs at the median and ${rng(
          withSim.map((x) => sim(x)!.firstP99Us),
          0,
        )} µs at p99, against ${rng(
          withSim.map((x) => x.firstP99Us.median),
          0,
        )} µs measured at p99.`;
  out.push(
    `Reading: the reader answers a wakeup quickly: its first record waited ${rng(firstP50, 0)} µs at the median, ${rng(firstP90, 0)} µs at p90.${modelFirst} But a tenth of all records waited ${rng(
      p90.map((x) => x / 1000),
      1,
    )} ms or longer, and the p99 is ${rng(
      p99.map((x) => x / 1000),
      1,
    )} ms, just under one 4 ms tick (${rng(
      modes.map((x) => 100 * x.overMaxShare.median),
      1,
    )}% of the records waited longer than ${ms(maxUs)})${modelP99.length > 0 ? `, where the model's p99 is ${rng(modelP99, 0)} µs` : ""}. Those are records that arrived while the reader was awake but not running: preempted during its walk, or runnable behind the task on its CPU, which gives way only at a preemption point. This guest's kernel is built without involuntary kernel preemption (boot log "Dynamic Preempt: none") and with a 4 ms tick (CONFIG_HZ=250), so a task busy in the kernel, like iperf3's sender running the receive softirq on its CPU, holds the CPU until it returns to user space or blocks, or a tick finds its slice spent. The model has the woken reader wait an exponential of mean runqueueWaitNs (${f(e.runqueueWait.ns / 1000, 1)} µs, ${e.runqueueWait.method}) on a busy CPU and never preempts a running pass, so it has no such tail: a planner reading its delivery latency reads the wake path, not the stalls. Records that wait for a stall arrive in the same poll, so stalls also make polls larger and sleeps per record fewer than the wake path alone would. No constant is fitted on these runs. The throughput columns are context, not a held-out test (this file is not in \`validation/held-out-datasets.json\`); on ${mainShape}: ${modes
      .filter((x) => sim(x) !== undefined)
      .map(
        (x) =>
          `${x.mode}: measured ${f(100 * (1 - x.gbps.median / e.baselineGbps[x.shape]!.median), 0)}% below the runs without a parser, the model ${f(100 * (1 - sim(x)!.gbps / e.baselineGbps[x.shape]!.median), 0)}%`,
      )
      .join("; ")}, and the model's records per Gb/s are ${rng(
      withSim.map((x) => sim(x)!.recordsPerS / sim(x)!.gbps / (x.recordsPerS.median / x.gbps.median)),
      2,
    )} times the measured (fewer records per byte on this campaign's slower host, most likely larger skbs).`,
    "",
  );
  const fitOf = (xs: ReaderLatencySummary[]) =>
    xs.filter((x) => x.involuntaryPerS.median > 0 && x.p90Us.median > 0).map((x) => ({ x, fit: stallFit(x.involuntaryPerS.median, x.p90Us.median) }));
  const fits = fitOf(modes);
  const others = fitOf(all.filter((x) => x.shape !== mainShape));
  const off = (xs: typeof fits) => xs.map(({ x, fit }) => fit.predictedP99Us / x.p99Us.median - 1);
  const pctOff = (v: number) => `${v >= 0 ? "+" : ""}${f(100 * v, 0)}%`;
  if (fits.length > 0) {
    out.push(
      `A check of that reading with measured figures only (\`stallFit\`, src/measure/reader-latency.ts): if each of the reader's involuntary context switches (its preemptions, counted by the loader) leaves it waiting an exponentially distributed time of mean m, a record arriving at random falls into a stall with probability rate x m and waits the stall's remainder, so P(wait > t) = rate x m x exp(-t / m) beyond the wake path. The p90 fixes m; the p99 then follows, to be compared with the measured one.`,
      "",
      mdTable(
        [
          "shape",
          "mode",
          "runs",
          "preemptions per s, measured",
          "mean stall from the p90",
          "share of time preempted",
          "p99 the stalls predict / measured",
          "off by",
        ],
        [...fits, ...others].map(({ x, fit }) => [
          x.shape,
          x.mode,
          String(x.runs),
          sp(x.involuntaryPerS, 0),
          ms(fit.meanStallUs),
          f(fit.stalledShare, 2),
          `${ms(fit.predictedP99Us)} / ${ms(x.p99Us.median)}`,
          pctOff(fit.predictedP99Us / x.p99Us.median - 1),
        ]),
        ["", "", "r", "r", "r", "r", "r", "r"],
      ),
      "",
      `On ${mainShape}, both modes need stalls of about the same length (${rng(
        fits.map(({ fit }) => fit.meanStallUs / 1000),
        1,
      )} ms), and with it their p99 comes out within ${f(100 * Math.max(...off(fits).map(Math.abs)), 0)}% of the measured: the tail is the reader's preemptions, about a millisecond each, not slow wakeups. The ring buffer's reader is preempted more often (why is not measured), and so waits preempted for a larger share of the time. (The histogram stops at ${ms(maxUs)}, which caps the measured p99 of some runs.)` +
        (others.length === 0
          ? ""
          : ` The ${[...new Set(others.map(({ x }) => x.shape))].join(", ")} runs were taken after this check was written, so they test it: ${others.map(({ x, fit }) => `${x.mode} ${pctOff(fit.predictedP99Us / x.p99Us.median - 1)} (${x.runs} quiet run${x.runs === 1 ? "" : "s"})`).join(", ")}. ${Math.max(...off(others).map(Math.abs)) > 0.25 ? "Looser there: real stalls end at a preemption point, at the latest near a tick, which an exponential of one mean does not know, so it is a first description of the stalls, not their law." : "It holds there too."}`) +
        ` For the node model this is a missing mechanism with its target measured: a reader sharing a CPU with a task busy in the kernel is preempted at a rate the model would have to derive (what wakes on that CPU while the reader runs) and stalls for up to a tick on this preempt=none, HZ=250 kernel; a kernel with voluntary or full preemption would most likely stall it for less (not measured here).`,
      "",
    );
  }
  return out.join("\n");
}
