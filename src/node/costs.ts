/**
 * The cost constants the node model reads, taken from a calibration file (see
 * models/calibration/). The model embeds no cost of its own: every number below comes from the file,
 * with its provenance.
 */
import { CALIBRATION_CONSTANTS, type CalibrationConstantName, type CalibrationFile } from "../models/types.ts";
import { UserError } from "../errors.ts";
import { BUNDLED } from "../models/bundled.ts";

export type { Costs } from "../models/types.ts";
import type { Costs } from "../models/types.ts";

export class ScenarioError extends UserError {
  constructor(message: string, field = "", value?: unknown) {
    super(message, field, value);
    this.name = "ScenarioError";
  }
}

/** Reads every constant's value, refusing a file that lacks one or has a non-finite or negative value. */
export function costsFrom(cal: CalibrationFile): Costs {
  const out = {} as Costs;
  for (const name of CALIBRATION_CONSTANTS) {
    const c = cal.constants?.[name];
    if (c === undefined) throw new ScenarioError(`calibration ${cal.hostClass}: constant ${name} is missing`);
    if (!Number.isFinite(c.value) || c.value < 0) {
      throw new ScenarioError(`calibration ${cal.hostClass}: constants.${name}.value = ${c.value}: must be a finite number >= 0`);
    }
    out[name] = c.value;
  }
  return out;
}

/** True when the calibration was measured inside a VM (provenance.host.virtualised). */
export function calibratedInVm(cal: CalibrationFile): boolean {
  return cal.provenance.host?.["virtualised"] === true;
}

/**
 * The VM exit cost held in a VM calibration's wakeup constants: the vmExitNs of the shipped hardware
 * profile that describes its measuring host (the profile's `hostClass`); undefined when the
 * calibration was not taken in a VM or no profile describes its host.
 */
export function calibrationVmExitNs(cal: CalibrationFile): number | undefined {
  if (!calibratedInVm(cal)) return undefined;
  for (const hw of Object.values(BUNDLED.hardware)) if (hw.hostClass === cal.hostClass && hw.virtualised) return hw.vmExitNs;
  return undefined;
}
