/**
 * Which errors are the user's to fix (a bad flag, a bad scenario file) rather than bugs: those are
 * printed as one line without a stack trace.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const USER_ERRORS = new Set(["UsageError", "ModelError", "ScenarioError", "RangeError", "MeasureError", "CalibrationError"]);

export function isUserError(err: unknown): boolean {
  return err instanceof Error && USER_ERRORS.has(err.name);
}

/** Parses a number flag, naming the flag and value when it is not one. */
export function numberOption(flag: string, value: string, check?: (n: number) => boolean, what = "a number"): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || (check !== undefined && !check(n))) {
    throw new UsageError(`${flag} = ${JSON.stringify(value)}: must be ${what}`);
  }
  return n;
}
