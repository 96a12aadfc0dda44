// Tests of the model loader: shipped files validate, bad inputs give the file, field pointer and value.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  listProfiles,
  loadCalibration,
  loadHardware,
  loadPlacement,
  loadProfile,
  loadTool,
  loadWorkload,
  ModelError,
  PROFILE_KINDS,
  validateProfile,
  type ProfileKind,
} from "../../src/models/load.ts";
import { kindDir, schemaPath } from "../../src/models/paths.ts";
import { CALIBRATION_CONSTANTS } from "../../src/models/types.ts";
import { MAX_PROFILE_BYTES } from "../../src/models/read.ts";

const tmp = mkdtempSync(join(tmpdir(), "bpfsim-models-"));

/** A deep copy of a shipped profile, as plain JSON. */
function shipped(kind: ProfileKind, name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(kindDir(kind), `${name}.json`), "utf8"));
}

/** Writes a profile to a temp file and returns its path. */
function writeTemp(fileName: string, content: unknown): string {
  const file = join(tmp, fileName);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

/** The message of the ModelError thrown by fn (fails the test if it does not throw one). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return (e as Error).message;
  }
  throw new Error("expected a ModelError");
}

describe("shipped profiles", () => {
  it("lists the expected names", () => {
    // the required profiles are all shipped (more may be added, e.g. for measured hosts)
    expect(listProfiles("tool")).toEqual(expect.arrayContaining(["falco", "hubble-perf", "retina-perf", "retina-ringbuf", "tetragon"]));
    expect(listProfiles("placement")).toEqual(["limited", "pinned", "unlimited"]);
    expect(listProfiles("workload")).toEqual(expect.arrayContaining(["offered-10g", "tcp-receiver-bursty", "tcp-receiver-saturating"]));
    expect(listProfiles("calibration")).toContain("literature");
    const vcpus = new Set(listProfiles("hardware").map((n) => loadHardware(n).vcpus));
    for (const n of [4, 8, 16, 32, 48, 64, 96, 192]) expect(vcpus.has(n), `a ${n}-vCPU shape`).toBe(true);
  });

  for (const kind of PROFILE_KINDS) {
    for (const name of listProfiles(kind)) {
      it(`${kind} ${name} validates and its name matches its file`, () => {
        const p = loadProfile(kind, name) as unknown as Record<string, unknown>;
        expect(p[kind === "calibration" ? "hostClass" : "name"]).toBe(name);
      });
    }
  }

  it("every hardware and tool figure has sources", () => {
    for (const n of listProfiles("hardware")) expect(loadHardware(n).sources.length).toBeGreaterThan(0);
    for (const n of listProfiles("tool")) expect(loadTool(n).sources.length).toBeGreaterThan(0);
  });

  it("the calibration schema names exactly CALIBRATION_CONSTANTS", () => {
    const schema = JSON.parse(readFileSync(schemaPath("calibration"), "utf8"));
    expect([...schema.properties.constants.required].sort()).toEqual([...CALIBRATION_CONSTANTS].sort());
    const lit = loadCalibration("literature");
    for (const c of CALIBRATION_CONSTANTS) {
      expect(lit.constants[c].method).toBe("literature");
      expect(lit.constants[c].source.length).toBeGreaterThan(10);
    }
  });

  it("loads by path as well as by name", () => {
    expect(loadTool(join(kindDir("tool"), "retina-perf.json"))).toEqual(loadTool("retina-perf"));
    expect(loadPlacement("limited").kind).toBe("limited");
    expect(loadWorkload("offered-10g").mode).toBe("offered");
  });
});

describe("bad inputs", () => {
  it("names the file, pointer and value of a non-power-of-two page count", () => {
    const t = shipped("tool", "retina-perf");
    t.buffer.pagesPerCpu = 3;
    const file = writeTemp("x.json", t);
    expect(errorOf(() => loadTool(file))).toContain(`${file}: /buffer/pagesPerCpu = 3: must be a power of two`);
  });

  it("reports a wrong type", () => {
    const h = shipped("hardware", "azure-d32s-v5");
    h.vcpus = "32";
    expect(errorOf(() => validateProfile("hardware", h, "inline"))).toContain('inline: /vcpus = "32": must be integer');
  });

  it("reports out-of-range values", () => {
    const p = shipped("placement", "limited");
    p.cfsPeriodUs = 500;
    expect(errorOf(() => validateProfile("placement", p, "p"))).toContain("p: /cfsPeriodUs = 500: must be >= 1000");
    p.cfsPeriodUs = 100000;
    p.cpuLimit = 0;
    expect(errorOf(() => validateProfile("placement", p, "p"))).toContain("p: /cpuLimit = 0: must be > 0");
    const t = shipped("tool", "retina-ringbuf");
    t.buffer.bytes = 6000;
    const msg = errorOf(() => validateProfile("tool", t, "t"));
    expect(msg).toContain("t: /buffer/bytes = 6000: must be multiple of 4096");
    expect(msg).toContain("t: /buffer/bytes = 6000: must be a power of two");
    t.buffer.bytes = 8388608;
    t.sampling = 0;
    expect(errorOf(() => validateProfile("tool", t, "t"))).toContain("t: /sampling = 0: must be >= 1");
  });

  it("rejects wakeupEvents together with watermarkBytes, and neither", () => {
    const t = shipped("tool", "retina-perf");
    t.buffer.wakeupEvents = 1;
    expect(errorOf(() => validateProfile("tool", t, "t"))).toContain("t: /buffer/watermarkBytes = 1: must not be set together with wakeupEvents");
    delete t.buffer.wakeupEvents;
    delete t.buffer.watermarkBytes;
    expect(errorOf(() => validateProfile("tool", t, "t"))).toContain("t: /buffer/wakeupEvents = (missing): one of wakeupEvents, watermarkBytes is required");
  });

  it("rejects unknown fields, missing fields and fields of another kind", () => {
    const t = shipped("tool", "retina-perf");
    t.buffer.bytes = 4096;
    expect(errorOf(() => validateProfile("tool", t, "t"))).toContain("t: /buffer/bytes = 4096: is not a known field");
    const h = shipped("hardware", "azure-d4s-v5");
    delete h.nic.bandwidthGbps;
    expect(errorOf(() => validateProfile("hardware", h, "h"))).toContain("h: /nic/bandwidthGbps = (missing): is required");
    const p = shipped("placement", "unlimited");
    p.dedicatedCpus = 2;
    expect(errorOf(() => validateProfile("placement", p, "p"))).toContain("p: /dedicatedCpus = 2: is not allowed here");
    const w = shipped("workload", "tcp-receiver-saturating");
    w.arrivals = { kind: "bursty", onMs: 10 };
    expect(errorOf(() => validateProfile("workload", w, "w"))).toContain("w: /arrivals/offMs = (missing): is required");
    const b = shipped("tool", "retina-perf");
    b.buffer.kind = "pipe";
    expect(errorOf(() => validateProfile("tool", b, "b"))).toContain('b: /buffer/kind = "pipe": must be one of "perf", "ringbuf"');
  });

  it("lists the available names for an unknown name", () => {
    expect(errorOf(() => loadTool("retina-pref"))).toBe(`unknown tool profile "retina-pref"; available: ${listProfiles("tool").join(", ")}`);
    expect(errorOf(() => loadHardware("azure-d2s-v5"))).toContain("azure-d32s-v5");
  });

  it("reports a missing file", () => {
    expect(errorOf(() => loadTool(join(tmp, "absent.json")))).toContain("absent.json: no such tool file");
  });

  it("reports invalid JSON with the file and position", () => {
    const file = writeTemp("broken.json", '{\n  "name": "x",\n  "vcpus": 4,\n}\n');
    const msg = errorOf(() => loadHardware(file));
    expect(msg).toBe(`${file}: invalid JSON at line 4, column 1`);
  });

  it("never echoes a file's contents in an error (a path read by mistake, e.g. a secret)", () => {
    const file = writeTemp("secret.txt", "root:SECRET-HASH-1234:19000:0:99999:7:::\n");
    for (const load of [loadHardware, loadTool, loadCalibration]) {
      const msg = errorOf(() => load(file));
      expect(msg).toContain("secret.txt");
      expect(msg).not.toContain("SECRET");
      expect(msg).not.toContain("root:");
    }
  });

  it("refuses a device, a FIFO or a folder as a profile at once, and a file over 4 MiB, naming the file", () => {
    expect(errorOf(() => loadHardware("/dev/zero"))).toBe("/dev/zero: not a regular file: a hardware file must be a file");
    expect(errorOf(() => loadHardware(tmp + "/"))).toContain("is a directory");
    const big = writeTemp("big.json", `{"name":"x","pad":"${"x".repeat(MAX_PROFILE_BYTES)}"}`);
    expect(errorOf(() => loadHardware(big))).toMatch(/big\.json: hardware file is \d+ bytes, over the limit of 4194304/);
  });

  it("a name is a name in models/: no separators, no '..'", () => {
    for (const bad of ["..", "...", "a..b", ".hidden", "-x", "a b"]) {
      expect(errorOf(() => loadCalibration(bad))).toContain(`calibration = ${JSON.stringify(bad)}: not a profile name`);
    }
  });

  it("rejects a name that breaks the naming pattern", () => {
    const t = shipped("tool", "falco");
    t.name = "Falco";
    expect(errorOf(() => validateProfile("tool", t, "t"))).toContain('t: /name = "Falco": must match pattern');
  });
});

/** JSON pointers of every numeric leaf of a document. */
function numericPointers(doc: unknown, at = ""): string[] {
  if (typeof doc === "number") return [at];
  if (Array.isArray(doc)) return doc.flatMap((v, i) => numericPointers(v, `${at}/${i}`));
  if (doc && typeof doc === "object") {
    return Object.entries(doc).flatMap(([k, v]) => numericPointers(v, `${at}/${k}`));
  }
  return [];
}

function setAt(doc: any, pointer: string, value: unknown): void {
  const keys = pointer.slice(1).split("/");
  let cur = doc;
  for (const k of keys.slice(0, -1)) cur = cur[k];
  cur[keys[keys.length - 1]] = value;
}

describe("property: a negative number in any numeric field is rejected with that field's pointer", () => {
  const cases = PROFILE_KINDS.flatMap((kind) =>
    listProfiles(kind).flatMap((name) =>
      numericPointers(shipped(kind, name))
        // provenance.host is a free-form description of the measured machine, not a model input
        .filter((pointer) => !pointer.startsWith("/provenance/host/"))
        .map((pointer) => ({ kind, name, pointer })),
    ),
  );

  it("has numeric fields to mutate in every kind", () => {
    for (const kind of PROFILE_KINDS) expect(cases.some((c) => c.kind === kind)).toBe(true);
  });

  it("holds for every profile and field", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.oneof(fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }), fc.integer({ max: -1 })),
        ({ kind, name, pointer }, negative) => {
          const doc = shipped(kind, name);
          setAt(doc, pointer, negative);
          const msg = errorOf(() => validateProfile(kind, doc, `${kind}/${name}`));
          expect(msg).toContain(`${kind}/${name}: ${pointer} = ${JSON.stringify(negative)}: `);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("bounds sizes from above: a profile cannot ask for unbounded work (vcpus 1e9 ran forever)", () => {
    const h = shipped("hardware", "azure-d4s-v5");
    h.vcpus = 1e9;
    expect(errorOf(() => validateProfile("hardware", h, "h"))).toContain("h: /vcpus = 1000000000: must be <= 1024");
    const t = shipped("tool", "retina-perf");
    t.recordBytes = 1e7;
    expect(errorOf(() => validateProfile("tool", t, "t"))).toContain("t: /recordBytes = 10000000: must be <= 65536");
    const w = shipped("workload", "offered-10g");
    w.offeredGbps = 1e9;
    expect(errorOf(() => validateProfile("workload", w, "w"))).toContain("w: /offeredGbps = 1000000000: must be <= 10000");
    // every shipped profile is within the bounds
    for (const kind of PROFILE_KINDS) for (const name of listProfiles(kind)) expect(() => loadProfile(kind, name)).not.toThrow();
  });
});
