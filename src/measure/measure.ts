/**
 * `bpfsim measure`: runs the microbenchmark grid and the throughput grid on this machine and
 * appends one JSON Lines row per repetition to validation/data/<host-class>-<YYYY-MM-DD>.jsonl.
 * Cleanup guarantees: every namespace and process a run starts is recorded in a state file
 * (leftovers.ts) as it starts, so leftovers of an earlier run, even one killed with SIGKILL
 * (processes, namespaces whose name is gone, cgroups; the loader itself undoes stale tc
 * filters), are ended first; the namespaces, cgroups and loader processes of this run are
 * removed in `finally` and from SIGINT/SIGTERM/SIGHUP handlers. A repetition whose loader or
 * iperf3 dies (e.g. `kill -9` of the loader) is recorded as a `kind: "failed"` line and the run
 * goes on; three failures in a row stop it.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { checkOutputPath } from "../models/read.ts";
import { cpuCgroupSupport, cleanupStaleCgroups } from "./cgroup.ts";
import { haveCommand, run, setProcessRecorder, stopAllChildren } from "./exec.ts";
import { limitGrid, lostGrid, microbenchGrid, schedule, throughputGrid, wakeupGrid, type TrafficShape } from "./grid.ts";
import { describeHost } from "./host.ts";
import { appendFailedRow, appendRow } from "./jsonl.ts";
import { cleanupLeftovers, RunState } from "./leftovers.ts";
import { buildBpf, REPO_ROOT } from "./loader.ts";
import { runMicrobench } from "./microbench.ts";
import { cleanupStaleNamespaces, createVethPair, deleteVethPair, pairNames } from "./netns.ts";
import { BadOptionError, MeasureError } from "./options.ts";
import { runThroughput } from "./throughput.ts";
import { waitForQuiet } from "./procstat.ts";

export interface MeasureOptions {
  /** Small grids, 3 repetitions, 3 s runs. @defaultValue false */
  quick?: boolean;
  /** Repetitions per configuration (>= 3 recommended). @defaultValue 5 (quick: 3) */
  reps?: number;
  /** Seconds per iperf3 run. @defaultValue 5 (quick: 3) */
  durationS?: number;
  /** Output file. @defaultValue validation/data/<host-class>-<YYYY-MM-DD>.jsonl */
  out?: string;
  /** @defaultValue true */
  microbench?: boolean;
  /** @defaultValue true */
  throughput?: boolean;
  /**
   * Run the wakeup-counting grid (grid.ts wakeupGrid, loader --count-wakeups) instead of the
   * throughput grid; no microbenchmarks. @defaultValue false
   */
  wakeups?: boolean;
  /**
   * Run the CPU-limit sweep (grid.ts limitGrid) at these limits instead of the throughput grid; no
   * microbenchmarks. @defaultValue none
   */
  limits?: number[];
  /**
   * Run only the lost-output microbenchmarks (grid.ts lostGrid): no calibration microbenchmarks,
   * no throughput runs. @defaultValue false
   */
  lost?: boolean;
  /**
   * Traffic shape of the throughput (or wakeup) grid: "veth" (one stream over the veth pair) or
   * "lo-p2" (iperf3 -P 2 over namespace a's loopback, parser on that lo); lo-p2 configurations have
   * ids tp-lo-p2-* / tpw-lo-p2-*. @defaultValue "veth"
   */
  shape?: TrafficShape;
  /** Longest wait for an idle machine before each run (the wait is recorded). @defaultValue 10000 */
  quietWaitMs?: number;
  /** Progress lines. @defaultValue console.error */
  log?: (line: string) => void;
  /**
   * Told of each stage of a throughput repetition as it is reached ("namespaces", "server",
   * "loader", "client"): for the harness's kill-at-each-stage test. @defaultValue none
   */
  onStage?: (stage: string) => void;
}

export interface MeasureSummary {
  out: string;
  rows: number;
  hostClass: string;
  /** Repetitions that failed (recorded as `kind: "failed"` lines), with why. */
  failed: { runId: string; reason: string }[];
}

/** Consecutive failed repetitions after which the run stops: something is wrong with the machine, not one run. */
const MAX_FAILURES_IN_A_ROW = 3;

/** Signals that stop a run and clean up (SIGHUP: the terminal went away). */
const STOP_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export async function checkEnvironment(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return "must run as root";
  for (const c of ["clang", "bpftool", "ip", "iperf3", "make"]) {
    if (!(await haveCommand(c)) && !(c === "bpftool" && (await haveCommand("/usr/sbin/bpftool")))) return `${c} not found`;
  }
  return undefined;
}

/**
 * Ends what earlier runs that are gone left behind (recorded processes and namespaces, stale
 * named namespaces with whatever runs inside them, cgroups); one line per thing ended. Every
 * run does this first; runs still alive (another user's) are left alone.
 */
export async function cleanupEarlierRuns(): Promise<string[]> {
  const lines = await cleanupLeftovers(async (ns) => void (await run("ip", ["netns", "del", ns])));
  for (const ns of await cleanupStaleNamespaces()) lines.push(`removed stale namespace ${ns}`);
  for (const cg of cleanupStaleCgroups()) lines.push(`removed stale cgroup ${cg}`);
  return lines;
}

export async function runMeasure(o: MeasureOptions = {}): Promise<MeasureSummary> {
  const log = o.log ?? ((l: string) => console.error(l));
  const reps = o.reps ?? (o.quick ? 3 : 5);
  const durationS = o.durationS ?? (o.quick ? 3 : 5);
  if (!Number.isInteger(reps) || reps < 1) throw new BadOptionError("--reps", reps, "must be a positive integer");
  if (!(durationS > 0) || durationS > 120) throw new BadOptionError("--duration", durationS, "must be in (0, 120] seconds");
  // a given --out must be a writable file path before anything runs; the default folder is created
  if (o.out !== undefined) checkOutputPath("--out", o.out, (m, v) => new MeasureError(m, "--out", v));
  // a bad --shape fails before anything runs (the grids check it)
  if (o.shape !== undefined) throughputGrid({ nproc: 1, shape: o.shape });
  if (o.limits !== undefined) limitGrid(o.limits, o.shape);
  if (o.limits !== undefined && o.wakeups) throw new BadOptionError("--limits", o.limits.join(","), "cannot be combined with --wakeups");
  if (o.lost && (o.wakeups || o.limits !== undefined))
    throw new BadOptionError("--lost", true, `cannot be combined with ${o.wakeups ? "--wakeups" : "--limits"}`);
  const problem = await checkEnvironment();
  if (problem) throw new MeasureError(`cannot measure: ${problem}`, "environment", problem);

  const host = describeHost();
  const date = new Date().toISOString().slice(0, 10);
  const out = o.out ?? `${REPO_ROOT}validation/data/${host.hostClass}-${date}.jsonl`;
  if (o.out === undefined) mkdirSync(dirname(resolve(out)), { recursive: true });

  for (const l of await cleanupEarlierRuns()) log(l);
  await buildBpf();

  const state = new RunState();
  setProcessRecorder({ started: (pid, cmd) => state.addProcess(pid, cmd), ended: (pid) => state.removeProcess(pid) });
  const pair = pairNames("bpfsim", process.pid);
  const failed: MeasureSummary["failed"] = [];
  let inARow = 0;
  /** Runs one repetition; a failure is recorded and counted, not thrown (unless too many in a row). */
  const attempt = async <T>(kind: "microbench" | "throughput", runId: string, f: () => Promise<T>): Promise<T | undefined> => {
    try {
      const r = await f();
      inARow = 0;
      return r;
    } catch (e) {
      if (stopping) throw e;
      const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 500);
      appendFailedRow(out, { kind: "failed", of: kind, runId, startedAt: new Date().toISOString(), hostClass: host.hostClass, reason });
      failed.push({ runId, reason });
      log(`${runId}: repetition failed, recorded: ${reason}`);
      if (++inARow >= MAX_FAILURES_IN_A_ROW)
        throw new MeasureError(`${inARow} repetitions failed in a row (last: ${runId}: ${reason}); stopping`, "repetitions", runId);
      return undefined;
    }
  };
  let stopping = false;
  let rows = 0;
  let first = true;
  const stamp = () => {
    const h = first ? host : undefined;
    first = false;
    return h;
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping and cleaning up`);
    void stopAllChildren()
      .then(() => deleteVethPair(pair))
      .finally(() => {
        state.close();
        process.exit(128 + (sig === "SIGHUP" ? 1 : sig === "SIGINT" ? 2 : 15));
      });
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  try {
    if (o.lost || (o.microbench !== false && !o.wakeups && o.limits === undefined)) {
      const plan = schedule(o.lost ? lostGrid({ nproc: host.nproc, quick: o.quick }) : microbenchGrid({ nproc: host.nproc, quick: o.quick }), reps);
      for (const [i, { config, rep }] of plan.entries()) {
        const preRun = await waitForQuiet({ maxWaitMs: o.quietWaitMs ?? 10_000 });
        const loader = await attempt("microbench", `${config.id}#${rep}`, () => runMicrobench(config));
        if (loader === undefined) continue;
        appendRow(out, {
          kind: "microbench",
          runId: `${config.id}#${rep}`,
          configId: config.id,
          rep,
          startedAt: new Date().toISOString(),
          hostClass: host.hostClass,
          host: stamp(),
          config,
          preRun,
          loader,
        });
        rows++;
        log(`[micro ${i + 1}/${plan.length}] ${config.id} rep ${rep}: ${loader.ns_per_run_mean} ns/run (idle before ${preRun.idleShare.toFixed(2)})`);
      }
    }
    if (o.throughput !== false && !o.lost) {
      const canLimit = cpuCgroupSupport() !== undefined;
      const grid = o.wakeups
        ? wakeupGrid(o.shape)
        : o.limits !== undefined
          ? limitGrid(o.limits, o.shape)
          : throughputGrid({ nproc: host.nproc, quick: o.quick, shape: o.shape });
      const configs = grid.filter((c) => {
        if (c.cpuLimit !== undefined && !canLimit) {
          log(`skipping ${c.id}: no cgroup cpu controller`);
          return false;
        }
        return true;
      });
      await createVethPair(pair, { created: (ns) => state.addNamespace(ns) });
      o.onStage?.("namespaces");
      const plan = schedule(configs, reps);
      for (const [i, { config, rep }] of plan.entries()) {
        const preRun = await waitForQuiet({ maxWaitMs: o.quietWaitMs ?? 10_000 });
        const startedAt = new Date().toISOString();
        const r = await attempt("throughput", `${config.id}#${rep}`, () => runThroughput(pair, config, durationS, o.onStage));
        if (r === undefined) continue;
        appendRow(out, {
          kind: "throughput",
          runId: `${config.id}#${rep}`,
          configId: config.id,
          rep,
          startedAt,
          hostClass: host.hostClass,
          host: stamp(),
          config,
          durationS,
          preRun,
          userHz: 100,
          ...r,
        });
        rows++;
        log(
          `[tput ${i + 1}/${plan.length}] ${config.id} rep ${rep}: ${(r.iperf.bitsPerSecond / 1e9).toFixed(2)} Gb/s (idle before ${preRun.idleShare.toFixed(2)})` +
            (r.loader ? `, records ${r.loader.records}, failed ${r.loader.failed}` : "") +
            (r.loader?.irq_work_ipis != null ? `, irq_work IPIs ${r.loader.irq_work_ipis}` : "") +
            (r.loader?.perf_event_wakeup_calls != null
              ? `, perf_event_wakeup ${r.loader.perf_event_wakeup_calls} / perf_event_output ${r.loader.perf_event_output_calls}`
              : ""),
        );
      }
    }
  } finally {
    // a stop signal's handler cleans up and exits: wait for it rather than race it to the exit
    if (stopping) await new Promise<never>(() => {});
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    await stopAllChildren();
    await deleteVethPair(pair);
    setProcessRecorder(undefined);
    state.close();
  }
  return { out, rows, hostClass: host.hostClass, failed };
}
