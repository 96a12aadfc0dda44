/**
 * The field study's unknowns (models/unknowns/field-study.json): what its setup does not state, each
 * a scenario field with a documented default, a range and sources. reproduce.ts runs every counted
 * row over them to give the band that epistemic uncertainty leaves.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MODELS_DIR } from "../models/paths.ts";

/** Scenario fields (node/scenario.ts ScenarioSpec) an unknown may name. */
export const UNKNOWN_FIELDS = ["kernel", "rxChannels", "goVersion", "vmExitNs", "processContextShare", "receiverThreadsPerCpu", "irqTimeAccounting"] as const;

export interface Unknown {
  name: (typeof UNKNOWN_FIELDS)[number];
  what: string;
  /** The value scenarios take when the profile does not say otherwise; null: the profile's own value. */
  default: string | number | boolean | null;
  values: (string | number | boolean)[];
  rationale: string;
  sources: string[];
}

/**
 * What the study does not state but shows by its own evidence, so it is not an unknown: the
 * setting, the value it must have had, and why (the file's `settled` list).
 */
export interface Settled {
  name: string;
  value: string | number | boolean;
  why: string;
  sources: string[];
}

export function loadSettled(file = join(MODELS_DIR, "unknowns", "field-study.json")): Settled[] {
  const doc = JSON.parse(readFileSync(file, "utf8")) as { settled?: Settled[] };
  const list = doc.settled ?? [];
  for (const [i, x] of list.entries()) {
    if (typeof x.name !== "string" || x.name === "") throw new Error(`${file}: settled[${i}].name = ${JSON.stringify(x.name)}: must be a non-empty string`);
    if (typeof x.why !== "string" || x.why === "") throw new Error(`${file}: settled[${i}].why = ${JSON.stringify(x.why)}: must say why`);
    if (!Array.isArray(x.sources) || x.sources.length === 0)
      throw new Error(`${file}: settled[${i}].sources = ${JSON.stringify(x.sources)}: must name at least one source`);
  }
  return list;
}

export function loadUnknowns(file = join(MODELS_DIR, "unknowns", "field-study.json")): Unknown[] {
  const doc = JSON.parse(readFileSync(file, "utf8")) as { unknowns: Unknown[] };
  for (const u of doc.unknowns) {
    if (!(UNKNOWN_FIELDS as readonly string[]).includes(u.name)) {
      throw new Error(`${file}: unknown name = ${JSON.stringify(u.name)}: must be one of ${UNKNOWN_FIELDS.join(", ")}`);
    }
    if (!Array.isArray(u.values) || u.values.length === 0) throw new Error(`${file}: unknowns ${u.name}: values must be a non-empty array`);
  }
  return doc.unknowns;
}
