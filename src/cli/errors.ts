/**
 * Which errors are the user's to fix (a bad flag, a bad scenario file) rather than bugs: those are
 * printed as one line without a stack trace.
 */
import { UserError } from "../errors.ts";

export { UserError, isUserError } from "../errors.ts";

/** A bad flag or argument. */
export class UsageError extends UserError {}

/** Parses a number flag, naming the flag and value when it is not one. */
export function numberOption(flag: string, value: string, check?: (n: number) => boolean, what = "a number"): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || (check !== undefined && !check(n))) {
    throw new UsageError(`${flag} = ${JSON.stringify(value)}: must be ${what}`, flag, value);
  }
  return n;
}

export { MAX_SEED } from "../queries/sweep-limits.ts";
import { MAX_SEED } from "../queries/sweep-limits.ts";

/** Parses --seed: an integer in [-MAX_SEED, MAX_SEED] (beyond 2^53, seed + 1 == seed and all replications are one run). */
export function seedOption(value: string): number {
  return numberOption(
    "--seed",
    value,
    (n) => Number.isSafeInteger(n) && Math.abs(n) <= MAX_SEED,
    `an integer in [-${MAX_SEED}, ${MAX_SEED}] (each replication's seed, seed + i, must stay exact)`,
  );
}
