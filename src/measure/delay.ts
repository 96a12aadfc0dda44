/**
 * `bpfsim measure --delay`: the injected-delay campaign. iperf3 throughput over the harness's
 * veth pair (throughput.ts, parser on both ends) with the parser spinning `--burn-ns` ns in
 * every program run, for each output mode (grid.ts delayGrid), in seeded random order within
 * each repetition round (shuffledSchedule). Rows are ordinary throughput rows (jsonl.ts) whose
 * config.settings.burnNs (and loader.burn_ns) give the injected ns per program run;
 * src/calibration/delay-response.ts fits the response curve from them.
 * Same cleanup guarantees as measure.ts: stale namespaces removed first, the pair deleted in
 * `finally` and on SIGINT/SIGTERM, every child process time-limited.
 */
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import { killAllChildren, run, start } from "./exec.ts";
import { delayGrid, shuffledSchedule, windowTag, type DelayGridOptions, type ThroughputConfig } from "./grid.ts";
import { describeHost } from "./host.ts";
import { appendRow, readDataset, type ThroughputRow } from "./jsonl.ts";
import { buildBpf, parseLoaderOutput, REPO_ROOT, startLive, type LoaderReport } from "./loader.ts";
import { checkEnvironment } from "./measure.ts";
import { cleanupStaleNamespaces, createVethPair, deleteVethPair, pairNames, type VethPair } from "./netns.ts";
import { BadOptionError } from "./options.ts";
import { CPU_FIELDS, diffProcStat, readProcStat, waitForQuiet } from "./procstat.ts";
import { parseIperfJson, shapeEndpoints, windowArgs, type ThroughputResult } from "./throughput.ts";

/**
 * The sender's TCP state over an iperf3 run (iperf3 -J, from TCP_INFO): what a window/RTT law
 * needs to be checked against (Little's law: bytes in flight = throughput x RTT).
 */
export interface IperfTcpInfo {
  /** end.streams[0].sender mean_rtt / min_rtt / max_rtt, in us. */
  meanRttUs: number;
  minRttUs: number;
  maxRttUs: number;
  /** end.streams[0].sender max_snd_cwnd, bytes. */
  maxSndCwndBytes: number;
  /** Median over the 1 s intervals of snd_cwnd (bytes) and rtt (us). */
  medianSndCwndBytes: number;
  medianRttUs: number;
}

const medianOf = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Extracts IperfTcpInfo from iperf3 -J client output; undefined when iperf3 did not report TCP_INFO. */
export function parseIperfTcpInfo(text: string): IperfTcpInfo | undefined {
  const j = JSON.parse(text) as {
    intervals?: { streams?: { snd_cwnd?: number; rtt?: number }[] }[];
    end?: { streams?: { sender?: { mean_rtt?: number; min_rtt?: number; max_rtt?: number; max_snd_cwnd?: number } }[] };
  };
  const s = j.end?.streams?.[0]?.sender;
  if (!s || typeof s.mean_rtt !== "number" || typeof s.max_snd_cwnd !== "number") return undefined;
  const iv = (j.intervals ?? []).map((i) => i.streams?.[0]).filter((x) => x !== undefined);
  return {
    meanRttUs: s.mean_rtt,
    minRttUs: s.min_rtt ?? NaN,
    maxRttUs: s.max_rtt ?? NaN,
    maxSndCwndBytes: s.max_snd_cwnd,
    medianSndCwndBytes: medianOf(iv.map((x) => x.snd_cwnd).filter((x): x is number => typeof x === "number")),
    medianRttUs: medianOf(iv.map((x) => x.rtt).filter((x): x is number => typeof x === "number")),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One repetition, as throughput.ts runThroughput (same namespaces, hooks, limits and cleanup; no
 * CPU limit, which the delay grid never sets), but
 * also keeping the sender's TCP_INFO summary (`tcp`) that runThroughput's parse drops.
 */
async function runDelayThroughput(pair: VethPair, c: ThroughputConfig, durationS: number): Promise<ThroughputResult & { tcp?: IperfTcpInfo }> {
  // veth: server in b, client in a, parser on both veth ends; lo-p2: both in a over its loopback,
  // two streams, parser on a's lo (endpoint hooks see each packet on egress and on ingress).
  const { serverNs, serverAddr, ifaces, clientArgs } = shapeEndpoints(pair, c.shape);
  const server = start("ip", ["netns", "exec", serverNs, "iperf3", "-s", "-1", "-B", serverAddr, "-J"], { timeoutMs: (durationS + 40) * 1000 });
  let live: ReturnType<typeof startLive> | undefined;
  try {
    if (c.settings) {
      live = startLive(c.settings, ifaces, durationS + 15);
      await live.attached;
    }
    await sleep(300); // iperf3 server listening
    const before = readProcStat();
    const client = await run("ip", ["netns", "exec", pair.nsA, "iperf3", "-c", serverAddr, "-t", String(durationS), ...clientArgs, ...windowArgs(c), "-J"], {
      timeoutMs: (durationS + 20) * 1000,
    });
    const after = readProcStat();
    if (client.code !== 0 && !client.stdout) throw new Error(`iperf3 client failed: ${client.stderr.trim()}`);
    const iperf = parseIperfJson(client.stdout);
    const tcp = parseIperfTcpInfo(client.stdout);
    let loader: LoaderReport | undefined;
    if (live) {
      live.started.stop();
      loader = parseLoaderOutput((await live.started.done).stdout);
    }
    return { iperf, tcp, procStat: diffProcStat(before, after), loader };
  } finally {
    if (live) {
      live.started.stop();
      await live.started.done;
    }
    server.stop();
    await server.done;
  }
}

/**
 * Share of the machine's CPU time during a run spent in user space by someone else: /proc/stat
 * user + nice over the run, less the loader's reader thread (`reader_cpu_s`), over all CPU time.
 * iperf3 and the parser run almost entirely in the kernel, so on a quiet machine this is a few
 * percent; other tenants' compilers and test runners show here. Never below 0.
 */
export function foreignCpuShare(r: Pick<ThroughputRow, "procStat" | "userHz" | "loader">): number {
  const c = r.procStat.cpu;
  const total = CPU_FIELDS.reduce((s, f) => s + c[f], 0);
  if (!(total > 0)) return 0;
  const reader = Number(r.loader?.reader_cpu_s ?? 0) * r.userHz;
  return Math.max(0, (c.user + c.nice - (Number.isFinite(reader) ? reader : 0)) / total);
}

/** Runs whose foreign CPU share is at most this are clean (the fit uses only these by default). */
export const DEFAULT_MAX_FOREIGN_SHARE = 0.1;

export interface DelayMeasureOptions extends DelayGridOptions {
  /** Planned repetitions per configuration (shuffled rounds). @defaultValue 5 */
  reps?: number;
  /**
   * After the planned rounds, keep running shuffled rounds of the configurations that have fewer
   * than this many clean runs (foreign CPU share <= maxForeignShare) in the output file, until
   * none lacks or the budget is spent. 0: no extra rounds. @defaultValue 3
   */
  cleanRuns?: number;
  /** @defaultValue DEFAULT_MAX_FOREIGN_SHARE */
  maxForeignShare?: number;
  /** Wall-clock budget in minutes: no run starts after it. @defaultValue 25 */
  budgetMin?: number;
  /** Seconds per iperf3 run. @defaultValue 3 */
  durationS?: number;
  /** Seed of the run order (round i uses seed + i). @defaultValue 1 */
  seed?: number;
  /**
   * Output file; rows are appended, and repetition numbers continue after those already in it, so
   * a campaign can be topped up. @defaultValue validation/data/<host-class>-<YYYY-MM-DD>-injected-delay.jsonl
   */
  out?: string;
  /** Longest wait for an idle machine before each run. @defaultValue 5000 */
  quietWaitMs?: number;
  /**
   * Start a run only when the machine is quiet (>= 85% idle) within quietWaitMs; otherwise skip
   * it this round (nothing is recorded) and try again in a later round. On a machine that other
   * tenants keep busy this trades time for clean runs and adds no load while they work. @defaultValue false
   */
  onlyQuiet?: boolean;
  log?: (line: string) => void;
}

export async function runDelayMeasure(o: DelayMeasureOptions = {}): Promise<{ out: string; rows: number; hostClass: string }> {
  const log = o.log ?? ((l: string) => console.error(l));
  const reps = o.reps ?? 5;
  const cleanRuns = o.cleanRuns ?? 3;
  const maxForeign = o.maxForeignShare ?? DEFAULT_MAX_FOREIGN_SHARE;
  const budgetMin = o.budgetMin ?? 25;
  const durationS = o.durationS ?? 3;
  const seed = o.seed ?? 1;
  if (!(durationS > 0) || durationS > 120) throw new BadOptionError("--duration", durationS, "must be in (0, 120] seconds");
  if (!Number.isInteger(reps) || reps < 0) throw new BadOptionError("--reps", reps, "must be a non-negative integer");
  if (!Number.isInteger(cleanRuns) || cleanRuns < 0) throw new BadOptionError("--clean-runs", cleanRuns, "must be a non-negative integer");
  if (!(maxForeign > 0 && maxForeign <= 1)) throw new BadOptionError("maxForeignShare", maxForeign, "must be in (0, 1]");
  if (!(budgetMin > 0) || budgetMin > 600) throw new BadOptionError("--budget-min", budgetMin, "must be in (0, 600] minutes");
  const configs = delayGrid(o);
  shuffledSchedule(configs, 1, seed); // validates the seed before anything is built
  const problem = await checkEnvironment();
  if (problem) throw new Error(`cannot measure: ${problem}`);

  const host = describeHost();
  const date = new Date().toISOString().slice(0, 10);
  const out =
    o.out ?? `${REPO_ROOT}validation/data/${host.hostClass}-${date}-injected-delay${o.windowBytes === undefined ? "" : `-${windowTag(o.windowBytes)}`}.jsonl`;
  mkdirSync(out.replace(/\/[^/]*$/, ""), { recursive: true });
  // What the file already holds: next repetition number and clean runs per configuration.
  const nextRep = new Map<string, number>();
  const clean = new Map<string, number>();
  const existing = existsSync(out) ? readDataset(out) : [];
  for (const r of existing) {
    if (r.kind !== "throughput") continue;
    nextRep.set(r.configId, Math.max(nextRep.get(r.configId) ?? 0, r.rep + 1));
    if (foreignCpuShare(r) <= maxForeign) clean.set(r.configId, (clean.get(r.configId) ?? 0) + 1);
  }
  if (existing.length) log(`${out}: ${existing.length} rows already, continuing the repetition numbers`);
  for (const ns of await cleanupStaleNamespaces()) log(`removed stale namespace ${ns}`);
  await buildBpf();

  const deadline = Date.now() + budgetMin * 60_000;
  const pair = pairNames("bpfsim", process.pid);
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping and cleaning up`);
    killAllChildren();
    void deleteVethPair(pair).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let rows = 0;
  let skipped = 0;
  try {
    await createVethPair(pair);
    for (let round = 0; Date.now() < deadline; round++) {
      const todo = configs.filter((c) => round < reps || (clean.get(c.id) ?? 0) < cleanRuns);
      if (todo.length === 0) break;
      for (const { config } of shuffledSchedule(todo, 1, seed + round)) {
        if (Date.now() >= deadline) {
          log(`budget of ${budgetMin} min spent: stopping`);
          break;
        }
        const preRun = await waitForQuiet({ maxWaitMs: o.quietWaitMs ?? 5000 });
        if (o.onlyQuiet && !preRun.quiet) {
          skipped++;
          if (skipped % 10 === 1) log(`machine busy (idle ${preRun.idleShare.toFixed(2)}): skipped ${skipped} run starts so far`);
          continue;
        }
        const rep = nextRep.get(config.id) ?? 0;
        nextRep.set(config.id, rep + 1);
        const startedAt = new Date().toISOString();
        const r = await runDelayThroughput(pair, config, durationS);
        const row = {
          kind: "throughput" as const,
          // The harness's niceness (children inherit it): `nice -n -19 bpfsim measure --delay` lets
          // iperf3, the loader and the parser's softirq work preempt other tenants' ordinary processes.
          niceness: os.getPriority(),
          runId: `${config.id}#${rep}`,
          configId: config.id,
          rep,
          startedAt,
          hostClass: host.hostClass,
          host: rows === 0 && existing.length === 0 ? host : undefined,
          config,
          durationS,
          preRun,
          userHz: 100,
          ...r,
        };
        const foreign = foreignCpuShare(row);
        if (foreign <= maxForeign) clean.set(config.id, (clean.get(config.id) ?? 0) + 1);
        appendRow(out, { ...row, foreignCpuShare: foreign } as Parameters<typeof appendRow>[1]);
        rows++;
        log(
          `[delay round ${round} #${rows}] ${config.id} rep ${rep}: ${(r.iperf.bitsPerSecond / 1e9).toFixed(2)} Gb/s` +
            ` (idle before ${preRun.idleShare.toFixed(2)}, foreign CPU ${foreign.toFixed(2)}${foreign <= maxForeign ? "" : ": not clean"})` +
            (r.tcp ? `, rtt ${r.tcp.meanRttUs} us, cwnd ${r.tcp.medianSndCwndBytes} B` : "") +
            (r.loader ? `, program runs ${r.loader.seen}, records ${r.loader.records}, failed ${r.loader.failed}` : ""),
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
