// Loads model profiles (hardware, tools, placements, workloads, calibration) by name or path, validated against their schemas.

import { resolve } from "node:path";
import { ModelError, type ModelIssue } from "./errors.ts";
import { readTextFile } from "./read.ts";
import { fileLabel, fileStem, isPath, isShippedFile, kindDir, listProfiles, type ProfileKind } from "./paths.ts";
import { schemaIssues } from "./schema.ts";
import type { CalibrationFile, HardwareProfile, Placement, ToolProfile, Workload } from "./types.ts";

export { ModelError, type ModelIssue } from "./errors.ts";
export { listProfiles, PROFILE_KINDS, type ProfileKind } from "./paths.ts";

/** The TypeScript type each kind of profile loads as. */
export interface ProfileTypes {
  hardware: HardwareProfile;
  tool: ToolProfile;
  placement: Placement;
  workload: Workload;
  calibration: CalibrationFile;
}

/** The field that names a profile: `hostClass` for calibration files, `name` for the rest. */
function nameField(kind: ProfileKind): "name" | "hostClass" {
  return kind === "calibration" ? "hostClass" : "name";
}

/**
 * Checks an object against the schema of its kind and returns it typed.
 * For profiles built in code or given inline in a scenario; `label` names it in messages.
 * @throws ModelError listing every invalid field with its JSON pointer and value.
 */
export function validateProfile<K extends ProfileKind>(kind: K, object: unknown, label: string): ProfileTypes[K] {
  const issues = schemaIssues(kind, object);
  if (issues.length > 0) throw new ModelError(label, issues);
  return object as ProfileTypes[K];
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { line, column };
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // the position only: V8's message quotes the input, and an error never echoes a file's contents
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    const where = pos
      ? (() => {
          const { line, column } = lineColumn(text, Number(pos[1]));
          return ` at line ${line}, column ${column}`;
        })()
      : "";
    throw new ModelError(label, [], `${label}: invalid JSON${where}`);
  }
}

/** A profile name: letters, digits, `.`, `_` and `-`, starting with a letter or digit (so never `..`). */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Resolves a bare name to its shipped file, or a path to itself; unknown names list the available ones.
 * A name is a name in `models/<kind>/` (never `..` or a separator); a path is read as given.
 */
function resolveFile(kind: ProfileKind, nameOrPath: string): string {
  if (isPath(nameOrPath)) return resolve(nameOrPath);
  if (!PROFILE_NAME.test(nameOrPath) || nameOrPath.includes("..")) {
    throw new ModelError(
      JSON.stringify(nameOrPath),
      [],
      `${kind} = ${JSON.stringify(nameOrPath)}: not a profile name (letters, digits, ".", "_", "-") nor a path (give a path with "/" or ending in .json)`,
    );
  }
  const file = resolve(kindDir(kind), `${nameOrPath}.json`);
  if (!listProfiles(kind).includes(nameOrPath)) {
    const available = listProfiles(kind);
    throw new ModelError(nameOrPath, [], `unknown ${kind} profile "${nameOrPath}"; available: ${available.length ? available.join(", ") : "(none)"}`);
  }
  return file;
}

/**
 * Loads and validates one profile of a kind.
 * @param nameOrPath a bare name (`retina-perf`, resolved to `models/<kind>/<name>.json` under the package root)
 *   or a path (contains `/` or ends in `.json`, read as given, relative to the working directory).
 * @throws ModelError for an unknown name, a missing file, invalid JSON, or schema violations.
 */
export function loadProfile<K extends ProfileKind>(kind: K, nameOrPath: string): ProfileTypes[K] {
  const file = resolveFile(kind, nameOrPath);
  const label = fileLabel(file);
  const text = readTextFile(file, `${kind} file`, { error: (m) => new ModelError(label, [], m.replace(file, label)) });
  const doc = parseJson(text, label);
  const profile = validateProfile(kind, doc, label);
  if (isShippedFile(kind, file)) {
    const field = nameField(kind);
    const declared = (doc as Record<string, unknown>)[field];
    if (declared !== fileStem(file)) {
      const issue: ModelIssue = { pointer: `/${field}`, value: declared, message: `must match the file name "${fileStem(file)}"` };
      throw new ModelError(label, [issue]);
    }
  }
  return profile;
}

/** A node shape from `models/hardware/`, e.g. `loadHardware("azure-d32s-v5")`. */
export function loadHardware(nameOrPath: string): HardwareProfile {
  return loadProfile("hardware", nameOrPath);
}

/** An observability agent from `models/tools/`, e.g. `loadTool("retina-perf")`. */
export function loadTool(nameOrPath: string): ToolProfile {
  return loadProfile("tool", nameOrPath);
}

/** An agent placement from `models/placements/`, e.g. `loadPlacement("limited")`. */
export function loadPlacement(nameOrPath: string): Placement {
  return loadProfile("placement", nameOrPath);
}

/** A traffic workload from `models/workloads/`, e.g. `loadWorkload("tcp-receiver-saturating")`. */
export function loadWorkload(nameOrPath: string): Workload {
  return loadProfile("workload", nameOrPath);
}

/** A calibration file from `models/calibration/`, e.g. `loadCalibration("literature")`. */
export function loadCalibration(nameOrPath: string): CalibrationFile {
  return loadProfile("calibration", nameOrPath);
}
