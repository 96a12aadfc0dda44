/**
 * What a measurement run started, written down so that the next run can end it even when this
 * one was killed with SIGKILL: a state file `/run/bpfsim/measure-<pid>.json` (or `.tmp/bpfsim/`
 * when /run is not writable) lists the namespaces created (name and inode: a namespace lives on
 * while a process holds it, even after its name is removed) and the processes started (pid and
 * start time, so a reused pid is never killed). `cleanupLeftovers()` reads the files of runs that
 * are gone, kills their recorded processes and every process still inside their namespaces,
 * deletes the namespaces' names and the state file. A namespace dies with its last process, and
 * with it its veth pair, the clsact qdiscs and the BPF programs attached there.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./loader.ts";

export interface RecordedProcess {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot): tells a reused pid from ours. */
  startTime: string;
  cmd: string;
}

export interface RecordedNamespace {
  name: string;
  /** Inode of the network namespace (`net:[inode]`). */
  inode: number;
}

export interface RunStateFile {
  pid: number;
  startTime: string;
  namespaces: RecordedNamespace[];
  processes: RecordedProcess[];
}

/** Where state files live: /run/bpfsim when writable, else <repo>/.tmp/bpfsim. */
export function stateDir(): string {
  for (const d of ["/run/bpfsim", join(REPO_ROOT, ".tmp", "bpfsim")]) {
    try {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      return d;
    } catch {
      // try the next
    }
  }
  throw new Error("no writable folder for the harness state (/run/bpfsim, .tmp/bpfsim)");
}

/** Start time of a process (field 22 of /proc/<pid>/stat), or undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** True while the process that recorded `startTime` under `pid` still runs. */
export function sameProcessAlive(pid: number, startTime: string): boolean {
  return processStartTime(pid) === startTime;
}

/** Inode of a named network namespace (/run/netns/<name>), or undefined. */
export function namespaceInode(name: string): number | undefined {
  try {
    return statSync(`/run/netns/${name}`).ino;
  } catch {
    return undefined;
  }
}

/** Pids of the processes whose network namespace has one of these inodes. */
export function processesInNamespaces(inodes: Set<number>): number[] {
  const pids: number[] = [];
  if (inodes.size === 0) return pids;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${d}/ns/net`));
      if (m && inodes.has(Number(m[1]))) pids.push(Number(d));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids;
}

/** The state of this run, rewritten (atomically) on every change. */
export class RunState {
  readonly file: string;
  private readonly state: RunStateFile;

  constructor(dir = stateDir(), pid = process.pid) {
    this.file = join(dir, `measure-${pid}.json`);
    this.state = { pid, startTime: processStartTime(pid) ?? "", namespaces: [], processes: [] };
    this.write();
  }

  private write(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  }

  addNamespace(name: string): void {
    const inode = namespaceInode(name);
    if (inode === undefined) return;
    this.state.namespaces.push({ name, inode });
    this.write();
  }

  addProcess(pid: number, cmd: string): void {
    const startTime = processStartTime(pid);
    if (startTime === undefined) return;
    this.state.processes.push({ pid, startTime, cmd });
    this.write();
  }

  removeProcess(pid: number): void {
    const n = this.state.processes.length;
    this.state.processes = this.state.processes.filter((p) => p.pid !== pid);
    if (this.state.processes.length !== n) this.write();
  }

  /** This run ended cleanly: nothing of it is left. */
  close(): void {
    try {
      unlinkSync(this.file);
    } catch {
      // already gone
    }
  }
}

function kill(pid: number, signal: NodeJS.Signals = "SIGKILL"): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits (up to `ms`) until none of the pids runs. */
async function waitGone(pids: number[], ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (pids.some((p) => existsSync(`/proc/${p}`)) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Ends what runs that are gone left behind: their recorded processes (same pid and start time),
 * every process inside their namespaces (found by inode, so also when the name was removed), and
 * the namespaces' names; removes their state files. Returns one line per thing ended.
 * Runs still alive are left alone.
 */
export async function cleanupLeftovers(deleteNamespace: (name: string) => Promise<void>, dir = stateDir()): Promise<string[]> {
  const done: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /^measure-\d+\.json$/.test(f));
  } catch {
    return done;
  }
  for (const f of files) {
    const path = join(dir, f);
    let s: RunStateFile;
    try {
      s = JSON.parse(readFileSync(path, "utf8")) as RunStateFile;
    } catch {
      unlinkSync(path);
      continue;
    }
    if (s.pid === process.pid || sameProcessAlive(s.pid, s.startTime)) continue;
    const killed: number[] = [];
    // SIGTERM first: a leftover loader then undoes its filters and removes its own state file
    const recorded = (s.processes ?? []).filter((p) => sameProcessAlive(p.pid, p.startTime) && kill(p.pid, "SIGTERM"));
    await waitGone(
      recorded.map((p) => p.pid),
      1500,
    );
    for (const p of recorded) {
      if (sameProcessAlive(p.pid, p.startTime)) kill(p.pid);
      killed.push(p.pid);
      done.push(`ended process ${p.pid} (${p.cmd}) left by run ${s.pid}`);
    }
    const inodes = new Set((s.namespaces ?? []).map((n) => n.inode));
    for (const pid of processesInNamespaces(inodes)) {
      if (pid !== process.pid && kill(pid)) {
        killed.push(pid);
        done.push(`ended process ${pid} inside a namespace of run ${s.pid}`);
      }
    }
    await waitGone(killed);
    for (const n of s.namespaces ?? []) {
      if (namespaceInode(n.name) === n.inode) {
        await deleteNamespace(n.name);
        done.push(`removed namespace ${n.name} of run ${s.pid}`);
      }
    }
    unlinkSync(path);
  }
  return done;
}
