import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MICRO_PERF_PAGES, MICRO_RINGBUF_BYTES, microbenchGrid, schedule, throughputGrid } from "../../src/measure/grid.ts";
import { loaderFlags } from "../../src/measure/loader.ts";

describe("microbenchGrid", () => {
  it("covers none/perf/ringbuf, 1..nproc producers, with and without consumer", () => {
    const g = microbenchGrid({ nproc: 2 });
    const ids = g.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of [1, 2]) {
      expect(ids).toContain(`micro-none-p${p}`);
      for (const tag of ["perf-we1", "perf-wm", "ringbuf-default", "ringbuf-nowakeup"]) {
        expect(ids).toContain(`micro-${tag}-p${p}-c`);
        expect(ids).toContain(`micro-${tag}-p${p}-nc`);
      }
    }
    expect(g).toHaveLength(18);
  });

  it("never lets a run without consumer overflow its buffer", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 128 }), fc.boolean(), (nproc, quick) => {
        for (const c of microbenchGrid({ nproc, quick })) {
          const perCpuRecords = c.repeat; // producer i runs on CPU i
          expect(perCpuRecords * 136).toBeLessThan(MICRO_PERF_PAGES * 4096);
          if (c.settings.mode === "ringbuf" && !c.consumer) {
            expect(c.producers * c.repeat * 128).toBeLessThanOrEqual(MICRO_RINGBUF_BYTES);
          }
          if (c.settings.watermarkBytes !== undefined) expect(c.repeat * 136).toBeLessThan(c.settings.watermarkBytes);
        }
      }),
    ));

  it("rejects a bad nproc, naming it", () => {
    expect(() => microbenchGrid({ nproc: 0 })).toThrow(/nproc/);
  });
});

describe("throughputGrid", () => {
  it("has baseline, none, perf and ringbuf in the quick grid, and the crossed variants in the full one", () => {
    expect(throughputGrid({ nproc: 2, quick: true }).map((c) => c.id)).toEqual(["tp-baseline", "tp-none", "tp-perf", "tp-ringbuf"]);
    const full = throughputGrid({ nproc: 2 });
    expect(full.find((c) => c.id === "tp-baseline")?.settings).toBeUndefined();
    expect(full.find((c) => c.id === "tp-perf-pinned")?.settings?.readerCpu).toBe(1);
    expect(full.find((c) => c.id === "tp-ringbuf-limit025")?.cpuLimit).toBe(0.25);
    expect(full.some((c) => c.settings?.sample === 10)).toBe(true);
    expect(full.some((c) => c.settings?.watermarkBytes !== undefined)).toBe(true);
    expect(full.some((c) => c.settings?.perfPages === 8)).toBe(true);
    // every configuration can be turned into loader flags
    for (const c of full) if (c.settings) expect(loaderFlags(c.settings)[0]).toBe("--mode");
  });
});

describe("schedule", () => {
  it("is repetition-major and keeps every repetition", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 8 }), (n, reps) => {
        const cfgs = Array.from({ length: n }, (_, i) => ({ id: `c${i}` }));
        const s = schedule(cfgs, reps);
        expect(s).toHaveLength(n * reps);
        s.forEach((e, i) => {
          expect(e.rep).toBe(Math.floor(i / n));
          expect(e.config.id).toBe(`c${i % n}`);
        });
      }),
    ));

  it("rejects a bad repetition count naming --reps", () => {
    expect(() => schedule([{ id: "a" }], 0)).toThrow(/--reps/);
  });
});

describe("loaderFlags", () => {
  it("maps settings to the loader's flags", () => {
    expect(loaderFlags({ mode: "ringbuf", ringbufBytes: 4096, rbWakeup: { forceEvery: 64 }, sample: 4, readerCpu: 1 })).toEqual([
      "--mode", "ringbuf", "--ringbuf-bytes", "4096", "--rb-wakeup", "nowakeup:64", "--sample", "4", "--reader-cpu", "1",
    ]);
    expect(loaderFlags({ mode: "perf", perfPages: 8, watermarkBytes: 1024 })).toEqual(["--mode", "perf", "--perf-pages", "8", "--watermark", "1024"]);
  });

  it("refuses wakeup_events together with a watermark", () => {
    expect(() => loaderFlags({ mode: "perf", wakeupEvents: 1, watermarkBytes: 10 })).toThrow(/exclusive/);
  });
});
