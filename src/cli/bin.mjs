#!/usr/bin/env node
// Entry point of the installed `bpfsim` command: registers tsx so the TypeScript sources run as they are.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
const code = await main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bpfsim: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
  return 1;
});
process.exit(code);
