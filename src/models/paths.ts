// Where the model data lives: the package root (found from this file, not the working directory) and one folder per kind.

import { readdirSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The kinds of model file, each with its folder under `models/` and its schema under `models/schema/`. */
export type ProfileKind = "hardware" | "tool" | "placement" | "workload" | "calibration";

export const PROFILE_KINDS: readonly ProfileKind[] = ["hardware", "tool", "placement", "workload", "calibration"];

const FOLDERS: Record<ProfileKind, string> = {
  hardware: "hardware",
  tool: "tools",
  placement: "placements",
  workload: "workloads",
  calibration: "calibration",
};

/** The package root: two levels above `src/models/`. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `models/` under the package root. */
export const MODELS_DIR = join(PACKAGE_ROOT, "models");

/** The folder holding profiles of a kind, e.g. `<root>/models/tools`. */
export function kindDir(kind: ProfileKind): string {
  return join(MODELS_DIR, FOLDERS[kind]);
}

/** The JSON Schema file of a kind, e.g. `<root>/models/schema/tool.schema.json`. */
export function schemaPath(kind: ProfileKind): string {
  return join(MODELS_DIR, "schema", `${kind}.schema.json`);
}

/** Names (file stems) of the shipped profiles of a kind, sorted. */
export function listProfiles(kind: ProfileKind): string[] {
  return readdirSync(kindDir(kind))
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/** True when the argument is a path (contains a slash or ends in .json) rather than a bare profile name. */
export function isPath(nameOrPath: string): boolean {
  return nameOrPath.includes("/") || nameOrPath.includes(sep) || nameOrPath.endsWith(".json");
}

/** How a file is named in messages: relative to the package root when inside it, else absolute. */
export function fileLabel(file: string): string {
  const abs = resolve(file);
  const rel = relative(PACKAGE_ROOT, abs);
  return rel.startsWith("..") || rel === "" ? abs : rel.split(sep).join("/");
}

/** True when the file sits directly in the folder of its kind (then its name must match its file stem). */
export function isShippedFile(kind: ProfileKind, file: string): boolean {
  return dirname(resolve(file)) === kindDir(kind);
}

/** File stem: `models/tools/retina-perf.json` -> `retina-perf`. */
export function fileStem(file: string): string {
  return basename(file).replace(/\.json$/, "");
}
