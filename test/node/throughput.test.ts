import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RandomStreams } from "../../src/engine/index.ts";
import { rxQueues } from "../../src/kernel/rx-queues.ts";
import { loadCalibration, loadHardware, loadWorkload } from "../../src/models/load.ts";
import type { HardwareProfile, Workload } from "../../src/models/types.ts";
import { costsFrom } from "../../src/node/costs.ts";
import {
  cpuSoftirqShare,
  mobileNsPerByte,
  receiveCostScaleFor,
  rxCpuNsPerByte,
  softirqNsPerByte,
  solveThroughput,
  type ThroughputInput,
} from "../../src/node/throughput.ts";
import { saturatedSoftirqShare } from "../../src/kernel/softirq.ts";
import { parseKernel } from "../../src/kernel/version.ts";

const costs = costsFrom(loadCalibration("literature"));
const saturating = loadWorkload("tcp-receiver-saturating");

function input(cpus: number, opts: { nicGbps?: number; workload?: Partial<Workload>; cv?: number; seed?: number; queues?: number } = {}): ThroughputInput {
  const base = loadHardware("azure-d32s-v5");
  const hw: HardwareProfile = { ...base, vcpus: cpus, nic: { rxQueues: opts.queues ?? cpus, bandwidthGbps: opts.nicGbps ?? 1e6 } };
  const workload = { ...saturating, ...opts.workload } as Workload;
  return {
    hw,
    workload,
    costs,
    queues: rxQueues(cpus, opts.queues ?? cpus, opts.cv ?? 0, new RandomStreams(opts.seed ?? 1).stream("rss")),
    appCpus: cpus,
    excludedCpu: -1,
    agentNsPerByte: new Float64Array(cpus),
  };
}

describe("solveThroughput against the capacity formula", () => {
  it("no agent, one queue per CPU, even shares: the node's CPUs together bind, each queue carrying 1e9 / (softirq + app ns per byte)", () => {
    for (const cpus of [1, 4, 16, 32]) {
      const inp = input(cpus);
      const r = solveThroughput(inp);
      const perQueue = 1e9 / (softirqNsPerByte(saturating, costs) + costs.appNsPerByte);
      expect(r.bytesPerS / (cpus * perQueue)).toBeCloseTo(1, 6);
      for (const q of r.queueBytesPerS) expect(q / perQueue).toBeCloseTo(1, 6);
      expect(r.bottleneck).toBe("app-cpus");
      expect(r.saturatedQueues).toBe(0);
    }
  });
  it("fewer queues than CPUs: softirq stays on the queues' CPUs, the application's work moves; the queues bind once Q / N < softirq share", () => {
    const b = rxCpuNsPerByte(saturating, costs);
    const m = mobileNsPerByte(saturating, costs);
    const share = b / (b + m);
    for (const cpus of [8, 16, 32, 64]) {
      const q = 8;
      const r = solveThroughput(input(cpus, { queues: q }));
      const byQueues = (q * 1e9) / b;
      const byNode = (cpus * 1e9) / (b + m);
      expect(r.bytesPerS / Math.min(byQueues, byNode)).toBeCloseTo(1, 5);
      expect(r.bottleneck).toBe(q / cpus < share ? "rx-queue-cpus" : "app-cpus");
    }
  });
  it("ksoftirqd (kernels 4.9-6.4): a saturated queue gets 1 / (1 + threads x application busy share) of its CPU; inline kernels keep all of it", () => {
    const cpus = 32;
    const q = 8;
    const b = rxCpuNsPerByte(saturating, costs);
    const m = mobileNsPerByte(saturating, costs);
    const inline = solveThroughput({ ...input(cpus, { queues: q }), saturatedSoftirqShare: saturatedSoftirqShare(parseKernel("6.8")!, 1) });
    expect(inline.bytesPerS / ((q * 1e9) / b)).toBeCloseTo(1, 5);
    expect(inline.ksoftirqdQueues).toBe(0);
    const deferred = solveThroughput({ ...input(cpus, { queues: q }), saturatedSoftirqShare: saturatedSoftirqShare(parseKernel("5.15")!, 1) });
    expect(deferred.ksoftirqdQueues).toBe(q);
    // the fixed point: T = q phi 1e9 / b with phi = 1 / (1 + T m / (cpus 1e9))
    const phi = (deferred.bytesPerS * b) / (q * 1e9);
    expect(phi).toBeCloseTo(1 / (1 + (deferred.bytesPerS * m) / (cpus * 1e9)), 4);
    expect(deferred.bytesPerS).toBeLessThan(inline.bytesPerS);
  });
  it("the NIC's cap binds when it is lower", () => {
    const inp = input(16, { nicGbps: 1 });
    const r = solveThroughput(inp);
    expect((r.bytesPerS * 8) / 1e9).toBeCloseTo(1, 6);
    expect(r.bottleneck).toBe("nic");
  });
  it("offered mode carries min(offered, capacity)", () => {
    const cap = solveThroughput(input(8)).bytesPerS;
    fc.assert(
      fc.property(fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 2, noNaN: true })), (frac) => {
        const offeredGbps = (frac * cap * 8) / 1e9;
        const r = solveThroughput(input(8, { workload: { mode: "offered", offeredGbps } }));
        const want = Math.min((offeredGbps * 1e9) / 8, cap);
        expect(Math.abs(r.bytesPerS - want)).toBeLessThanOrEqual(1e-6 * cap + 1);
        if (frac > 0 && frac < 0.99) expect(r.bottleneck).toBe("offered");
      }),
      { numRuns: 40 },
    );
  });
  it("carried traffic never exceeds the sum of the queues, and each queue stays within its CPU's second", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 48 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(100), (cpus, cv, seed) => {
        const inp = input(cpus, { cv, seed, queues: Math.max(1, cpus >> 1) });
        const r = solveThroughput(inp);
        const sum = r.queueBytesPerS.reduce((a, b) => a + b, 0);
        expect(Math.abs(sum - r.bytesPerS) / r.bytesPerS).toBeLessThan(1e-6);
        const b = rxCpuNsPerByte(inp.workload, costs);
        const m = mobileNsPerByte(inp.workload, costs);
        let soft = 0;
        for (let q = 0; q < r.queueBytesPerS.length; q++) {
          expect(r.queueBytesPerS[q] * b).toBeLessThanOrEqual(1e9 * (1 + 1e-6));
          soft += r.queueBytesPerS[q] * b;
        }
        expect(soft + r.bytesPerS * m).toBeLessThanOrEqual(cpus * 1e9 * (1 + 1e-6));
      }),
      { numRuns: 40 },
    );
  });
  it("property: adding agent cost on any CPUs never raises throughput", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 32 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 32, maxLength: 32 }),
        fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 32, maxLength: 32 }),
        (cpus, cv, a, extra) => {
          const inp = input(cpus, { cv, nicGbps: 50 });
          const lo = new Float64Array(cpus);
          const hi = new Float64Array(cpus);
          for (let c = 0; c < cpus; c++) {
            lo[c] = a[c] * 0.1;
            hi[c] = lo[c] + extra[c] * 0.1;
          }
          const t0 = solveThroughput({ ...inp }).bytesPerS;
          const t1 = solveThroughput({ ...inp, agentNsPerByte: lo }).bytesPerS;
          const t2 = solveThroughput({ ...inp, agentNsPerByte: hi }).bytesPerS;
          expect(t1).toBeLessThanOrEqual(t0 * (1 + 1e-9));
          expect(t2).toBeLessThanOrEqual(t1 * (1 + 1e-9));
        },
      ),
      { numRuns: 60 },
    );
  });
  it("observed mode: receiveCostScaleFor reproduces the observed baseline", () => {
    for (const observedGbps of [0.2, 5, 8, 40]) {
      const inp = input(16, { cv: 0.3, workload: { mode: "observed", observedGbps } });
      const k = receiveCostScaleFor(inp, observedGbps);
      const r = solveThroughput({ ...inp, receiveCostScale: k });
      expect((r.bytesPerS * 8) / 1e9 / observedGbps).toBeCloseTo(1, 4);
    }
  });
});

describe("solveThroughput: hook work per byte of a CPU's own queue", () => {
  it("with hook cost h on every queue CPU, each queue carries 1e9 / (softirq + h + app ns per byte)", () => {
    for (const cpus of [1, 8, 32]) {
      const inp = input(cpus);
      const h = 0.7;
      const r = solveThroughput({ ...inp, hookNsPerQueueByte: new Float64Array(cpus).fill(h) });
      const perQueue = 1e9 / (softirqNsPerByte(saturating, costs) + h + costs.appNsPerByte);
      expect(r.bytesPerS / (cpus * perQueue)).toBeCloseTo(1, 6);
    }
  });
  it("more hook cost on any CPU never raises throughput", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 32 }),
        fc.nat(1000),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (cpus, seed, x, extra) => {
          const inp = input(cpus, { cv: 0.3, seed });
          const lo = new Float64Array(cpus).fill(x);
          const hi = lo.map((v, c) => (c % 2 === 0 ? v + extra : v));
          const t1 = solveThroughput({ ...inp, hookNsPerQueueByte: lo }).bytesPerS;
          const t2 = solveThroughput({ ...inp, hookNsPerQueueByte: hi }).bytesPerS;
          expect(t2).toBeLessThanOrEqual(t1 * (1 + 1e-9) + 1);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("cpuSoftirqShare: the receive path's interrupt-context share of each CPU", () => {
  it("is each queue CPU's softirq work over its time where softirq runs inline, none elsewhere", () => {
    const cpus = 32;
    const inp = { ...input(cpus, { queues: 8 }), saturatedSoftirqShare: saturatedSoftirqShare(parseKernel("6.8")!, 1) };
    const r = solveThroughput(inp);
    const share = cpuSoftirqShare(inp, r);
    const b = rxCpuNsPerByte(saturating, costs);
    for (let q = 0; q < 8; q++) expect(share[inp.queues.cpuOf[q]]).toBeCloseTo(Math.min(1, (r.queueBytesPerS[q] * b) / 1e9), 9);
    const queueCpus = new Set(Array.from(inp.queues.cpuOf));
    for (let c = 0; c < cpus; c++) if (!queueCpus.has(c)) expect(share[c]).toBe(0);
    // 8 queues bind on 32 CPUs: the queue CPUs are saturated with softirq
    expect(Math.max(...share)).toBeCloseTo(1, 6);
  });
  it("a queue served by ksoftirqd (kernels 4.9-6.4, saturated) runs as a task: it counts as no interrupt time", () => {
    const cpus = 32;
    const inp = { ...input(cpus, { queues: 8 }), saturatedSoftirqShare: saturatedSoftirqShare(parseKernel("5.15")!, 1) };
    const r = solveThroughput(inp);
    expect(r.ksoftirqdQueues).toBe(8);
    expect(Math.max(...cpuSoftirqShare(inp, r))).toBe(0);
  });
});
