/**
 * The one error model. A `UserError` is something the user can fix (a bad flag, a bad file, a
 * machine that lacks what a command needs): the CLI prints its message as one line and exits 2.
 * Every other error (a RangeError from the engine, a TypeError, a failed invariant) is a bug: the
 * CLI prints "bpfsim: internal error" with the stack and exits 1. This file is the lowest layer:
 * it imports nothing, so every layer may throw a UserError.
 */
export class UserError extends Error {
  /** The flag, file field (JSON pointer) or option the error is about, e.g. `--reps` or `/vcpus`. */
  readonly field: string;
  /** The offending value as given; `undefined` when it is missing. */
  readonly value: unknown;

  constructor(message: string, field = "", value?: unknown) {
    super(message);
    this.name = new.target.name;
    this.field = field;
    this.value = value;
  }
}

/** True for errors the user can fix (instances of UserError, whatever their subclass). */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
