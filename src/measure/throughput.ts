/**
 * One throughput repetition, in one of two traffic shapes (grid.ts TrafficShape):
 * - veth: iperf3 (TCP, one stream) from namespace "a" (host side) to namespace "b" (pod side) over
 *   the harness's veth pair, with the parser attached on both veth ends (host_* hooks on a,
 *   endpoint_* hooks on b, so each data packet crosses host egress and endpoint ingress, each ACK
 *   endpoint egress and host ingress);
 * - lo-p2: iperf3 -P 2 (two streams) between client and server both in namespace "a" over its
 *   loopback (127.0.0.1), the parser's endpoint hooks on that `lo` (every packet, data or ACK,
 *   crosses lo egress and then lo ingress); the host's own interfaces are never touched;
 * or no program for the baseline.
 * Records iperf3 -J's summary, /proc/stat deltas over the run (context switches, CPU ticks) and
 * the loader's JSON. Every process has a time limit.
 */
import { createCpuCgroup, readCpuStat, removeCpuCgroup, type CpuCgroup } from "./cgroup.ts";
import { run, start } from "./exec.ts";
import type { ThroughputConfig, TrafficShape } from "./grid.ts";
import { parseLoaderOutput, startLive, type LoaderReport } from "./loader.ts";
import type { VethPair } from "./netns.ts";
import { diffProcStat, readProcStat, type ProcStat } from "./procstat.ts";

export interface ThroughputResult {
  iperf: { bitsPerSecond: number; bytes: number; retransmits: number; senderCpuPercent: number; receiverCpuPercent: number };
  procStat: ProcStat;
  loader?: LoaderReport;
  cgroupCpuStat?: Record<string, number>;
}

/** Extracts the summary bpfsim keeps from iperf3 -J client output. */
export function parseIperfJson(text: string): ThroughputResult["iperf"] {
  const j = JSON.parse(text) as {
    error?: string;
    end?: {
      sum_received?: { bits_per_second: number; bytes: number };
      sum_sent?: { retransmits?: number };
      cpu_utilization_percent?: { host_total: number; remote_total: number };
    };
  };
  if (j.error) throw new Error(`iperf3: ${j.error}`);
  const r = j.end?.sum_received;
  if (!r) throw new Error("iperf3 JSON has no end.sum_received");
  return {
    bitsPerSecond: r.bits_per_second,
    bytes: r.bytes,
    retransmits: j.end?.sum_sent?.retransmits ?? 0,
    senderCpuPercent: j.end?.cpu_utilization_percent?.host_total ?? NaN,
    receiverCpuPercent: j.end?.cpu_utilization_percent?.remote_total ?? NaN,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where a shape's iperf3 server runs and listens, the interfaces the loader attaches to, and the client's extra flags. */
export interface ShapeEndpoints {
  serverNs: string;
  serverAddr: string;
  /** Loader interface specs (`name@netns[:host]`). */
  ifaces: string[];
  clientArgs: string[];
}

/** iperf3 client flags of a configuration beyond its shape's: `-w` for a window-limited flow. */
export function windowArgs(c: Pick<ThroughputConfig, "windowBytes">): string[] {
  return c.windowBytes === undefined ? [] : ["-w", String(c.windowBytes)];
}

export function shapeEndpoints(pair: Pick<VethPair, "nsA" | "nsB" | "ifA" | "ifB" | "addrB">, shape: TrafficShape | undefined): ShapeEndpoints {
  if (shape === "lo-p2") return { serverNs: pair.nsA, serverAddr: "127.0.0.1", ifaces: [`lo@${pair.nsA}`], clientArgs: ["-P", "2"] };
  if (shape !== undefined && shape !== "veth") throw new RangeError(`shapeEndpoints: unknown traffic shape ${String(shape)}`);
  return { serverNs: pair.nsB, serverAddr: pair.addrB, ifaces: [`${pair.ifA}@${pair.nsA}:host`, `${pair.ifB}@${pair.nsB}`], clientArgs: [] };
}

/** `onStage` is told "server", "loader" and "client" as each starts (for the harness's cleanup test). */
export async function runThroughput(pair: VethPair, c: ThroughputConfig, durationS: number, onStage?: (stage: string) => void): Promise<ThroughputResult> {
  const ep = shapeEndpoints(pair, c.shape);
  const server = start("ip", ["netns", "exec", ep.serverNs, "iperf3", "-s", "-1", "-B", ep.serverAddr, "-J"], {
    timeoutMs: (durationS + 40) * 1000,
  });
  let cg: CpuCgroup | undefined;
  let live: ReturnType<typeof startLive> | undefined;
  try {
    onStage?.("server");
    if (c.settings) {
      if (c.cpuLimit !== undefined) cg = createCpuCgroup(c.cpuLimit);
      live = startLive(c.settings, ep.ifaces, durationS + 15, {
        cgroupProcs: cg ? `${cg.path}/cgroup.procs` : undefined,
        countWakeups: c.countWakeups,
      });
      await live.attached;
      onStage?.("loader");
    }
    await sleep(300); // iperf3 server listening
    const before = readProcStat();
    const clientRun = start(
      "ip",
      ["netns", "exec", pair.nsA, "iperf3", "-c", ep.serverAddr, "-t", String(durationS), ...ep.clientArgs, ...windowArgs(c), "-J"],
      {
        timeoutMs: (durationS + 20) * 1000,
      },
    );
    onStage?.("client");
    const client = await clientRun.done;
    const after = readProcStat();
    if (client.code !== 0 && !client.stdout) throw new Error(`iperf3 client failed: ${client.stderr.trim()}`);
    const iperf = parseIperfJson(client.stdout);
    let loader: LoaderReport | undefined;
    if (live) {
      live.started.stop();
      const r = await live.started.done;
      if (r.signal === "SIGKILL" || (r.code !== 0 && r.code !== null && !r.stdout.includes("{"))) {
        throw new Error(`bpfsim-loader died during the run (${r.signal ?? `exit ${r.code}`}): ${r.stderr.trim().split("\n").pop() ?? ""}`);
      }
      loader = parseLoaderOutput(r.stdout);
    }
    return {
      iperf,
      procStat: diffProcStat(before, after),
      loader,
      cgroupCpuStat: cg ? readCpuStat(cg) : undefined,
    };
  } finally {
    if (live) {
      live.started.stop();
      await live.started.done;
    }
    server.stop();
    await server.done;
    if (cg) await removeCpuCgroup(cg);
  }
}
