/**
 * Runs external commands (ip, tc, iperf3, the bpfsim loader) with a hard time limit, capturing
 * stdout and stderr. Every process the harness starts goes through here, so none can outlive
 * its run: on timeout it gets SIGTERM, then SIGKILL two seconds later.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Children still running, killed by killAllChildren() from the signal handlers. */
const running = new Set<ChildProcess>();

/** Told of every child started and ended (measure.ts records them in its state file, leftovers.ts). */
export interface ProcessRecorder {
  started(pid: number, cmd: string): void;
  ended(pid: number): void;
}
let recorder: ProcessRecorder | undefined;

/** Sets (or clears) the recorder of started processes. */
export function setProcessRecorder(r: ProcessRecorder | undefined): void {
  recorder = r;
}

export interface ExecOptions {
  /** Wall-clock limit in ms. @defaultValue 60000 */
  timeoutMs?: number;
  /** Written to stdin, then stdin is closed. */
  input?: string;
  /** Called with each chunk of stderr (e.g. to see the loader's "attached" line). */
  onStderr?: (chunk: string) => void;
}

/** A started command: its promise of a result, and a way to stop it early (SIGTERM). */
export interface Started {
  pid: number | undefined;
  done: Promise<ExecResult>;
  stop: () => void;
}

export function start(cmd: string, args: string[], opts: ExecOptions = {}): Started {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  const pid = child.pid;
  if (pid !== undefined) recorder?.started(pid, [cmd, ...args].join(" ").slice(0, 200));
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => {
    const s = d.toString();
    stderr += s;
    opts.onStderr?.(s);
  });
  child.stdin!.on("error", () => {});
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  else child.stdin!.end();
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 2000).unref();
  }, opts.timeoutMs ?? 60_000);
  const done = new Promise<ExecResult>((resolve) => {
    child.on("error", (err) => {
      stderr += String(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (pid !== undefined) recorder?.ended(pid);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  return { pid: child.pid, done, stop: () => child.kill("SIGTERM") };
}

export function run(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return start(cmd, args, opts).done;
}

/** Runs and throws (with stderr) on a non-zero exit. */
export async function runOk(cmd: string, args: string[], opts: ExecOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.timedOut ? "timeout" : `exit ${r.code}`}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}

export function killAllChildren(): void {
  for (const c of running) c.kill("SIGKILL");
}

/**
 * Stops every child: SIGTERM (the loader then undoes its tc filters and removes its state file),
 * SIGKILL for any still running after `graceMs`.
 */
export async function stopAllChildren(graceMs = 1500): Promise<void> {
  const children = [...running];
  for (const c of children) c.kill("SIGTERM");
  const until = Date.now() + graceMs;
  while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

/** True when `cmd` can be found on PATH (or is an existing path). */
export async function haveCommand(cmd: string): Promise<boolean> {
  const r = await run("sh", ["-c", `command -v ${cmd}`], { timeoutMs: 5000 });
  return r.code === 0;
}
