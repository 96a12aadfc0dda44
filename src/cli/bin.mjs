#!/usr/bin/env node
// Entry point of the installed `bpfsim` command: registers tsx so the TypeScript sources run as they are.
// The exit code is main's (0 done, 1 internal error, 2 user error); a command that set
// process.exitCode itself keeps it: a non-zero code is never overwritten with 0.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
const code = await main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bpfsim: internal error (a bug; please report it): ${err instanceof Error ? err.stack : String(err)}\n`);
  return 1;
});
const set = typeof process.exitCode === "number" ? process.exitCode : Number(process.exitCode ?? 0);
process.exit(code !== 0 ? code : set || 0);
