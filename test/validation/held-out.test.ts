import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { DatasetRow } from "../../src/measure/jsonl.ts";
import { loadCalibration } from "../../src/models/load.ts";
import { heldOutConfigurations, type FittedCalibrationFile } from "../../src/validation/held-out.ts";

const tp = (configId: string, rep: number, gbps: number): DatasetRow =>
  ({
    kind: "throughput",
    runId: `${configId}#${rep}`,
    configId,
    rep,
    hostClass: "test",
    config: { id: configId, settings: { mode: "perf" } },
    durationS: 5,
    userHz: 100,
    iperf: { bitsPerSecond: gbps * 1e9, bytes: 1, retransmits: 0, senderCpuPercent: 0, receiverCpuPercent: 0 },
    procStat: { ctxt: 0, cpu: {} },
  }) as unknown as DatasetRow;

const lit = loadCalibration("literature");

describe("heldOutConfigurations", () => {
  it("compares only configurations none of whose runs were used, with median and min-max", () => {
    const rows = [tp("a", 0, 1), tp("a", 1, 2), tp("b", 0, 3), tp("b", 1, 5), tp("b", 2, 4), tp("c", 0, 1), tp("c", 1, 1)];
    const cal: FittedCalibrationFile = { calibration: lit, heldOut: ["b#0", "b#1", "b#2", "c#1"], file: "x" };
    const s = heldOutConfigurations(rows, cal);
    expect(s.heldOut.map((c) => c.configId)).toEqual(["b"]);
    expect(s.heldOut[0]).toMatchObject({ medianGbps: 4, minGbps: 3, maxGbps: 5 });
    expect(s.partial).toEqual([{ configId: "c", used: ["c#0"], heldOut: ["c#1"] }]);
    expect(s.used).toEqual(["a"]);
  });

  it("treats a run named by a constant as used even when listed as held out", () => {
    const cal = structuredClone(lit);
    cal.constants.contextSwitchNs = { ...cal.constants.contextSwitchNs, method: "fitted", runs: ["b#1"] };
    const s = heldOutConfigurations([tp("b", 0, 1), tp("b", 1, 1)], { calibration: cal, heldOut: ["b#0", "b#1"], file: "x" });
    expect(s.heldOut).toEqual([]);
  });

  it("holds nothing out when the file does not list heldOut", () => {
    const s = heldOutConfigurations([tp("b", 0, 1)], { calibration: lit, heldOut: undefined, file: "x" });
    expect(s.heldOut).toEqual([]);
  });

  it("never selects a run the calibration used (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("a", "b", "c", "d"), fc.nat(3), fc.boolean()), { maxLength: 20 }),
        (spec) => {
          const seen = new Set<string>();
          const rows: DatasetRow[] = [];
          const held: string[] = [];
          for (const [c, rep, isHeld] of spec) {
            const id = `${c}#${rep}`;
            if (seen.has(id)) continue;
            seen.add(id);
            rows.push(tp(c, rep, rep + 1));
            if (isHeld) held.push(id);
          }
          const s = heldOutConfigurations(rows, { calibration: lit, heldOut: held, file: "x" });
          const used = new Set(rows.map((r) => r.runId).filter((r) => !held.includes(r)));
          for (const c of s.heldOut) for (const r of c.runs) expect(used.has(r)).toBe(false);
        },
      ),
    );
  });
});
