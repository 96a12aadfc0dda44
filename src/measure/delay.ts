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
import { mkdirSync } from "node:fs";
import { killAllChildren, run, start } from "./exec.ts";
import { delayGrid, shuffledSchedule, type DelayGridOptions, type ThroughputConfig } from "./grid.ts";
import { describeHost } from "./host.ts";
import { appendRow } from "./jsonl.ts";
import { buildBpf, parseLoaderOutput, REPO_ROOT, startLive, type LoaderReport } from "./loader.ts";
import { checkEnvironment } from "./measure.ts";
import { cleanupStaleNamespaces, createVethPair, deleteVethPair, pairNames, type VethPair } from "./netns.ts";
import { BadOptionError } from "./options.ts";
import { diffProcStat, readProcStat, waitForQuiet } from "./procstat.ts";
import { parseIperfJson, type ThroughputResult } from "./throughput.ts";

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
  const server = start("ip", ["netns", "exec", pair.nsB, "iperf3", "-s", "-1", "-B", pair.addrB, "-J"], { timeoutMs: (durationS + 40) * 1000 });
  let live: ReturnType<typeof startLive> | undefined;
  try {
    if (c.settings) {
      live = startLive(c.settings, [`${pair.ifA}@${pair.nsA}:host`, `${pair.ifB}@${pair.nsB}`], durationS + 15);
      await live.attached;
    }
    await sleep(300); // iperf3 server listening
    const before = readProcStat();
    const client = await run("ip", ["netns", "exec", pair.nsA, "iperf3", "-c", pair.addrB, "-t", String(durationS), "-J"], {
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

export interface DelayMeasureOptions extends DelayGridOptions {
  /** Repetitions per configuration. @defaultValue 5 */
  reps?: number;
  /** Seconds per iperf3 run. @defaultValue 3 */
  durationS?: number;
  /** Seed of the run order. @defaultValue 1 */
  seed?: number;
  /** @defaultValue validation/data/<host-class>-<YYYY-MM-DD>-injected-delay.jsonl */
  out?: string;
  /** Longest wait for an idle machine before each run. @defaultValue 5000 */
  quietWaitMs?: number;
  log?: (line: string) => void;
}

export async function runDelayMeasure(o: DelayMeasureOptions = {}): Promise<{ out: string; rows: number; hostClass: string }> {
  const log = o.log ?? ((l: string) => console.error(l));
  const reps = o.reps ?? 5;
  const durationS = o.durationS ?? 3;
  if (!(durationS > 0) || durationS > 120) throw new BadOptionError("--duration", durationS, "must be in (0, 120] seconds");
  const plan = shuffledSchedule(delayGrid(o), reps, o.seed ?? 1);
  const problem = await checkEnvironment();
  if (problem) throw new Error(`cannot measure: ${problem}`);

  const host = describeHost();
  const date = new Date().toISOString().slice(0, 10);
  const out = o.out ?? `${REPO_ROOT}validation/data/${host.hostClass}-${date}-injected-delay.jsonl`;
  mkdirSync(out.replace(/\/[^/]*$/, ""), { recursive: true });
  for (const ns of await cleanupStaleNamespaces()) log(`removed stale namespace ${ns}`);
  await buildBpf();

  const pair = pairNames("bpfsim", process.pid);
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping and cleaning up`);
    killAllChildren();
    void deleteVethPair(pair).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let rows = 0;
  try {
    await createVethPair(pair);
    for (const [i, { config, rep }] of plan.entries()) {
      const preRun = await waitForQuiet({ maxWaitMs: o.quietWaitMs ?? 5000 });
      const startedAt = new Date().toISOString();
      const r = await runDelayThroughput(pair, config, durationS);
      appendRow(out, {
        kind: "throughput",
        runId: `${config.id}#${rep}`,
        configId: config.id,
        rep,
        startedAt,
        hostClass: host.hostClass,
        host: rows === 0 ? host : undefined,
        config,
        durationS,
        preRun,
        userHz: 100,
        ...r,
      } as Parameters<typeof appendRow>[1]);
      rows++;
      log(
        `[delay ${i + 1}/${plan.length}] ${config.id} rep ${rep}: ${(r.iperf.bitsPerSecond / 1e9).toFixed(2)} Gb/s` +
          ` (idle before ${preRun.idleShare.toFixed(2)})` +
          (r.tcp ? `, rtt ${r.tcp.meanRttUs} us, cwnd ${r.tcp.medianSndCwndBytes} B` : "") +
          (r.loader ? `, program runs ${r.loader.seen}, records ${r.loader.records}, failed ${r.loader.failed}` : ""),
      );
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await deleteVethPair(pair);
  }
  return { out, rows, hostClass: host.hostClass };
}
