/**
 * `judgeClaim(claim)`: checks a vendor's claim (models/schema/claim.schema.json) against the model.
 *
 * The claim's settings are simulated; each claimed quantity (overhead %: of throughput, compared with
 * overheadPct, or with `overheadKind: "cpu"` of the node's CPU, compared with nodeCpuPct; agent CPU cores) gets a
 * verdict against the predicted 95% interval widened by the model's validated error for that kind of
 * scenario (buffer kind and node size: src/validation/model-error.ts, validation/model-error.json), which
 * the replication interval does not include:
 *  - "consistent": inside [low - tol, high + tol], tol = the band's error (pp, for throughput overhead;
 *    its relative error × |mean| for node CPU % and cores), or a larger tolerance the user asks for
 *    (max(absolute, relative × |mean|));
 *  - "optimistic": below it (claims less cost than predicted);
 *  - "pessimistic": above it;
 *  - "impossible": agent CPU below what the BPF programs alone need at the carried traffic, a lower
 *    bound from the kernel-side cost that no reader design removes: skbs/s × hooks × bpfProgramNs ×
 *    programCostFactor, counting received skbs (MSS × GRO segments each) and their ACKs.
 * The claim's verdict is "impossible" if any quantity is, else the first non-consistent one
 * (overhead, then CPU), else "consistent".
 */
import { readTextFile } from "../models/read.ts";
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import type { Estimate } from "../engine/index.ts";
import { ModelError, type ModelIssue } from "../models/errors.ts";
import { fileLabel, MODELS_DIR } from "../models/paths.ts";
import { buildScenario, type ScenarioSpec } from "../node/scenario.ts";
import type { Scenario } from "../node/simulate.ts";
import { join } from "node:path";
import { type CalibrationRef, type MetricBasis, type QueryRunOptions } from "./common.ts";
import { predictScenario, type Prediction } from "./predict.ts";
import { modelErrorFor, readModelError, type ErrorBand, type ModelErrorFile } from "../validation/model-error.ts";

export interface Claim {
  name: string;
  description: string;
  source: string;
  tool: { profile: string; overrides?: { sampling?: number; perfPages?: number; wakeupEvents?: number; ringbufBytes?: number } };
  node: { hardware: string; calibration?: string };
  traffic: { offeredGbps?: number; observedGbps?: number; workload?: string };
  placement?: string;
  claimedOverheadPct?: number;
  /** What claimedOverheadPct is a share of: throughput lost ("throughput", compared with overheadPct) or the node's CPU ("cpu", compared with nodeCpuPct). @defaultValue "throughput" */
  overheadKind?: "throughput" | "cpu";
  claimedAgentCpuCores?: number;
}

export type Verdict = "consistent" | "optimistic" | "pessimistic" | "impossible";

/**
 * A tolerance the user adds on top of the model's validated error (the larger applies). The default
 * adds nothing: the model's error (validation/model-error.json) is the tolerance.
 */
export interface ModelTolerance {
  /** @defaultValue 0 (fraction of the predicted mean) */
  relative: number;
  /** @defaultValue 0 percentage points of overhead */
  overheadPp: number;
  /** @defaultValue 0 cores */
  cpuCores: number;
}

export const DEFAULT_TOLERANCE: ModelTolerance = { relative: 0, overheadPp: 0, cpuCores: 0 };

export interface QuantityVerdict {
  claimed: number;
  predicted: Estimate;
  /** The predicted interval widened by the tolerance. */
  accepted: { low: number; high: number };
  verdict: Verdict;
}

export interface ClaimAnswer {
  query: "claim";
  claim: Claim;
  spec: ScenarioSpec;
  calibration: CalibrationRef;
  replications: number;
  tolerance: ModelTolerance;
  /** The model's validated error for this kind of scenario, and where it comes from. */
  modelError: ErrorBand & { file: string; generated: string };
  verdict: Verdict;
  /** What `overhead` compares: the claim's overheadKind (default "throughput"). */
  overheadKind: "throughput" | "cpu";
  overhead: QuantityVerdict | null;
  agentCpu: (QuantityVerdict & { bpfLowerBoundCores: number }) | null;
  dominantMechanism: string | null;
  dominantMechanismBasis: MetricBasis;
  reason: string;
  prediction: Prediction;
}

let validate: ReturnType<Ajv["compile"]> | undefined;

/** Checks a claim object against models/schema/claim.schema.json; `label` names it in messages. */
export function validateClaim(doc: unknown, label: string): Claim {
  validate ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(MODELS_DIR, "schema", "claim.schema.json"), "utf8")));
  if (validate(doc)) return doc as Claim;
  const issues: ModelIssue[] = (validate.errors ?? [])
    .filter((e) => !e.schemaPath.startsWith("#/anyOf/"))
    .map((e) => {
      const p = e.params as Record<string, unknown>;
      // the root's anyOf (one of the claimed quantities) is about a missing field: name it, not "/"
      const pointer =
        e.keyword === "required"
          ? `${e.instancePath}/${String(p.missingProperty)}`
          : e.keyword === "additionalProperties"
            ? `${e.instancePath}/${String(p.additionalProperty)}`
            : e.keyword === "anyOf" && e.instancePath === ""
              ? "/claimedOverheadPct"
              : e.instancePath || "/";
      const value = pointer
        .split("/")
        .slice(1)
        .reduce<unknown>((cur, k) => (cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[k] : undefined), doc);
      const message =
        e.keyword === "additionalProperties"
          ? "is not a known field"
          : e.keyword === "anyOf"
            ? "needs claimedOverheadPct or claimedAgentCpuCores"
            : e.keyword === "not"
              ? "offeredGbps and observedGbps are exclusive"
              : (e.message ?? e.keyword);
      return { pointer, value: e.keyword === "required" ? undefined : value, message };
    });
  throw new ModelError(label, issues);
}

/** Reads and validates a claim file. */
export function loadClaim(file: string): Claim {
  const label = fileLabel(file);
  const text = readTextFile(file, "claim file", { error: (m) => new ModelError(label, [], m.replace(file, label)) });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // the parser's message quotes the file: say where, not what
    throw new ModelError(label, [], `${label}: invalid JSON`);
  }
  return validateClaim(doc, label);
}

export function claimSpec(c: Claim): ScenarioSpec {
  return {
    hardware: c.node.hardware,
    tool: c.tool.profile,
    calibration: c.node.calibration,
    placement: c.placement,
    workload: c.traffic.workload,
    trafficGbps: c.traffic.offeredGbps,
    observedGbps: c.traffic.observedGbps,
    ...c.tool.overrides,
  };
}

/** CPU cores the BPF programs alone need at `gbps` of received traffic (a lower bound on the agent's cost). */
export function bpfLowerBoundCores(s: Scenario, gbps: number): number {
  if (s.tool === null) return 0;
  const w = s.workload;
  const skbsPerS = (gbps * 1e9) / 8 / (w.mssBytes * w.groSegments);
  const runsPerS = skbsPerS * s.tool.hooksPerPacket.ingress + (skbsPerS / w.skbsPerAck) * s.tool.hooksPerPacket.egress;
  return (runsPerS * s.calibration.constants.bpfProgramNs.value * s.tool.programCostFactor) / 1e9;
}

function judge(claimed: number, predicted: Estimate, absolute: number, relative: number, modelTol: number): QuantityVerdict {
  const tol = Math.max(modelTol, absolute, relative * Math.abs(predicted.mean));
  // a cost is never negative: the accepted range stops at 0
  const accepted = { low: Math.max(0, predicted.low - tol), high: predicted.high + tol };
  const verdict: Verdict = claimed < accepted.low ? "optimistic" : claimed > accepted.high ? "pessimistic" : "consistent";
  return { claimed, predicted, accepted, verdict };
}

export function judgeClaim(claim: Claim, options: QueryRunOptions & { tolerance?: Partial<ModelTolerance>; modelError?: ModelErrorFile } = {}): ClaimAnswer {
  const tolerance = { ...DEFAULT_TOLERANCE, ...options.tolerance };
  const spec = claimSpec(claim);
  const scenario = buildScenario(spec);
  const p = predictScenario(spec, scenario, options);
  const errors = options.modelError ?? readModelError();
  const band = modelErrorFor(errors, scenario.tool?.buffer.kind === "ringbuf" ? "ringbuf" : "perf", scenario.hardware.vcpus);
  const overheadKind = claim.overheadKind ?? "throughput";
  const overheadEst = overheadKind === "cpu" ? p.nodeCpuPct : p.overheadPct;
  const overheadModelTol = overheadKind === "cpu" ? band.relativeError * Math.abs(overheadEst.mean) : band.errorPp;
  const overhead =
    claim.claimedOverheadPct === undefined ? null : judge(claim.claimedOverheadPct, overheadEst, tolerance.overheadPp, tolerance.relative, overheadModelTol);
  let agentCpu: ClaimAnswer["agentCpu"] = null;
  if (claim.claimedAgentCpuCores !== undefined) {
    const total = sumEstimates(p.agentCpuCores, p.kernelCpuCores);
    // the least traffic the node carries with the agent, within the interval
    const bound = bpfLowerBoundCores(scenario, Math.max(0, p.withAgentGbps.low));
    const v = judge(claim.claimedAgentCpuCores, total, tolerance.cpuCores, tolerance.relative, band.relativeError * Math.abs(total.mean));
    agentCpu = { ...v, bpfLowerBoundCores: bound, verdict: claim.claimedAgentCpuCores < bound ? "impossible" : v.verdict };
  }
  const all = [overhead, agentCpu].filter((v): v is QuantityVerdict => v !== null);
  const verdict: Verdict = all.some((v) => v.verdict === "impossible") ? "impossible" : (all.find((v) => v.verdict !== "consistent")?.verdict ?? "consistent");
  const f = (x: number) => x.toFixed(3).replace(/\.?0+$/, "");
  const reasons: string[] = [];
  if (overhead)
    reasons.push(
      `${overheadKind === "cpu" ? "node CPU" : "throughput overhead"}: claimed ${f(overhead.claimed)}%, predicted ${f(overhead.predicted.mean)}% [${f(overhead.predicted.low)}, ${f(overhead.predicted.high)}], accepted [${f(overhead.accepted.low)}, ${f(overhead.accepted.high)}] → ${overhead.verdict}`,
    );
  if (agentCpu) {
    reasons.push(
      agentCpu.verdict === "impossible"
        ? `agent CPU: claimed ${f(agentCpu.claimed)} cores, but the BPF programs alone need at least ${f(agentCpu.bpfLowerBoundCores)} cores at ${f(Math.max(0, p.withAgentGbps.low))} Gb/s → impossible`
        : `agent CPU: claimed ${f(agentCpu.claimed)} cores, predicted ${f(agentCpu.predicted.mean)} [${f(agentCpu.predicted.low)}, ${f(agentCpu.predicted.high)}], accepted [${f(agentCpu.accepted.low)}, ${f(agentCpu.accepted.high)}] → ${agentCpu.verdict}`,
    );
  }
  return {
    query: "claim",
    claim,
    spec,
    calibration: p.calibration,
    replications: p.replications,
    tolerance,
    modelError: { ...band, file: "validation/model-error.json", generated: `${errors.provenance.command} (${errors.provenance.date})` },
    verdict,
    overheadKind,
    overhead,
    agentCpu,
    dominantMechanism: p.dominantMechanism,
    dominantMechanismBasis: p.dominantMechanismBasis,
    reason: reasons.join("; "),
    prediction: p,
  };
}

/** a + b with an approximate 95% interval (half-widths added in quadrature). */
function sumEstimates(a: Estimate, b: Estimate): Estimate {
  const mean = a.mean + b.mean;
  const halfWidth = Math.hypot(a.halfWidth, b.halfWidth);
  return { mean, halfWidth, low: mean - halfWidth, high: mean + halfWidth, n: Math.min(a.n, b.n) };
}
