import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseLoaderOutput, wakeupRatio, type LoaderReport } from "../../src/measure/loader.ts";

// loaderFlags is covered in test/measure/grid.test.ts; the loader's last-line JSON in jsonl.test.ts.
const rep = (o: Partial<LoaderReport>): LoaderReport => ({ records: 0, emitted: 0, failed: 0, ...o }) as LoaderReport;

describe("wakeupRatio: wakeups per parser output", () => {
  it("fentry counts first: perf_event_wakeup / perf_event_output (kernel/events/ring_buffer.c perf_output_wakeup)", () => {
    expect(wakeupRatio(rep({ perf_event_output_calls: 1000, perf_event_wakeup_calls: 700, irq_work_ipis: 5, emitted: 9 }))).toEqual({
      ratio: 0.7,
      outputs: 1000,
      wakeups: 700,
      method: "fentry",
    });
  });
  it("else irq_work self-IPIs less the background over all output calls (emitted + failed)", () => {
    // 900 IPIs - 100 background = 800 over 750 + 250 outputs
    expect(wakeupRatio(rep({ irq_work_ipis: 900, emitted: 750, failed: 250 }), 100)).toEqual({
      ratio: 0.8,
      outputs: 1000,
      wakeups: 800,
      method: "irq_work_ipi",
    });
  });
  it("a background above the run's IPIs gives 0 wakeups, never negative", () => {
    expect(wakeupRatio(rep({ irq_work_ipis: 10, emitted: 100 }), 50)!.ratio).toBe(0);
  });
  it("undefined without counts or outputs (null counts are kernels that refused them)", () => {
    expect(wakeupRatio(rep({ emitted: 10 }))).toBeUndefined();
    expect(wakeupRatio(rep({ irq_work_ipis: null, perf_event_output_calls: null, emitted: 10 }))).toBeUndefined();
    expect(wakeupRatio(rep({ irq_work_ipis: 10 }))).toBeUndefined();
    expect(wakeupRatio(rep({ perf_event_output_calls: 0, perf_event_wakeup_calls: 0 }))).toBeUndefined();
  });
  it("property: the ratio is wakeups / outputs and non-negative", () => {
    fc.assert(
      fc.property(fc.nat(1e6), fc.nat(1e6), fc.integer({ min: 1, max: 1e6 }), fc.nat(1e6), (ipis, bg, emitted, failed) => {
        const w = wakeupRatio(rep({ irq_work_ipis: ipis, emitted, failed }), bg)!;
        expect(w.ratio).toBeGreaterThanOrEqual(0);
        expect(w.ratio).toBeCloseTo(w.wakeups / w.outputs, 12);
      }),
    );
  });
});

describe("parseLoaderOutput", () => {
  it("refuses output with no JSON object, quoting its start", () => {
    expect(() => parseLoaderOutput("attaching...\ndone\n")).toThrow(/printed no JSON object: "attaching/);
  });
});
