import { describe, expect, it } from "vitest";
import type { Estimate } from "../../src/engine/index.ts";
import { COST_CATEGORIES } from "../../src/accounting/cpu-ledger.ts";
import { SIMULATION_FIELDS, simulationTextRows, type ReplicationFigures, type SimulationFields } from "../../src/node/simulation-metrics.ts";

const e = (mean: number): Estimate => ({ mean, halfWidth: 0.5, low: mean - 0.5, high: mean + 0.5, n: 3 });
const fmt = (x: Estimate, digits: number) => `${x.mean.toFixed(digits)}`;

describe("SIMULATION_FIELDS", () => {
  it("names each field once, every metric with a unit and a description", () => {
    const keys = SIMULATION_FIELDS.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const f of SIMULATION_FIELDS) {
      expect(f.description.length, f.key).toBeGreaterThan(0);
      if (f.kind !== "given") expect(f.unit.length, f.key).toBeGreaterThan(0);
    }
  });

  it("keeps SimulationResult's JSON order (the public output)", () => {
    expect(SIMULATION_FIELDS.map((f) => f.key)).toEqual([
      "baselineGbps",
      "withAgentGbps",
      "overheadPct",
      "bottleneck",
      "eventsPerS",
      "wakeupsPerS",
      "readerWakeupsPerS",
      "contextSwitchesPerS",
      "lostPerS",
      "agentCpuCores",
      "agentCpuBilledCores",
      "kernelCpuCores",
      "nodeCpuPct",
      "cpuByMechanism",
      "throttledPct",
      "latencyP50Us",
      "latencyP99Us",
      "firstRecordLatencyP50Us",
      "firstRecordLatencyP99Us",
      "skbDelayP50Us",
      "skbDelayP99Us",
      "attribution",
      "rxChannels",
      "saturatedRxQueues",
      "ksoftirqdRxQueues",
      "skbDropPct",
      "epollLockContendedPct",
      "epollLockSpinUs",
    ]);
  });

  it("without an agent run every per-run metric is 0 and the throughputs are the baseline's", () => {
    const x: ReplicationFigures = {
      baselineGbps: 8,
      withAgentGbps: 8,
      overheadPct: 0,
      saturatedQueues: 2,
      ksoftirqdQueues: 1,
      cpuByMechanism: {},
      attribution: {},
    };
    const v = Object.fromEntries(SIMULATION_FIELDS.flatMap((f) => (f.kind === "estimate" ? [[f.key, f.value(x)]] : [])));
    expect(v).toMatchObject({
      baselineGbps: 8,
      withAgentGbps: 8,
      overheadPct: 0,
      saturatedRxQueues: 2,
      ksoftirqdRxQueues: 1,
      eventsPerS: 0,
      nodeCpuPct: 0,
      latencyP99Us: 0,
      epollLockSpinUs: 0,
    });
  });

  it("computes rates per second of the window and the node CPU share from a run", () => {
    const out = {
      outputs: 500,
      wakeups: 50,
      readerWakeups: 40,
      contextSwitches: 80,
      lost: 5,
      throttledNs: 25e6,
      latency: { total: 0, quantile: () => 0 },
      firstLatency: { total: 3, quantile: (q: number) => (q === 0.5 ? 30000 : 250000) },
      skbDelay: { total: 1, quantile: (q: number) => (q === 0.5 ? 2000 : 9000) },
      arrivedSkbs: 200,
      droppedSkbs: 10,
      epollLock: { callbacks: 10, contendedShare: 0.25, meanSpinNs: 1500 },
    };
    const x = {
      baselineGbps: 8,
      withAgentGbps: 6,
      overheadPct: 25,
      saturatedQueues: 0,
      ksoftirqdQueues: 0,
      cpuByMechanism: {},
      attribution: {},
      run: { out, windowNs: 0.1e9, agentCores: 0.5, kernelNs: 0.02e9, takenCores: 1.6, vcpus: 16 },
    } as unknown as ReplicationFigures;
    const v = Object.fromEntries(SIMULATION_FIELDS.flatMap((f) => (f.kind === "estimate" ? [[f.key, f.value(x)]] : [])));
    expect(v.eventsPerS).toBeCloseTo(5000);
    expect(v.lostPerS).toBeCloseTo(50);
    expect(v.kernelCpuCores).toBeCloseTo(0.2);
    expect(v.nodeCpuPct).toBeCloseTo(10);
    expect(v.throttledPct).toBeCloseTo(25);
    expect(v.latencyP50Us).toBe(0);
    expect([v.firstRecordLatencyP50Us, v.firstRecordLatencyP99Us]).toEqual([30, 250]);
    expect([v.skbDelayP50Us, v.skbDelayP99Us]).toEqual([2, 9]);
    expect(v.skbDropPct).toBeCloseTo(5);
    expect([v.epollLockContendedPct, v.epollLockSpinUs]).toEqual([25, 1.5]);
  });
});

describe("simulationTextRows", () => {
  it("prints the labelled fields in order, the combined queue row, then attribution and CPU by mechanism", () => {
    const r = Object.fromEntries(SIMULATION_FIELDS.map((f) => [f.key, e(1)])) as unknown as SimulationFields;
    r.bottleneck = { baseline: "rx-queue-cpus", withAgent: "app-cpus" } as SimulationFields["bottleneck"];
    r.rxChannels = { channels: 8, rule: "r", documented: true };
    r.saturatedRxQueues = e(3);
    r.cpuByMechanism = Object.fromEntries(COST_CATEGORIES.map((k) => [k, e(0.25)])) as SimulationFields["cpuByMechanism"];
    r.attribution = Object.fromEntries([...COST_CATEGORIES, "dedicatedCpus"].map((k) => [k, e(2)])) as SimulationFields["attribution"];
    const rows = simulationTextRows(r, fmt);
    expect(rows[0]).toEqual(["baseline throughput (Gb/s)", "1.00"]);
    expect(rows[3]).toEqual(["bottleneck (baseline / with agent)", "rx-queue-cpus / app-cpus"]);
    expect(rows.find(([l]) => l === "BPF output events/s")?.[1]).toBe("1");
    expect(rows.find(([l]) => l === "receive channels")?.[1]).toBe("8 (r)");
    expect(rows.find(([l]) => l.startsWith("receive queues"))?.[1]).toBe("3.0 / 1.0");
    expect(rows.some(([l]) => l.includes("spin"))).toBe(false);
    const a = rows.findIndex(([l]) => l === "throughput overhead by mechanism (pp)");
    const c = rows.findIndex(([l]) => l === "node CPU by mechanism (cores)");
    expect(a).toBeGreaterThan(0);
    expect(c).toBe(a + COST_CATEGORIES.length + 2);
    expect(rows[a + 1]).toEqual([`  ${COST_CATEGORIES[0]}`, "2.00"]);
    expect(rows[c + 1]).toEqual([`  ${COST_CATEGORIES[0]}`, "0.250"]);
    expect(rows.length).toBe(c + 1 + COST_CATEGORIES.length);
  });
});
