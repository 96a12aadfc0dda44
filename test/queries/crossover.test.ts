import { describe, expect, it } from "vitest";
import { crossover } from "../../src/queries/crossover.ts";
import { predict } from "../../src/queries/predict.ts";

const QUICK = { replications: 2, durationS: 0.05 };
const HW = ["azure-d4s-v5", "azure-d16s-v5", "azure-d64s-v5"];

describe("crossover", () => {
  const a = crossover({ observedGbps: 5, hardware: [...HW].reverse() }, QUICK);

  it("compares throughput by default with observedGbps", () => {
    expect(a.spec.metric).toBe("throughput");
  });

  it("orders the shapes by vCPUs", () => {
    const v = a.rows.map((r) => r.vcpus);
    expect(v).toEqual([...v].sort((x, y) => x - y));
    expect(a.rows.map((r) => r.hardware)).toEqual(HW);
  });

  it("agrees with predict run at each size", () => {
    for (const r of a.rows) {
      const p = predict({ hardware: r.hardware, tool: "retina-perf", observedGbps: 5 }, QUICK);
      const q = predict({ hardware: r.hardware, tool: "retina-ringbuf", observedGbps: 5 }, QUICK);
      expect(r.perfOverheadPct).toEqual(p.overheadPct);
      expect(r.ringbufOverheadPct).toEqual(q.overheadPct);
      expect(r.differencePp.mean).toBeCloseTo(p.overheadPct.mean - q.overheadPct.mean, 10);
    }
  });

  it("puts the crossover where the ring buffer wins at that size and every larger one", () => {
    if (a.crossoverVcpus === null) {
      expect(a.rows.at(-1)!.ringbufWins).toBe(false);
      return;
    }
    const k = a.rows.findIndex((r) => r.vcpus === a.crossoverVcpus);
    expect(a.rows.slice(k).every((r) => r.ringbufWins)).toBe(true);
    if (k > 0) expect(a.rows[k - 1].ringbufWins).toBe(false);
    for (const r of a.rows) expect(r.ringbufWins).toBe(r.differencePp.low > 0);
  });
});

describe("crossover with metric cpu (the default with offered traffic)", () => {
  // the query's own defaults: 0.05 s runs are dominated by start-up noise in node CPU
  const RUNS = { replications: 3, durationS: 0.1 };
  const a = crossover({ trafficGbps: 8, hardware: HW }, RUNS);

  it("defaults to cpu with trafficGbps and says so in the rule", () => {
    expect(a.spec.metric).toBe("cpu");
    expect(a.rule).toMatch(/node CPU/);
  });

  it("agrees with predict run at each size: node CPU difference, and its 95% rule", () => {
    for (const r of a.rows) {
      const p = predict({ hardware: r.hardware, tool: "retina-perf", trafficGbps: 8 }, RUNS);
      const q = predict({ hardware: r.hardware, tool: "retina-ringbuf", trafficGbps: 8 }, RUNS);
      expect(r.perfNodeCpuPct).toEqual(p.nodeCpuPct);
      expect(r.ringbufNodeCpuPct).toEqual(q.nodeCpuPct);
      expect(r.perfOverheadPct).toEqual(p.overheadPct);
      expect(r.differencePp.mean).toBeCloseTo(p.nodeCpuPct.mean - q.nodeCpuPct.mean, 10);
      expect(r.ringbufWins).toBe(r.differencePp.low > 0);
    }
  });

  it("finds a crossover on shipped hardware where the throughput metric finds none (the NIC binds: overhead 0)", () => {
    expect(a.rows.every((r) => r.perfOverheadPct.mean === 0 && r.ringbufOverheadPct.mean === 0)).toBe(true);
    expect(a.crossoverVcpus).not.toBeNull();
    const k = a.rows.findIndex((r) => r.vcpus === a.crossoverVcpus);
    expect(a.rows.slice(k).every((r) => r.ringbufWins)).toBe(true);
    if (k > 0) expect(a.rows[k - 1].ringbufWins).toBe(false);
    const t = crossover({ trafficGbps: 8, hardware: HW, metric: "throughput" }, RUNS);
    expect(t.crossoverVcpus).toBeNull();
  });
});

describe("crossover says always / never plainly, with the margin at each shape and what would flip it", () => {
  const a = crossover({ observedGbps: 8, hardware: ["azure-d8s-v5", "azure-d32s-v5"] }, { replications: 2, durationS: 0.1 });

  it("the verdict follows the rows: always = wins everywhere, never = nowhere, from = a crossover", () => {
    const wins = a.rows.map((r) => r.ringbufWins);
    const expected = wins.every(Boolean)
      ? "always"
      : !wins.some(Boolean)
        ? "never"
        : a.crossoverVcpus !== null && wins.indexOf(true) === wins.lastIndexOf(false) + 1
          ? "from"
          : "mixed";
    expect(a.verdict).toBe(expected);
    if (a.verdict === "always") {
      expect(a.statement).toMatch(/no crossover.*wins always, not from/);
    }
    if (a.verdict === "never") expect(a.statement).toMatch(/never/);
    // the margin at every shape is in the statement
    for (const r of a.rows) expect(a.statement).toContain(`${r.vcpus} vCPUs ${r.differencePp.mean >= 0 ? "+" : ""}${r.differencePp.mean.toFixed(2)} pp`);
  });

  it("for always/never it names the mechanism and the setting tried, and a flip is a real flip", () => {
    if (a.verdict !== "always" && a.verdict !== "never") {
      expect(a.flip).toBeNull();
      return;
    }
    const f = a.flip!;
    expect(f.mechanism.length).toBeGreaterThan(20);
    expect(f.tried.length).toBeGreaterThan(0);
    if (f.flipsAt !== null) {
      const last = f.tried.at(-1)!;
      expect(last.value).toBe(f.flipsAt);
      // always flips when the ring buffer stops winning; never when it starts
      expect(last.ringbufWins).toBe(a.verdict === "never");
      expect(f.tried.slice(0, -1).every((t) => t.ringbufWins === (a.verdict === "always"))).toBe(true);
    }
    if (a.verdict === "always") {
      expect(f.setting).toBe("wakeupEvents");
      // tried at the shape where the ring buffer's margin is smallest
      const closest = a.rows.reduce((x, y) => (y.differencePp.mean < x.differencePp.mean ? y : x));
      expect(f.hardware).toBe(closest.hardware);
    }
  });

  it("never calls a win at the smallest shape a crossover there", () => {
    if (a.verdict === "always") expect(a.statement).not.toMatch(/crossover at/);
  });
});

describe("crossover: the two sides are what they are named (issue 14)", () => {
  it("refuses swapped tools with one line naming the field and the value", () => {
    expect(() => crossover({ perfTool: "retina-ringbuf", ringbufTool: "retina-perf", hardware: ["azure-d4s-v5"], trafficGbps: 1 })).toThrow(
      /perfTool = "retina-ringbuf".*swapped/,
    );
    expect(() => crossover({ ringbufTool: "retina-perf", hardware: ["azure-d4s-v5"], trafficGbps: 1 })).toThrow(/ringbufTool = "retina-perf"/);
  });
});
