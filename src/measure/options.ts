/**
 * Option checking shared by `bpfsim measure` and `bpfsim calibrate`: a bad value throws at once,
 * naming the flag and the value, so the CLI can print one clear line.
 */

import { UserError } from "../errors.ts";

/** A measurement that cannot be made or read as asked (no root, a tool missing, a malformed dataset). */
export class MeasureError extends UserError {}

/** A command-line value that cannot be used. */
export class BadOptionError extends UserError {
  override readonly name = "BadOptionError";
  constructor(
    readonly flag: string,
    value: unknown,
    readonly reason: string,
  ) {
    super(`${flag} = ${JSON.stringify(value)}: ${reason}`, flag, value);
  }
}

/** Parses an integer in [min, max]; throws BadOptionError naming `flag` otherwise. */
export function parseIntOption(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(value.trim())) throw new BadOptionError(flag, value, "not an integer");
  const n = Number(value);
  if (n < min || n > max) throw new BadOptionError(flag, value, `must be between ${min} and ${max}`);
  return n;
}

/** Parses a number in (0, max]; throws BadOptionError naming `flag` otherwise. */
export function parsePositiveNumber(flag: string, value: string, max = Number.MAX_VALUE): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new BadOptionError(flag, value, "not a number");
  if (!(n > 0) || n > max) throw new BadOptionError(flag, value, `must be > 0 and <= ${max}`);
  return n;
}
