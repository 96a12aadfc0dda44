/**
 * `bpfsim measure`: runs the microbenchmark grid and the throughput grid on this machine and
 * appends one JSON Lines row per repetition to validation/data/<host-class>-<YYYY-MM-DD>.jsonl.
 * Cleanup guarantees: leftovers of a crashed earlier run (namespaces, cgroups; the loader
 * itself undoes stale tc filters) are removed first; the namespaces, cgroups and loader
 * processes of this run are removed in `finally` and from SIGINT/SIGTERM handlers.
 */
import { mkdirSync } from "node:fs";
import { cpuCgroupSupport, cleanupStaleCgroups } from "./cgroup.ts";
import { haveCommand, killAllChildren } from "./exec.ts";
import { microbenchGrid, schedule, throughputGrid, wakeupGrid } from "./grid.ts";
import { describeHost } from "./host.ts";
import { appendRow } from "./jsonl.ts";
import { buildBpf, REPO_ROOT } from "./loader.ts";
import { runMicrobench } from "./microbench.ts";
import { cleanupStaleNamespaces, createVethPair, deleteVethPair, pairNames } from "./netns.ts";
import { BadOptionError } from "./options.ts";
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
  /** Longest wait for an idle machine before each run (the wait is recorded). @defaultValue 10000 */
  quietWaitMs?: number;
  /** Progress lines. @defaultValue console.error */
  log?: (line: string) => void;
}

export interface MeasureSummary {
  out: string;
  rows: number;
  hostClass: string;
}

export async function checkEnvironment(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return "must run as root";
  for (const c of ["clang", "bpftool", "ip", "iperf3", "make"]) {
    if (!(await haveCommand(c)) && !(c === "bpftool" && (await haveCommand("/usr/sbin/bpftool")))) return `${c} not found`;
  }
  return undefined;
}

export async function runMeasure(o: MeasureOptions = {}): Promise<MeasureSummary> {
  const log = o.log ?? ((l: string) => console.error(l));
  const reps = o.reps ?? (o.quick ? 3 : 5);
  const durationS = o.durationS ?? (o.quick ? 3 : 5);
  if (!Number.isInteger(reps) || reps < 1) throw new BadOptionError("--reps", reps, "must be a positive integer");
  if (!(durationS > 0) || durationS > 120) throw new BadOptionError("--duration", durationS, "must be in (0, 120] seconds");
  const problem = await checkEnvironment();
  if (problem) throw new Error(`cannot measure: ${problem}`);

  const host = describeHost();
  const date = new Date().toISOString().slice(0, 10);
  const out = o.out ?? `${REPO_ROOT}validation/data/${host.hostClass}-${date}.jsonl`;
  mkdirSync(out.replace(/\/[^/]*$/, ""), { recursive: true });

  for (const ns of await cleanupStaleNamespaces()) log(`removed stale namespace ${ns}`);
  for (const cg of cleanupStaleCgroups()) log(`removed stale cgroup ${cg}`);
  await buildBpf();

  const pair = pairNames("bpfsim", process.pid);
  let rows = 0;
  let first = true;
  const stamp = () => {
    const h = first ? host : undefined;
    first = false;
    return h;
  };
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping and cleaning up`);
    killAllChildren();
    void deleteVethPair(pair).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    if (o.microbench !== false && !o.wakeups) {
      const plan = schedule(microbenchGrid({ nproc: host.nproc, quick: o.quick }), reps);
      for (const [i, { config, rep }] of plan.entries()) {
        const preRun = await waitForQuiet({ maxWaitMs: o.quietWaitMs ?? 10_000 });
        const loader = await runMicrobench(config);
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
    if (o.throughput !== false) {
      const canLimit = cpuCgroupSupport() !== undefined;
      const configs = (o.wakeups ? wakeupGrid() : throughputGrid({ nproc: host.nproc, quick: o.quick })).filter((c) => {
        if (c.cpuLimit !== undefined && !canLimit) {
          log(`skipping ${c.id}: no cgroup cpu controller`);
          return false;
        }
        return true;
      });
      await createVethPair(pair);
      const plan = schedule(configs, reps);
      for (const [i, { config, rep }] of plan.entries()) {
        const preRun = await waitForQuiet({ maxWaitMs: o.quietWaitMs ?? 10_000 });
        const startedAt = new Date().toISOString();
        const r = await runThroughput(pair, config, durationS);
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
            (r.loader?.perf_event_wakeup_calls != null ? `, perf_event_wakeup ${r.loader.perf_event_wakeup_calls} / perf_event_output ${r.loader.perf_event_output_calls}` : ""),
        );
      }
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await deleteVethPair(pair);
  }
  return { out, rows, hostClass: host.hostClass };
}
