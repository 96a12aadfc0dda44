/**
 * One node family's receive costs, fitted on its measured baselines together: the same receiver on
 * the same VM family pays the same per-byte work on every size, so one pair of scales (the softirq
 * part, `receiveCostScale`; the application's and process-context part on top of it,
 * `mobileCostScale`) must reproduce every size's baseline at once. Where the sizes' baselines do not
 * grow with their CPUs, something of fixed size binds on the larger ones (the receive channel pool),
 * and the split between the two scales is what the baselines say it is.
 *
 * Fit: for each mobile scale, the softirq scale that reproduces the largest node's baseline exactly
 * (bisection; the capacity falls as either scale grows), then the mobile scale minimising the
 * squared log error over all the nodes (a scan in log space, then golden section in the best bracket). With two nodes the fit is exact when a
 * solution exists; `logRms` says how far it is when none does.
 */
import { RandomStreams } from "../engine/index.ts";
import { goldenSection } from "../engine/optimise.ts";
import { rxQueues } from "../kernel/rx-queues.ts";
import { costsFrom } from "./costs.ts";
import { nodeSetup, type Scenario } from "./simulate.ts";
import { solveThroughput } from "./throughput.ts";

export interface FamilyPoint {
  /** The node without the agent (tool ignored), its workload saturating. */
  scenario: Scenario;
  /** The baseline measured on it, Gb/s. */
  observedGbps: number;
}

export interface FamilyFit {
  receiveCostScale: number;
  mobileCostScale: number;
  /** Root mean square of ln(model / measured) over the points (0: every baseline reproduced). */
  logRms: number;
  /** The model's baseline on each point with the fitted scales, Gb/s, and what binds there. */
  baselines: { gbps: number; bottleneck: string }[];
}

/** Baseline capacity of a node at the given scales (replication 0's RSS draw of `seed`). */
export function familyBaseline(p: FamilyPoint, kSoft: number, kMobile: number, seed = 1): { gbps: number; bottleneck: string } {
  const s = { ...p.scenario, workload: { ...p.scenario.workload, mode: "saturating" as const } };
  const setup = nodeSetup(s);
  const hw = setup.hw;
  const queues = rxQueues(hw.vcpus, setup.channels.channels, s.workload.rssSkewCv, new RandomStreams(seed).stream("rss"));
  const r = solveThroughput({
    hw,
    workload: s.workload,
    costs: costsFrom(s.calibration),
    queues,
    appCpus: hw.vcpus,
    excludedCpu: -1,
    agentNsPerByte: new Float64Array(hw.vcpus),
    receiveCostScale: kSoft,
    mobileCostScale: kMobile,
    saturatedSoftirqShare: setup.saturatedSoftirqShare,
  });
  return { gbps: (r.bytesPerS * 8) / 1e9, bottleneck: r.bottleneck };
}

export function fitFamily(points: FamilyPoint[], seed = 1): FamilyFit {
  if (points.length === 0) throw new RangeError("fitFamily: no points");
  const largest = points.reduce((a, b) => (b.scenario.hardware.vcpus > a.scenario.hardware.vcpus ? b : a));
  const softFor = (lnM: number): number => {
    let lo = -14;
    let hi = 14;
    for (let it = 0; it < 60; it++) {
      const mid = (lo + hi) / 2;
      if (familyBaseline(largest, Math.exp(mid), Math.exp(lnM), seed).gbps > largest.observedGbps) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  const err = (lnM: number): number => {
    const lnS = softFor(lnM);
    let e = 0;
    for (const p of points) e += Math.log(familyBaseline(p, Math.exp(lnS), Math.exp(lnM), seed).gbps / p.observedGbps) ** 2;
    return e;
  };
  // the error is not unimodal (a node changes what binds as the split moves): scan, then refine the best bracket
  const step = 0.25;
  let best = -10;
  let bestErr = Infinity;
  for (let x = -10; x <= 10 + 1e-9; x += step) {
    const e = err(x);
    if (e < bestErr) {
      bestErr = e;
      best = x;
    }
  }
  const lnM = goldenSection(err, best - step, best + step, 1e-7).x;
  const lnS = softFor(lnM);
  const kSoft = Math.exp(lnS);
  const kMobile = Math.exp(lnM);
  return {
    receiveCostScale: kSoft,
    mobileCostScale: kMobile,
    logRms: Math.sqrt(err(lnM) / points.length),
    baselines: points.map((p) => familyBaseline(p, kSoft, kMobile, seed)),
  };
}
