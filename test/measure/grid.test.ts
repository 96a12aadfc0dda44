import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DELAY_BURNS_NS,
  DELAY_MODES,
  delayGrid,
  limitGrid,
  limitTag,
  LOST_PERF_PAGES,
  MAX_WINDOW_BYTES,
  MIN_WINDOW_BYTES,
  windowTag,
  LOST_RINGBUF_BYTES,
  lostGrid,
  MICRO_PERF_PAGES,
  MICRO_RINGBUF_BYTES,
  microbenchGrid,
  schedule,
  shuffledSchedule,
  throughputGrid,
  wakeupGrid,
} from "../../src/measure/grid.ts";
import { readDataset } from "../../src/measure/jsonl.ts";
import { loaderFlags } from "../../src/measure/loader.ts";
import { shapeEndpoints, windowArgs } from "../../src/measure/throughput.ts";

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

describe("lostGrid (bpfsim measure --lost)", () => {
  it("puts each output mode into a ring too big to fill and into the smallest one, beside mode none, at 1..nproc producers", () => {
    const g = lostGrid({ nproc: 2 });
    const ids = g.map((c) => c.id);
    expect(ids).toEqual([1, 2].flatMap((p) => ["none", "perf-stored", "perf-full", "ringbuf-stored", "ringbuf-full"].map((t) => `micro-lost-${t}-p${p}`)));
    const calibrationIds = new Set(microbenchGrid({ nproc: 2 }).map((c) => c.id));
    for (const c of g) {
      expect(calibrationIds.has(c.id)).toBe(false);
      expect(c.consumer).toBe(false);
    }
    const byId = (id: string) => g.find((c) => c.id === id)!;
    expect(byId("micro-lost-perf-full-p1").settings).toEqual({ mode: "perf", perfPages: LOST_PERF_PAGES, wakeupEvents: 1 });
    expect(byId("micro-lost-ringbuf-full-p1").settings.ringbufBytes).toBe(LOST_RINGBUF_BYTES);
  });

  it("fills the small rings within the first 1% of a run and never the big ones", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.boolean(), (nproc, quick) => {
        for (const c of lostGrid({ nproc, quick })) {
          if (c.id.includes("-full-")) {
            const ringBytes = c.settings.mode === "perf" ? LOST_PERF_PAGES * 4096 : LOST_RINGBUF_BYTES;
            expect(ringBytes / 128).toBeLessThan(0.01 * c.repeat);
          }
          if (c.id.includes("ringbuf-stored")) expect(c.producers * c.repeat * 128).toBeLessThanOrEqual(MICRO_RINGBUF_BYTES);
          if (c.id.includes("perf-stored")) expect(c.repeat * 136).toBeLessThan(Math.min(MICRO_PERF_PAGES * 4096, c.settings.watermarkBytes!));
        }
      }),
    ));

  it("rejects a bad nproc, naming it", () => {
    expect(() => lostGrid({ nproc: 1.5 })).toThrow(/nproc/);
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

describe("limitGrid (bpfsim measure --limits)", () => {
  it("the baseline, perf and ring buffer unlimited, then each at every limit, with the throughput grid's ids", () => {
    const g = limitGrid([0.1, 0.25, 0.5, 1]);
    expect(g.map((c) => c.id)).toEqual([
      "tp-baseline",
      "tp-perf",
      "tp-perf-limit010",
      "tp-perf-limit025",
      "tp-perf-limit050",
      "tp-perf-limit100",
      "tp-ringbuf",
      "tp-ringbuf-limit010",
      "tp-ringbuf-limit025",
      "tp-ringbuf-limit050",
      "tp-ringbuf-limit100",
    ]);
    // the same settings as the throughput grid's configurations of the same id
    const full = throughputGrid({ nproc: 2 });
    for (const id of ["tp-baseline", "tp-perf", "tp-ringbuf", "tp-perf-limit025", "tp-ringbuf-limit025"]) {
      expect(
        g.find((c) => c.id === id),
        id,
      ).toEqual(full.find((c) => c.id === id));
    }
    expect(g.find((c) => c.id === "tp-perf-limit010")?.cpuLimit).toBe(0.1);
    expect(g.find((c) => c.id === "tp-perf")?.cpuLimit).toBeUndefined();
    // the lo-p2 shape keeps its own ids and marks each configuration
    expect(limitGrid([0.5], "lo-p2").map((c) => c.id)).toEqual([
      "tp-lo-p2-baseline",
      "tp-lo-p2-perf",
      "tp-lo-p2-perf-limit050",
      "tp-lo-p2-ringbuf",
      "tp-lo-p2-ringbuf-limit050",
    ]);
    expect(limitGrid([0.5], "lo-p2").every((c) => c.shape === "lo-p2")).toBe(true);
  });

  it("limit tags are hundredths of a CPU, three digits", () => {
    expect(limitTag(0.25)).toBe("limit025");
    expect(limitTag(1)).toBe("limit100");
    expect(limitTag(2.5)).toBe("limit250");
    fc.assert(fc.property(fc.integer({ min: 1, max: 999 }), (h) => limitTag(h / 100) === `limit${String(h).padStart(3, "0")}`));
  });

  it("rejects an empty list, limits out of range and repeats, naming --limits and the value", () => {
    expect(() => limitGrid([])).toThrow(/--limits/);
    expect(() => limitGrid([0])).toThrow(/--limits = "0"/);
    expect(() => limitGrid([100])).toThrow(/--limits = "100"/);
    expect(() => limitGrid([Number.NaN])).toThrow(/--limits = "NaN"/);
    expect(() => limitGrid([0.25, 0.251])).toThrow(/repeats limit limit025/);
    expect(() => limitGrid([0.5], "wifi" as never)).toThrow(/--shape/);
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
      "--mode",
      "ringbuf",
      "--ringbuf-bytes",
      "4096",
      "--rb-wakeup",
      "nowakeup:64",
      "--sample",
      "4",
      "--reader-cpu",
      "1",
    ]);
    expect(loaderFlags({ mode: "perf", perfPages: 8, watermarkBytes: 1024 })).toEqual(["--mode", "perf", "--perf-pages", "8", "--watermark", "1024"]);
    expect(loaderFlags({ mode: "none", burnNs: 2000 })).toEqual(["--mode", "none", "--burn-ns", "2000"]);
  });

  it("refuses wakeup_events together with a watermark", () => {
    expect(() => loaderFlags({ mode: "perf", wakeupEvents: 1, watermarkBytes: 10 })).toThrow(/exclusive/);
  });
});

describe("delayGrid", () => {
  it("crosses every output mode with every burn, plus a no-program baseline, ids naming both", () => {
    const g = delayGrid();
    expect(g).toHaveLength(1 + DELAY_MODES.length * DELAY_BURNS_NS.length);
    expect(g[0]).toEqual({ id: "tpd-baseline" });
    const ids = g.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of DELAY_MODES) {
      for (const b of DELAY_BURNS_NS) {
        const c = g.find((x) => x.id === `tpd-${m}-b${b}`);
        expect(c?.settings?.mode).toBe(m);
        expect(c?.settings?.burnNs).toBe(b);
        // the burn reaches the loader as --burn-ns
        const f = loaderFlags(c!.settings!);
        expect(f[f.indexOf("--burn-ns") + 1]).toBe(String(b));
      }
    }
    // burn 0 is every mode's reference; the perf and ringbuf settings are tp-perf's and tp-ringbuf's
    const tp = throughputGrid({ nproc: 2, quick: true });
    expect({ ...g.find((c) => c.id === "tpd-perf-b0")!.settings, burnNs: undefined }).toEqual({
      ...tp.find((c) => c.id === "tp-perf")!.settings,
      burnNs: undefined,
    });
    expect({ ...g.find((c) => c.id === "tpd-ringbuf-b0")!.settings, burnNs: undefined }).toEqual({
      ...tp.find((c) => c.id === "tp-ringbuf")!.settings,
      burnNs: undefined,
    });
  });

  it("names the lo-p2 shape in every id and configuration, and refuses an unknown shape", () => {
    const g = delayGrid({ shape: "lo-p2", modes: ["none"], burnsNs: [0, 500] });
    expect(g.map((c) => c.id)).toEqual(["tpd-lo-p2-baseline", "tpd-lo-p2-none-b0", "tpd-lo-p2-none-b500"]);
    expect(g.every((c) => c.shape === "lo-p2")).toBe(true);
    expect(delayGrid({ modes: ["none"], burnsNs: [0] }).every((c) => c.shape === undefined)).toBe(true);
    expect(() => delayGrid({ shape: "lo-p4" as never })).toThrow(/--shape.*lo-p4/);
  });

  it("a capped window (iperf3 -w): every configuration carries it, ids say it after the shape, and bad windows are refused", () => {
    const g = delayGrid({ modes: ["perf"], burnsNs: [0, 500], windowBytes: 16384 });
    expect(g.map((c) => c.id)).toEqual(["tpd-w16k-baseline", "tpd-w16k-perf-b0", "tpd-w16k-perf-b500"]);
    expect(g.every((c) => c.windowBytes === 16384)).toBe(true);
    expect(delayGrid({ shape: "lo-p2", modes: ["none"], burnsNs: [0], windowBytes: 65536 }).map((c) => c.id)).toEqual([
      "tpd-lo-p2-w64k-baseline",
      "tpd-lo-p2-w64k-none-b0",
    ]);
    expect(delayGrid({ modes: ["none"], burnsNs: [0] }).every((c) => c.windowBytes === undefined)).toBe(true);
    for (const bad of [MIN_WINDOW_BYTES - 1, 16384.5, MAX_WINDOW_BYTES + 1, Number.NaN]) {
      expect(() => delayGrid({ windowBytes: bad })).toThrow(/--window/);
    }
    expect(windowTag(16384)).toBe("w16k");
    expect(windowArgs({ windowBytes: 16384 })).toEqual(["-w", "16384"]);
    expect(windowArgs({})).toEqual([]);
  });

  it("takes a subset of modes and burns", () => {
    expect(delayGrid({ modes: ["none"], burnsNs: [0, 1000], baseline: false }).map((c) => c.id)).toEqual(["tpd-none-b0", "tpd-none-b1000"]);
  });

  it("rejects bad burns and modes, naming the flag and the value", () => {
    expect(() => delayGrid({ burnsNs: [0, -1] })).toThrow(/--burns.*-1|-1.*--burns/);
    expect(() => delayGrid({ burnsNs: [0, 1.5] })).toThrow(/--burns/);
    expect(() => delayGrid({ burnsNs: [0, 1_000_001] })).toThrow(/--burns.*1000001/);
    expect(() => delayGrid({ burnsNs: [] })).toThrow(/--burns/);
    expect(() => delayGrid({ burnsNs: [0, 0] })).toThrow(/--burns.*twice/);
    expect(() => delayGrid({ modes: ["perf", "perf"] })).toThrow(/--delay-modes.*twice/);
    expect(() => delayGrid({ modes: ["bogus" as never] })).toThrow(/--delay-modes.*bogus/);
    expect(() => delayGrid({ modes: [] })).toThrow(/--delay-modes/);
  });
});

describe("shuffledSchedule", () => {
  it("runs every configuration once per round, in an order that depends only on the seed", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 }), (n, reps, seed) => {
        const cfgs = Array.from({ length: n }, (_, i) => ({ id: `c${i}` }));
        const s = shuffledSchedule(cfgs, reps, seed);
        expect(s).toHaveLength(n * reps);
        for (let rep = 0; rep < reps; rep++) {
          const round = s.slice(rep * n, (rep + 1) * n);
          expect(round.every((e) => e.rep === rep)).toBe(true);
          expect(round.map((e) => e.config.id).sort()).toEqual(cfgs.map((c) => c.id).sort());
        }
        expect(shuffledSchedule(cfgs, reps, seed)).toEqual(s);
      }),
    ));

  it("actually interleaves: rounds of 25 configurations are not all in the same order", () => {
    const cfgs = delayGrid();
    const s = shuffledSchedule(cfgs, 5, 1);
    const orders = new Set(
      [0, 1, 2, 3, 4].map((r) =>
        s
          .slice(r * cfgs.length, (r + 1) * cfgs.length)
          .map((e) => e.config.id)
          .join(","),
      ),
    );
    expect(orders.size).toBe(5);
    expect(orders.has(cfgs.map((c) => c.id).join(","))).toBe(false);
  });

  it("rejects a bad repetition count or seed, naming the flag", () => {
    expect(() => shuffledSchedule([{ id: "a" }], 0, 1)).toThrow(/--reps/);
    expect(() => shuffledSchedule([{ id: "a" }], 1, 0.5)).toThrow(/--seed/);
  });
});

describe("throughputGrid and wakeupGrid on the lo-p2 shape", () => {
  it("keeps the veth grid exactly as the committed dataset recorded it", () => {
    // the configurations are stored in every row: a veth campaign after this change must write the same ones
    const rows = readDataset("validation/data/kvm-2vcpu-amd-epyc-2026-11-25.jsonl");
    const recorded = new Map<string, unknown>();
    for (const r of rows) if (r.kind === "throughput") recorded.set(r.configId, r.config);
    const grid = throughputGrid({ nproc: 2 });
    expect(grid.map((c) => c.id)).toEqual([...recorded.keys()]);
    for (const c of grid) expect(c).toEqual(recorded.get(c.id));
    const w = readDataset("validation/data/kvm-2vcpu-amd-epyc-2026-11-25-wakeups.jsonl");
    const wRecorded = new Map<string, unknown>();
    for (const r of w) if (r.kind === "throughput") wRecorded.set(r.configId, r.config);
    for (const c of wakeupGrid()) expect(c).toEqual(wRecorded.get(c.id));
  });

  it("gives every lo-p2 configuration its own id and the shape, with the veth grid's settings", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.boolean(), (nproc, quick) => {
        const veth = throughputGrid({ nproc, quick });
        const lo = throughputGrid({ nproc, quick, shape: "lo-p2" });
        expect(lo.map((c) => c.id)).toEqual(veth.map((c) => c.id.replace(/^tp-/, "tp-lo-p2-")));
        expect(lo.every((c) => c.shape === "lo-p2")).toBe(true);
        expect(veth.every((c) => c.shape === undefined)).toBe(true);
        for (const [i, c] of lo.entries()) {
          expect(c.settings).toEqual(veth[i]!.settings);
          expect(c.cpuLimit).toBe(veth[i]!.cpuLimit);
        }
        // ids never collide across shapes, so both can share one file
        expect(new Set([...veth, ...lo].map((c) => c.id)).size).toBe(veth.length + lo.length);
      }),
    ));

  it("shapes the wakeup grid too, and refuses an unknown shape naming --shape", () => {
    const w = wakeupGrid("lo-p2");
    expect(w.map((c) => c.id)).toEqual(wakeupGrid().map((c) => c.id.replace(/^tpw-/, "tpw-lo-p2-")));
    expect(w.every((c) => c.shape === "lo-p2" && c.countWakeups === true)).toBe(true);
    expect(() => throughputGrid({ nproc: 2, shape: "lo-p4" as never })).toThrow(/--shape.*lo-p4/);
    expect(() => wakeupGrid("eth0" as never)).toThrow(/--shape.*eth0/);
  });

  it("runs lo-p2 inside namespace a on its loopback with two streams, veth across the pair", () => {
    const pair = { nsA: "bpfsim-1-a", nsB: "bpfsim-1-b", ifA: "bs1a", ifB: "bs1b", addrB: "198.18.0.2" };
    expect(shapeEndpoints(pair, "lo-p2")).toEqual({ serverNs: "bpfsim-1-a", serverAddr: "127.0.0.1", ifaces: ["lo@bpfsim-1-a"], clientArgs: ["-P", "2"] });
    const v = shapeEndpoints(pair, undefined);
    expect(v).toEqual(shapeEndpoints(pair, "veth"));
    expect(v).toEqual({ serverNs: "bpfsim-1-b", serverAddr: "198.18.0.2", ifaces: ["bs1a@bpfsim-1-a:host", "bs1b@bpfsim-1-b"], clientArgs: [] });
    // never an interface outside the harness's namespaces
    for (const s of [v, shapeEndpoints(pair, "lo-p2")]) for (const i of s.ifaces) expect(i).toMatch(/@bpfsim-1-[ab]/);
  });
});
