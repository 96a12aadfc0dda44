/**
 * The harness always cleans up (issue 14, item 7): `measure` is killed at each stage of a
 * throughput repetition with SIGINT, SIGTERM, SIGHUP and SIGKILL; then the next run's cleanup
 * (cleanupEarlierRuns, what every `measure` does first) must leave no namespace (by name or by
 * inode), no process, no cgroup and no BPF program of the killed run. And `kill -9` of the loader
 * mid-run is recorded as a failed repetition, the run going on.
 * Needs root, iperf3 and the bpf build (`make -C bpf`: clang, bpftool); skipped with the reason otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { availableParallelism } from "node:os";
import { cpuCgroupSupport, listBpfsimCgroups } from "../../src/measure/cgroup.ts";
import { throughputGrid } from "../../src/measure/grid.ts";
import { processesInNamespaces, stateDir, type RunStateFile } from "../../src/measure/leftovers.ts";
import { buildBpf, REPO_ROOT } from "../../src/measure/loader.ts";
import { cleanupEarlierRuns } from "../../src/measure/measure.ts";
import { listNamespaces } from "../../src/measure/netns.ts";
import { parseDataset } from "../../src/measure/jsonl.ts";

function skipReason(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root";
  for (const cmd of ["clang", "bpftool", "make", "cc", "ip", "iperf3"]) {
    const r = spawnSync("sh", ["-c", `command -v ${cmd} || test -x /usr/sbin/${cmd}`]);
    if (r.status !== 0) return `${cmd} not installed`;
  }
  if (!existsSync("/sys/kernel/btf/vmlinux")) return "kernel without BTF (/sys/kernel/btf/vmlinux)";
  return undefined;
}
const SKIP = skipReason();
if (SKIP) console.warn(`harness cleanup test skipped: ${SKIP}`);

const tmp = mkdtempSync(join(tmpdir(), "bpfsim-cleanup-"));
const CHILD = join(REPO_ROOT, "test/measure/fixtures/measure-child.ts");

/** Starts a measure run; resolves `reached(stage, n)` when it announces the n-th `stage`. */
function startMeasure(out: string) {
  // node itself (not the tsx wrapper, which would be a second process): the pid is the run's
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", CHILD, out], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  let stdout = "";
  const waiters: { stage: string; n: number; resolve: () => void }[] = [];
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
    for (const w of [...waiters]) {
      if (err.split("\n").filter((l) => l === `stage:${w.stage}`).length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on("exit", (code, signal) => res({ code, signal })));
  const reached = (stage: string, n = 1) =>
    Promise.race([
      new Promise<void>((resolve) => waiters.push({ stage, n, resolve })),
      exited.then(() => {
        throw new Error(`measure exited before stage ${stage}: ${err.slice(-2000)}`);
      }),
    ]);
  return { child, reached, exited, stderr: () => err, stdout: () => stdout };
}

/** IDs of loaded BPF programs named like the parser's hooks, with the pids holding them. */
function parserPrograms(): Map<number, number[]> {
  const r = spawnSync("bpftool", ["-j", "prog", "show"], { encoding: "utf8" });
  const progs = JSON.parse(r.stdout || "[]") as { id: number; name?: string; pids?: { pid: number }[] }[];
  return new Map(progs.filter((p) => /^(endpoint|host)_(in|e)gress$/.test(p.name ?? "")).map((p) => [p.id, (p.pids ?? []).map((x) => x.pid)]));
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything of run `pid` is gone: namespaces by name and inode, processes, cgroups, programs. */
async function expectNothingLeft(pid: number, state: RunStateFile | undefined, programsBefore: Map<number, number[]>): Promise<void> {
  expect((await listNamespaces()).filter((n) => n.startsWith(`bpfsim-${pid}-`))).toEqual([]);
  if (state) {
    for (const p of state.processes)
      expect(alive(p.pid) && readFileSync(`/proc/${p.pid}/stat`, "utf8").includes(p.startTime), `${p.cmd} still runs`).toBe(false);
    expect(processesInNamespaces(new Set(state.namespaces.map((n) => n.inode)))).toEqual([]);
  }
  expect(listBpfsimCgroups().filter((g) => g.includes(String(pid)))).toEqual([]);
  expect(existsSync(join(stateDir(), `measure-${pid}.json`))).toBe(false);
  // a loader of the run was stopped with SIGTERM and removed its own state file
  for (const p of state?.processes ?? [])
    if (p.cmd.includes("bpfsim-loader")) expect(existsSync(`/run/bpfsim/loader-${p.pid}.state`), `loader ${p.pid}'s state file`).toBe(false);
  // a program of the killed run dies with its namespace (asynchronously): none new may remain without a live holder
  let orphans: number[] = [];
  for (let i = 0; i < 50; i++) {
    orphans = [...parserPrograms()].filter(([id, holders]) => !programsBefore.has(id) && holders.every((h) => !alive(h))).map(([id]) => id);
    if (orphans.length === 0) break;
    await sleep(100);
  }
  expect(orphans, "BPF programs left attached with no holder").toEqual([]);
}

function readState(pid: number): RunStateFile | undefined {
  const f = join(stateDir(), `measure-${pid}.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as RunStateFile) : undefined;
}

describe.skipIf(SKIP !== undefined)("harness cleanup after a killed measure run", { timeout: 60_000 }, () => {
  const cases: [NodeJS.Signals, string, number][] = [
    ["SIGKILL", "server", 1], // between the iperf3 server and its client: the orphaned `iperf3 -s -1` of the issue
    ["SIGINT", "namespaces", 1],
    ["SIGTERM", "loader", 1],
    ["SIGHUP", "client", 2], // the client of the first repetition with the loader attached
    ["SIGKILL", "loader", 1], // the loader keeps running, its programs attached, when measure dies
  ];
  for (const [sig, stage, n] of cases) {
    it(`${sig} at stage ${stage}: the next run leaves nothing behind`, async () => {
      await buildBpf();
      const before = parserPrograms();
      const m = startMeasure(join(tmp, `${sig}-${stage}.jsonl`));
      await m.reached(stage, n);
      const pid = m.child.pid!;
      const state = readState(pid);
      expect(state, "the run records what it starts").toBeDefined();
      m.child.kill(sig);
      const exit = await m.exited;
      if (sig === "SIGKILL") expect(exit.signal).toBe("SIGKILL");
      else expect(exit.code, m.stderr().slice(-1000)).toBe(128 + { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[sig as "SIGHUP"]);
      if (sig !== "SIGKILL") expect(m.stderr()).toContain(`${sig}: stopping and cleaning up`);
      const lines = await cleanupEarlierRuns();
      if (sig === "SIGKILL") expect(lines.join("\n")).toMatch(new RegExp(`run ${pid}`));
      await expectNothingLeft(pid, state, before);
    });
  }

  it("SIGKILL, then the namespaces' names removed (what the old cleanup did): the process holding them is still found by inode and ended", async () => {
    await buildBpf();
    const before = parserPrograms();
    const m = startMeasure(join(tmp, "nameless.jsonl"));
    await m.reached("server");
    const pid = m.child.pid!;
    const state = readState(pid)!;
    m.child.kill("SIGKILL");
    await m.exited;
    for (const n of state.namespaces) spawnSync("ip", ["netns", "del", n.name]);
    const server = state.processes.find((p) => p.cmd.includes("iperf3 -s"));
    expect(server, "the iperf3 server is recorded").toBeDefined();
    expect(processesInNamespaces(new Set(state.namespaces.map((n) => n.inode))).length, "the nameless namespace still holds a process").toBeGreaterThan(0);
    const lines = await cleanupEarlierRuns();
    expect(lines.join("\n")).toContain(`ended process ${server!.pid}`);
    await expectNothingLeft(pid, state, before);
  });

  it("kill -9 of the loader mid-run: a failed repetition on record, the run goes on", async () => {
    await buildBpf();
    const out = join(tmp, "loader-killed.jsonl");
    const m = startMeasure(out);
    await m.reached("client", 2);
    const pid = m.child.pid!;
    const loader = readState(pid)!.processes.find((p) => p.cmd.includes("bpfsim-loader"));
    expect(loader, "the loader is recorded").toBeDefined();
    process.kill(loader!.pid, "SIGKILL");
    const exit = await m.exited;
    expect(exit.code, m.stderr().slice(-2000)).toBe(0);
    const summary = JSON.parse(m.stdout()) as { rows: number; failed: { runId: string; reason: string }[] };
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0].reason).toMatch(/bpfsim-loader died during the run \(SIGKILL\)/);
    const text = readFileSync(out, "utf8");
    expect(text).toContain('"kind":"failed"');
    expect(parseDataset(text)).toHaveLength(summary.rows); // the failed line is on record, readers skip it
    expect(summary.rows).toBe(
      throughputGrid({ nproc: availableParallelism(), quick: true }).filter((c) => c.cpuLimit === undefined || cpuCgroupSupport() !== undefined).length - 1,
    );
    expect((await listNamespaces()).filter((n) => n.startsWith(`bpfsim-${pid}-`))).toEqual([]);
    expect(readdirSync(stateDir()).filter((f) => f === `measure-${pid}.json`)).toEqual([]);
  });
});
