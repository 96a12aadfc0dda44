/**
 * Node hot path: events per second of ONE discrete-event node run (runNode, what `simulate` spends
 * its time in) against the bare event-heap ceiling, measured in the same process, in interleaved
 * rounds.
 *
 * The node run: one simulated second of azure-d96s-v5 at 10 Gb/s offered, retina-perf (the run
 * input built as simulate.ts builds its first iteration, node.ts `nodeRunInput`). Its engine events
 * are counted by the Environment itself (`processedEvents`), read after the run: the bench wraps
 * `Environment.prototype.run` once (a call per run, outside the event loop) to keep a reference to the
 * run's environment, since runNode does not return it.
 *
 * The ceiling: a bare binary heap of (time, seq, stream) in typed arrays, no engine and no model
 * work, holding as many pending events as the node run had at its end (its arrival streams, irq_work
 * and reader events) and doing the same number of pop + push pairs as the node run ran events, each
 * push one exponential gap drawn from the engine's random stream (the node run draws one per
 * arrival). Its events/s is what the node run would reach if the model's work per event were free.
 *
 * The ceiling's loop runs CEILING_SPAN times as many pairs as the node run has events (its rate is
 * per pair), so that it lasts about as long as the node run and a scheduling hiccup on a shared
 * machine weighs on both alike.
 *
 * Each round runs the node run and the ceiling once each (order alternating between rounds), after
 * one warm-up of each; the ratio (node events/s over ceiling events/s) is taken within the round and
 * reported as median (min-max) over rounds. Target: >= 50% (issue 12, item 5).
 */
import { BareHeap } from "./bare-heap.ts";
import { performance } from "node:perf_hooks";
import { Environment, RandomStreams, exponential } from "../../src/engine/index.ts";
import { runNode } from "../../src/node/node-run.ts";
import { nodeRunInput } from "./node.ts";
import { rate, type Rate } from "./engine.ts";

export interface NodeHotParams {
  hardware: string;
  trafficGbps: number;
  tool: string;
  simulatedS: number;
  rounds: number;
  seed: number;
}

export const defaultNodeHotParams: NodeHotParams = { hardware: "azure-d96s-v5", trafficGbps: 10, tool: "retina-perf", simulatedS: 1, rounds: 5, seed: 1 };

export const NODE_HOT_TARGET_PCT = 50;
const CEILING_SPAN = 8;

let lastEnv: Environment | null = null;
{
  const proto = Environment.prototype as unknown as { run: (until?: unknown) => void; __benchWrapped?: boolean };
  if (!proto.__benchWrapped) {
    const run = proto.run;
    proto.run = function (this: Environment, until?: unknown) {
      lastEnv = this;
      return run.call(this, until);
    };
    proto.__benchWrapped = true;
  }
}

/** The ceiling: `events` pop + push pairs on a bare typed-array heap holding `pending` events. */
export function bareHeap(events: number, pending: number, meanGapNs: number, seed: number): { events: number; wallS: number } {
  const rng = exponential(new RandomStreams(seed).stream("ceiling"), meanGapNs);
  const heap = new BareHeap(Math.max(16, pending + 1));
  const t0 = performance.now();
  for (let k = 0; k < pending; k++) heap.push(rng.sample(), k);
  let done = 0;
  let check = 0;
  while (done < events) {
    const k = heap.pop();
    done++;
    check += k;
    heap.push(heap.now + rng.sample(), k);
  }
  const wallS = (performance.now() - t0) / 1000;
  if (check < 0) throw new Error("unreachable"); // keeps the loop's result live
  return { events: done, wallS };
}

export function nodeHotSection(p: NodeHotParams = defaultNodeHotParams) {
  const { input } = nodeRunInput({ hardware: p.hardware, trafficGbps: p.trafficGbps, simulatedS: p.simulatedS, seed: p.seed }, p.tool);
  const node = () => {
    lastEnv = null;
    const t0 = performance.now();
    runNode(input);
    const wallS = (performance.now() - t0) / 1000;
    const env = lastEnv as Environment | null;
    if (env === null) throw new Error("node-hot: runNode ran no Environment");
    return { events: env.processedEvents, pending: env.pending, wallS };
  };
  const warm = node();
  const meanGap = (p.simulatedS * 1e9 * Math.max(1, warm.pending)) / warm.events;
  bareHeap(CEILING_SPAN * warm.events, warm.pending, meanGap, p.seed);
  const nodeRates: number[] = [];
  const ceilRates: number[] = [];
  const pct: number[] = [];
  for (let r = 0; r < p.rounds; r++) {
    let n: ReturnType<typeof node>;
    let c: ReturnType<typeof bareHeap>;
    if (r % 2 === 0) {
      n = node();
      c = bareHeap(CEILING_SPAN * n.events, n.pending, meanGap, p.seed + r);
    } else {
      c = bareHeap(CEILING_SPAN * warm.events, warm.pending, meanGap, p.seed + r);
      n = node();
    }
    nodeRates.push(n.events / n.wallS);
    ceilRates.push(c.events / c.wallS);
    pct.push((100 * (n.events / n.wallS)) / (c.events / c.wallS));
  }
  const percentOfCeiling: Rate = rate(pct);
  return {
    params: p,
    events: warm.events,
    pendingAtEnd: warm.pending,
    nodeEventsPerS: rate(nodeRates),
    ceilingEventsPerS: rate(ceilRates),
    percentOfCeiling,
    target: NODE_HOT_TARGET_PCT,
    met: percentOfCeiling.median >= NODE_HOT_TARGET_PCT,
  };
}

export function printNodeHot(h: ReturnType<typeof nodeHotSection>): void {
  const p = h.params;
  const m = (r: Rate) => `${(r.median / 1e6).toFixed(2)} M (${(r.min / 1e6).toFixed(2)}-${(r.max / 1e6).toFixed(2)})`;
  console.log(
    `node hot path: one runNode, ${p.hardware} ${p.tool} at ${p.trafficGbps} Gb/s, ${p.simulatedS} simulated s: ${h.events} events (${h.pendingAtEnd} pending at the end); ` +
      `${p.rounds} interleaved rounds, median (min-max)`,
  );
  console.log(`  node run events/s ${m(h.nodeEventsPerS)}; bare-heap ceiling (pop+push pairs on a heap of the same size) ${m(h.ceilingEventsPerS)}`);
  const r = h.percentOfCeiling;
  console.log(
    `  node hot path = ${r.median.toFixed(1)}% (${r.min.toFixed(1)}-${r.max.toFixed(1)}) of the ceiling (target >= ${h.target}%): ${h.met ? "met" : "NOT MET"}`,
  );
}
