/**
 * The placement probe's output (bpf/tools/placement.sh, src/measure/placement.ts), and the
 * measurement the hardware field `nic.receiveFollowsSender` of dev-kvm-2vcpu rests on: on the
 * measuring host the receive softirq is not kept off a pinned reader's CPU.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { parsePlacement, readPlacement, summarisePlacement } from "../../src/measure/placement.ts";
import { loadHardware } from "../../src/models/load.ts";
import { REPO_ROOT } from "../../src/measure/loader.ts";

const DATASET = join(REPO_ROOT, "validation", "data", "placement", "kvm-2vcpu-amd-epyc-2026-12-02.jsonl");
const line = (o: Record<string, unknown>) =>
  JSON.stringify({
    shape: "veth",
    mode: "perf",
    readerCpu: 1,
    rep: 0,
    gbps: 10,
    softirqShareByCpu: [0.5, 0.5],
    softirqOfCpuTime: [0.2, 0.2],
    iperf3SeenByCpu: [0.4, 0.6],
    readerSeenByCpu: [0, 1],
    ...o,
  });

describe("parsePlacement", () => {
  it("reads the probe's lines and skips blank ones", () => {
    const runs = parsePlacement(`${line({})}\n\n${line({ mode: "off", readerCpu: -1, readerSeenByCpu: null })}\n`);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.readerSeenByCpu).toBeNull();
  });
  it.each([
    ["mode", { mode: "xdp" }],
    ["readerCpu", { readerCpu: -2 }],
    ["softirqShareByCpu", { softirqShareByCpu: [1.5, -0.5] }],
    ["gbps", { gbps: -1 }],
    ["loader", { loader: [1, 2] }],
  ])("a bad %s is named with its line and value", (field, o) => {
    expect(() => parsePlacement(`${line({})}\n${line(o)}`, "f.jsonl")).toThrow(new RegExp(`^f\\.jsonl:2: ${field} = `));
  });
  it("keeps the loader's own object when the line carries one (files from 2026-12-02 on)", () => {
    const runs = parsePlacement(`${line({ loader: { records: 5 } })}
${line({})}`);
    expect(runs[0]!.loader).toEqual({ records: 5 });
    expect(runs[1]!.loader).toBeUndefined();
  });
  it("a run without ps samples (SAMPLE=0) carries null shares and says so; shares without that flag, or a flag other than false, are refused", () => {
    const runs = parsePlacement(line({ psSampled: false, iperf3SeenByCpu: null, readerSeenByCpu: null }));
    expect(runs[0]!.psSampled).toBe(false);
    expect(runs[0]!.iperf3SeenByCpu).toBeNull();
    expect(summarisePlacement(runs)[0]!.iperf3OnReaderCpu).toBeNull();
    expect(() => parsePlacement(line({ iperf3SeenByCpu: null }), "f.jsonl")).toThrow(/^f\.jsonl:1: iperf3SeenByCpu = null/);
    expect(() => parsePlacement(line({ psSampled: false }), "f.jsonl")).toThrow(/^f\.jsonl:1: iperf3SeenByCpu = \[0\.4,0\.6\]/);
    expect(() => parsePlacement(line({ psSampled: true }), "f.jsonl")).toThrow(/^f\.jsonl:1: psSampled = true/);
  });
  it("keeps a wake-to-run trace (WAKE_TO_RUN=1) and names a malformed one", () => {
    const w = {
      traceSeconds: 4,
      histUs: [
        [0, 0, 3],
        [1, 1, 5],
      ],
      count: 8,
      meanUs: 1.2,
      longN: 1,
      longAfter: { iperf3: 1 },
    };
    expect(parsePlacement(line({ wakeToRun: w }))[0]!.wakeToRun).toEqual(w);
    expect(parsePlacement(line({ wakeToRun: null }))[0]!.wakeToRun).toBeNull();
    expect(() => parsePlacement(line({ wakeToRun: { ...w, longAfter: { iperf3: -1 } } }), "f.jsonl")).toThrow(/^f\.jsonl:1: wakeToRun = /);
    expect(() => parsePlacement(line({ wakeToRun: { ...w, histUs: [[0, 0]] } }), "f.jsonl")).toThrow(/^f\.jsonl:1: wakeToRun = /);
    expect(() => parsePlacement(line({ wakeToRun: { ...w, traceSeconds: 0 } }), "f.jsonl")).toThrow(/^f\.jsonl:1: wakeToRun = /);
  });
  it("keeps a preemption trace (PREEMPT_STALLS=1) and names a malformed one", () => {
    const t = { traceSeconds: 4, stalls: 10, meanUs: 60, totalUs: 600, histUs: [[32, 63, 10]], preemptedBy: { iperf3: 10 } };
    expect(parsePlacement(line({ preemptStalls: t }))[0]!.preemptStalls).toEqual(t);
    expect(() => parsePlacement(line({ preemptStalls: { ...t, meanUs: -1 } }), "f.jsonl")).toThrow(/^f\.jsonl:1: preemptStalls = /);
    expect(() => parsePlacement(line({ preemptStalls: { ...t, preemptedBy: { iperf3: 1.5 } } }), "f.jsonl")).toThrow(/^f\.jsonl:1: preemptStalls = /);
  });
  it("a line that is not JSON is named", () => {
    expect(() => parsePlacement("{", "f.jsonl")).toThrow("f.jsonl:1: not JSON");
  });
});

describe("summarisePlacement", () => {
  it("groups by shape, mode and reader CPU and reads the reader's CPU (CPU 1 when unpinned)", () => {
    const s = summarisePlacement(
      parsePlacement(
        [line({ softirqShareByCpu: [0.6, 0.4] }), line({ softirqShareByCpu: [0.4, 0.6] }), line({ readerCpu: -1, softirqShareByCpu: [0.3, 0.7] })].join("\n"),
      ),
    );
    expect(s).toHaveLength(2);
    const pinned = s.find((x) => x.readerCpu === 1)!;
    expect(pinned.runs).toBe(2);
    expect(pinned.softirqOnReaderCpu.median).toBeCloseTo(0.5, 9);
    expect(s.find((x) => x.readerCpu === -1)!.softirqOnReaderCpu.median).toBeCloseTo(0.7, 9);
  });
});

describe("the measuring host (validation/data/placement/kvm-2vcpu-amd-epyc-2026-12-02.jsonl)", () => {
  const summary = summarisePlacement(readPlacement(DATASET));
  it("has every shape x configuration the campaign planned, 5 runs each", () => {
    expect(summary).toHaveLength(10);
    for (const s of summary) expect(s.runs).toBe(5);
  });
  it("a reader pinned to CPU 1 shares its CPU with the receive softirq as an unpinned one does: about half of it, far from none", () => {
    for (const s of summary.filter((x) => x.readerCpu === 1)) {
      expect(s.softirqOnReaderCpu.median).toBeGreaterThan(0.35);
      expect(s.softirqOnReaderCpu.median).toBeLessThan(0.65);
      expect(s.softirqOnReaderCpu.min).toBeGreaterThan(0.2);
    }
  });
  it("so its profile says the receive path follows the sender, which no NIC profile says", () => {
    expect(loadHardware("dev-kvm-2vcpu").nic.receiveFollowsSender).toBe(true);
    for (const name of ["azure-d32s-v5", "azure-d64s-v5"]) expect(loadHardware(name).nic.receiveFollowsSender ?? false).toBe(false);
  });
});
