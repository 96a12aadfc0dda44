#!/usr/bin/env node
/**
 * The `bpfsim` command line: a thin shell. Each command lives in src/cli/commands/<name>.ts and
 * exports a `register…(program)` function that adds it; a command parses its arguments, calls one
 * exported library function and prints the result. Errors the user can fix (bad flags, bad files)
 * (instances of UserError, src/errors.ts) are printed as one line naming the argument and value, with
 * exit code 2; never a stack trace. Anything else is a bug: "bpfsim: internal error" with the stack,
 * exit code 1.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { Command, CommanderError } from "commander";
import { isUserError } from "../errors.ts";

/** Exit codes: 0 done, 1 a bug in bpfsim (internal error), 2 an error the user can fix. */
export const EXIT_INTERNAL = 1;
export const EXIT_USER = 2;

/** Prints an error the way its class says: one line for a user error, the stack for a bug; returns the exit code. */
export function reportError(err: unknown): number {
  if (isUserError(err)) {
    // one line: a multi-line message (several issues of one file) is joined
    process.stderr.write(`bpfsim: ${err.message.split("\n").join("; ")}\n`);
    return EXIT_USER;
  }
  process.stderr.write(`bpfsim: internal error (a bug; please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT_INTERNAL;
}

export async function buildProgram(): Promise<Command> {
  const program = new Command("bpfsim")
    .description(
      "Predict what eBPF observability (perf event arrays vs BPF ring buffer) costs a node, from mechanisms, " +
        "calibrated on real TC-BPF measurements. Run `bpfsim <command> --help` for each command.",
    )
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  const dir = join(dirname(fileURLToPath(import.meta.url)), "commands");
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith(".d.ts"))
    .sort();
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as Record<string, unknown>;
    for (const [name, fn] of Object.entries(mod)) {
      if (name.startsWith("register") && typeof fn === "function") (fn as (p: Command) => void)(program);
    }
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed help / version / its own error message
      return err.exitCode === 0 ? 0 : EXIT_USER;
    }
    return reportError(err);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => process.exit(reportError(err)),
  );
}
