// Reading user-named files safely: a size limit, regular files only (never /dev/zero or a FIFO),
// and messages that name the file but never echo its contents.

import { accessSync, closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UserError } from "../errors.ts";

/** Largest model or scenario file read (4 MiB): a profile is a few kilobytes. */
export const MAX_PROFILE_BYTES = 4 * 1024 * 1024;

export interface ReadOptions {
  /** @defaultValue MAX_PROFILE_BYTES */
  maxBytes?: number;
  /** Builds the error thrown (message, offending value); @defaultValue a UserError naming the file. */
  error?: (message: string, value: unknown) => Error;
}

/**
 * Reads a UTF-8 text file that the user named. Refuses (with one line naming the file) a missing
 * file, a directory, a device or FIFO, and a file larger than the limit; the size is checked on
 * the open descriptor and the read stops at the limit, so a file growing meanwhile cannot exhaust
 * memory either.
 * @param what what the file is, for messages ("hardware file", "dataset", "grid").
 */
export function readTextFile(file: string, what: string, o: ReadOptions = {}): string {
  const max = o.maxBytes ?? MAX_PROFILE_BYTES;
  const fail = (m: string): Error => (o.error ? o.error(`${file}: ${m}`, file) : new UserError(`${file}: ${m}`, file, file));
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not hang waiting for a writer
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(
      code === "ENOENT"
        ? `no such ${what}`
        : code === "EACCES"
          ? `${what} is not readable (permission denied)`
          : `cannot open the ${what} (${code ?? "error"})`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw fail(`is a directory, not a ${what}`);
    if (!st.isFile()) throw fail(`not a regular file: a ${what} must be a file`);
    if (st.size > max) throw fail(`${what} is ${st.size} bytes, over the limit of ${max}`);
    const buf = Buffer.alloc(Math.min(st.size, max) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > max) throw fail(`${what} is over the limit of ${max} bytes`);
      if (n === buf.length) break;
    }
    return buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * A JSON.parse error message without the excerpt of the input that V8 puts in it
 * (`Unexpected token 'r', "root:x:0:0:"... is not valid JSON`): names the position only.
 */
export function jsonSyntaxMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const pos = /position (\d+)/.exec(msg);
  if (/Unexpected end of JSON input/.test(msg)) return "unexpected end of JSON input";
  return pos ? `not valid JSON (at position ${pos[1]})` : "not valid JSON";
}

/**
 * Checks an output path before any work starts: its folder exists and is writable, and the path
 * is not a folder itself. Returns the resolved path. `flag` names the option in the message.
 */
export function checkOutputPath(flag: string, path: string, error: (message: string, value: unknown) => Error = (m, v) => new UserError(m, flag, v)): string {
  const abs = resolve(path);
  const bad = (why: string) => error(`${flag} = ${JSON.stringify(path)}: ${why}`, path);
  if (path === "" || path.endsWith("/")) throw bad("must be a file name, not a folder");
  let dirStat;
  try {
    dirStat = statSync(dirname(abs));
  } catch {
    throw bad(`its folder ${dirname(abs)} does not exist`);
  }
  if (!dirStat.isDirectory()) throw bad(`${dirname(abs)} is not a folder`);
  let st;
  try {
    st = statSync(abs);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw bad("is a folder, not a file");
  if (st !== undefined && !st.isFile() && !st.isCharacterDevice() && !st.isFIFO()) throw bad("is not a regular file");
  // writable: try the folder (or the file, when it exists) with access(2)
  try {
    accessSync(st ? abs : dirname(abs), constants.W_OK);
  } catch {
    throw bad(`${st ? "the file" : `its folder ${dirname(abs)}`} is not writable`);
  }
  return abs;
}

/**
 * Checks an output folder before any work starts: it is a writable folder, or does not exist yet
 * in a writable folder (it will be created). Returns the resolved path.
 */
export function checkOutputDir(flag: string, path: string, error: (message: string, value: unknown) => Error = (m, v) => new UserError(m, flag, v)): string {
  const abs = resolve(path);
  const bad = (why: string) => error(`${flag} = ${JSON.stringify(path)}: ${why}`, path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    st = undefined;
  }
  if (st !== undefined && !st.isDirectory()) throw bad("is a file, not a folder");
  const target = st ? abs : dirname(abs);
  try {
    if (!statSync(target).isDirectory()) throw new Error();
  } catch {
    throw bad(`its folder ${target} does not exist`);
  }
  try {
    accessSync(target, constants.W_OK);
  } catch {
    throw bad(`${target} is not writable`);
  }
  return abs;
}
