/**
 * TCP's response to delay added on the receive path, fitted from an injected-delay dataset
 * (`bpfsim measure --delay`: iperf3 over a veth pair with the TC parser spinning `burnNs` ns in
 * every program run, bpf/parser.bpf.c `burn_ns`). Pure: rows in, curve and fits out.
 *
 * The curve: per output mode, throughput(burn) / throughput(0) with medians and min-max over the
 * repetitions. Two laws are fitted to it, in time per byte, τ(b) = 8e9 / bits-per-second (ns/B):
 *
 * - **CPU-bound** (the physics): every program run adds b ns to the CPU it runs on
 *   (softirq on ingress, the sending context on egress). When a CPU is the bottleneck, its time
 *   per byte grows by the burn that lands on it: τ(b) = τ0 + k·b·ρ(b), with ρ the program runs per
 *   byte (the loader's `seen` over iperf3's bytes, measured per run, since GRO/TSO skb sizes may
 *   change with the load) and k the share of all runs' burn that falls on the bottleneck CPU
 *   (k = 1: one CPU does every run; on the veth pair data skbs run host egress + endpoint ingress
 *   on the sender's CPU and ACKs the other two hooks on the receiver's, so k ≈ the data skbs'
 *   share of runs when the sender's CPU is the bottleneck). So T(b)/T(0) = 1/(1 + k·b·ρ/τ0).
 *   Fitted twice: k = 1 (one parameter, τ0) and k free.
 * - **Window/RTT-limited**: a flow with a fixed window W (bytes) and round trip RTT0 + n·b, where
 *   n = 4 program runs lie on each round trip's path (data: host egress + endpoint ingress; ACK:
 *   endpoint egress + host ingress): T = W / (RTT0 + n·b), i.e. τ(b) = RTT0/W + (n/W)·b.
 *
 * Both are linear in their regressor, so each is an ordinary (non-negative) least-squares fit on
 * the per-burn medians, weighted by 1/τ (relative errors: the noise of a shared machine scales
 * with the value). Residuals are relative (measured median throughput / the law's - 1), so the
 * laws compare on the same scale and none hangs on the burn-0 runs' own noise. Which law "fits" is decided by those
 * residuals and by whether the fitted parameters are physically possible (bounds below), not by a
 * preference: the caller gets both.
 */
import type { DatasetRow, ThroughputRow } from "../measure/jsonl.ts";
import type { TrafficShape } from "../measure/grid.ts";
import type { OutputMode } from "../measure/loader.ts";
import { DEFAULT_MAX_FOREIGN_SHARE, foreignCpuShare } from "../measure/delay.ts";
import { idleShare } from "../measure/procstat.ts";
import { linearLeastSquares } from "./optimise.ts";
import { median } from "./stats.ts";

/** Program runs on one round trip's path over the harness's veth pair (see the header). */
export const HOOKS_PER_ROUND_TRIP = 4;

/** One (mode, burn) point of the measured curve. */
export interface DelayPoint {
  mode: OutputMode;
  burnNs: number;
  runs: string[];
  /** Throughput in Gb/s: median, min and max over the runs. */
  gbps: { median: number; min: number; max: number };
  /** Median program runs per byte (loader `seen` / iperf3 bytes). */
  runsPerByte: number;
  /** Median share of both CPUs busy during the iperf3 run (1 - idle share of /proc/stat). */
  busyShare: number;
  /**
   * Median CPU time our side spent per byte, ns/B: /proc/stat system + irq + softirq over the run
   * (iperf3 and the parser run in the kernel) plus the loader's reader thread, over iperf3's bytes.
   * Unlike the throughput it does not depend on how much CPU other tenants left us (their system
   * time, small for compilers and test runners, is the error).
   */
  cpuNsPerByte: number;
  /** Median, min and max over runs of throughput / the mode's burn-0 median. */
  normalised: { median: number; min: number; max: number };
  /**
   * The sender's TCP state (iperf3 TCP_INFO; rows of `bpfsim measure --delay` carry it as `tcp`),
   * medians over the runs: mean smoothed RTT, median congestion window, and the bytes in flight
   * Little's law gives (throughput x RTT). undefined when the rows have no `tcp`.
   */
  tcp?: { meanRttUs: number; sndCwndBytes: number; inFlightBytes: number };
}

export interface LawFit {
  law: "cpu-bound-k1" | "cpu-bound" | "window-rtt" | "cpu-cost";
  /** The fitted parameters (names below); units in the names. */
  params: Record<string, number>;
  /**
   * Per point (same order as DelayModeFit.points): measured median throughput / the law's - 1
   * (relative, so that it does not hang on the burn-0 runs' own noise the way a difference of
   * normalised curves would).
   */
  residuals: number[];
  /** sqrt(mean(residual^2)). */
  rms: number;
  maxAbsResidual: number;
  /** The law's normalised throughput at each point. */
  fitted: number[];
  /** Empty when every parameter is physically possible; else one line per violation. */
  implausible: string[];
}

export interface DelayModeFit {
  mode: OutputMode;
  points: DelayPoint[];
  cpuBoundK1: LawFit;
  cpuBound: LawFit;
  window: LawFit;
  /**
   * The CPU-cost law: CPU ns per byte (DelayPoint.cpuNsPerByte) = c0 + kc·b·ρ(b), fitted on the
   * CPU time, not the throughput; its `fitted` curve is c(0)/c(b), the throughput a CPU-bound flow
   * with the same CPU available at every burn would keep. kc is the share of the injected spin that
   * shows up as CPU time (1 by construction, if the knob and the accounting are right); how well
   * this curve follows the measured throughput says whether the flow is CPU-bound, and it holds up
   * when other tenants take part of the CPUs (it needs no clean runs).
   */
  cpuCost: LawFit;
  /** The plausible law with the smallest rms (undefined when none is plausible). */
  best?: LawFit["law"];
  /**
   * The other plausible laws whose rms is within half the repetitions' scatter of the best's: the
   * residuals cannot tell them from it, only the physical diagnostics can.
   */
  tiedWithBest: LawFit["law"][];
  /** What the TCP and CPU measurements say about the limit, independent of the fits. */
  diagnostics: DelayDiagnostics;
}

/**
 * Measured evidence for which resource limits the flow:
 * - a window-limited flow keeps (nearly) its whole congestion window in flight, and its RTT grows by
 *   the added delay only (n·b); a CPU-bound flow leaves part of its window unused (cwnd > in flight)
 *   or queues behind the busy CPU, so its RTT grows by more than n·b;
 * - a CPU-bound pair keeps both CPUs busy at every burn.
 */
export interface DelayDiagnostics {
  /** Median over points of the busy share of both CPUs during the runs. */
  medianBusyShare: number;
  /**
   * The repetitions' own scatter, the yardstick for the residuals: median over the points with at
   * least 2 runs of (max - min) / (2 median) of their throughput. NaN when no point has 2 runs.
   */
  repetitionScatter: number;
  /** Per point: congestion window / bytes in flight (undefined without TCP_INFO). */
  cwndOverInFlight?: number[];
  /** Per point: measured RTT increase over burn 0 divided by n·b (burn 0: undefined, NaN). */
  rttRiseOverAddedDelay?: number[];
}

export interface DelayResponseFit {
  modes: DelayModeFit[];
  /** The no-program baseline (tpd-baseline), when the dataset has one. */
  baseline?: { runs: string[]; gbps: { median: number; min: number; max: number } };
  /** tpd-* rows used, and those left out as contaminated (foreign CPU share above the limit). */
  rowsUsed: number;
  rowsDropped: number;
  /** The contamination limit the fit used. */
  maxForeignShare: number;
  /** (mode, burn) pairs of the dataset with no clean run left: not on the curve. */
  missing: string[];
}

/** Physical bounds the fitted parameters must respect (the test checks them; see `plausibility`). */
export interface PlausibilityBounds {
  /** Largest share of the burn that can land on the bottleneck CPU (1: every run on it), with slack for noise. @defaultValue 1.1 */
  maxK?: number;
  /** Largest credible window in bytes (Linux tcp_rmem max is 6 MiB by default; 32 MiB allows tuning). @defaultValue 33554432 */
  maxWindowBytes?: number;
  /** Largest credible base RTT over a veth pair in ns. @defaultValue 1e6 */
  maxRtt0Ns?: number;
}

export interface DelayFitOptions {
  /**
   * Leave out runs in which other tenants used more than this share of the CPUs in user space
   * (src/measure/delay.ts foreignCpuShare): on a shared 2-vCPU machine they measure the neighbours.
   * 1: keep every run. @defaultValue DEFAULT_MAX_FOREIGN_SHARE (0.1)
   */
  maxForeignShare?: number;
  /** Which traffic shape's rows to fit (config.shape; undefined in a row means "veth"). @defaultValue "veth" */
  shape?: TrafficShape;
  /**
   * Which window's rows to fit (config.windowBytes, from `bpfsim measure --delay --window`):
   * undefined fits the rows without one (the kernel's autotuning), never mixing the two.
   */
  windowBytes?: number;
  bounds?: PlausibilityBounds;
}

const MODES: readonly OutputMode[] = ["none", "perf", "ringbuf"];

function isDelayRow(r: DatasetRow): r is ThroughputRow {
  return r.kind === "throughput" && r.configId.startsWith("tpd-");
}

function spread(xs: number[]): { median: number; min: number; max: number } {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** Gb/s of a row; throws naming the run for anything not a positive finite throughput. */
function gbpsOf(r: ThroughputRow): number {
  const v = r.iperf.bitsPerSecond;
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`${r.runId}: iperf.bitsPerSecond = ${JSON.stringify(v)}: must be a positive number`);
  return v / 1e9;
}

function cpuNsPerByteOf(r: ThroughputRow): number {
  const c = r.procStat.cpu;
  const reader = Number(r.loader?.reader_cpu_s ?? 0);
  const cpuS = (c.system + c.irq + c.softirq) / r.userHz + (Number.isFinite(reader) ? reader : 0);
  return (cpuS * 1e9) / r.iperf.bytes;
}

function runsPerByteOf(r: ThroughputRow): number {
  const seen = Number(r.loader?.seen);
  const bytes = r.iperf.bytes;
  if (!(Number.isFinite(seen) && seen > 0)) throw new Error(`${r.runId}: loader.seen = ${JSON.stringify(r.loader?.seen)}: must be a positive count`);
  if (!(Number.isFinite(bytes) && bytes > 0)) throw new Error(`${r.runId}: iperf.bytes = ${JSON.stringify(bytes)}: must be a positive count`);
  return seen / bytes;
}

interface TcpFields {
  meanRttUs: number;
  medianSndCwndBytes: number;
}

function tcpOf(rs: ThroughputRow[]): DelayPoint["tcp"] {
  const t = rs.map((r) => (r as ThroughputRow & { tcp?: TcpFields }).tcp);
  if (t.some((x) => !x || !(x.meanRttUs > 0) || !(x.medianSndCwndBytes > 0))) return undefined;
  const ok = t as TcpFields[];
  return {
    meanRttUs: median(ok.map((x) => x.meanRttUs)),
    sndCwndBytes: median(ok.map((x) => x.medianSndCwndBytes)),
    inFlightBytes: median(rs.map((r, i) => (r.iperf.bitsPerSecond / 8) * ok[i]!.meanRttUs * 1e-6)),
  };
}

/** The measured curve: one point per (mode, burn), sorted by mode then burn. */
export function delayPoints(
  rows: readonly DatasetRow[],
  o: DelayFitOptions = {},
): { points: DelayPoint[]; baseline?: DelayResponseFit["baseline"]; rowsUsed: number; rowsDropped: number; missing: string[] } {
  const maxForeign = o.maxForeignShare ?? DEFAULT_MAX_FOREIGN_SHARE;
  if (!(maxForeign > 0 && maxForeign <= 1)) throw new Error(`maxForeignShare = ${maxForeign}: must be in (0, 1]`);
  const shape = o.shape ?? "veth";
  const all = rows.filter(isDelayRow).filter((r) => (r.config.shape ?? "veth") === shape && r.config.windowBytes === o.windowBytes);
  const delay = all.filter((r) => foreignCpuShare(r) <= maxForeign);
  const key = (r: ThroughputRow) => (r.config.settings ? `${r.config.settings.mode} ${r.config.settings.burnNs ?? 0} ns` : "baseline");
  const kept = new Set(delay.map(key));
  const missing = [...new Set(all.map(key))].filter((k) => !kept.has(k));
  const groups = new Map<string, ThroughputRow[]>();
  const base: ThroughputRow[] = [];
  for (const r of delay) {
    const s = r.config.settings;
    if (!s) {
      base.push(r);
      continue;
    }
    const burn = s.burnNs ?? 0;
    if (!Number.isInteger(burn) || burn < 0)
      throw new Error(`${r.runId}: config.settings.burnNs = ${JSON.stringify(s.burnNs)}: must be a non-negative integer`);
    const lb = r.loader?.burn_ns;
    if (lb !== undefined && lb !== burn) throw new Error(`${r.runId}: loader.burn_ns = ${JSON.stringify(lb)} differs from config.settings.burnNs = ${burn}`);
    if (!MODES.includes(s.mode)) throw new Error(`${r.runId}: config.settings.mode = ${JSON.stringify(s.mode)}: must be one of ${MODES.join(", ")}`);
    const key = `${s.mode}|${burn}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  if (groups.size === 0) {
    throw new Error(
      all.length === 0
        ? "the dataset has no injected-delay rows (configId tpd-<mode>-b<ns>, from `bpfsim measure --delay`)"
        : `none of the dataset's ${all.length} injected-delay rows is clean (foreign CPU share <= ${maxForeign})`,
    );
  }
  const points: DelayPoint[] = [];
  for (const mode of MODES) {
    const mine = [...groups.entries()].filter(([k]) => k.startsWith(`${mode}|`));
    if (mine.length === 0) continue;
    const ref = groups.get(`${mode}|0`);
    if (!ref) throw new Error(`mode ${mode}: no clean burn-0 runs (tpd-${mode}-b0) to normalise by`);
    const t0 = median(ref.map(gbpsOf));
    for (const [key, rs] of mine) {
      const burnNs = Number(key.split("|")[1]);
      const g = rs.map(gbpsOf);
      points.push({
        mode,
        burnNs,
        runs: rs.map((r) => r.runId),
        gbps: spread(g),
        runsPerByte: median(rs.map(runsPerByteOf)),
        busyShare: median(rs.map((r) => 1 - idleShare(r.procStat))),
        cpuNsPerByte: median(rs.map(cpuNsPerByteOf)),
        normalised: spread(g.map((x) => x / t0)),
        tcp: tcpOf(rs),
      });
    }
  }
  points.sort((a, b) => MODES.indexOf(a.mode) - MODES.indexOf(b.mode) || a.burnNs - b.burnNs);
  const baseline = base.length ? { runs: base.map((r) => r.runId), gbps: spread(base.map(gbpsOf)) } : undefined;
  return { points, baseline, rowsUsed: delay.length, rowsDropped: all.length - delay.length, missing };
}

/** ns per byte of a Gb/s figure. */
const nsPerByte = (gbps: number) => 8 / gbps;

/**
 * A law's residuals: measured median throughput over the law's, minus 1, per point. `tau` is the
 * law's time per byte; `free scale` (the cpu-cost law, which predicts CPU time, not wall time)
 * first scales it by the least-squares factor that best matches the measured time per byte.
 */
function finish(
  law: LawFit["law"],
  params: Record<string, number>,
  points: DelayPoint[],
  tau: (p: DelayPoint) => number,
  implausible: string[],
  freeScale = false,
): LawFit {
  const tau0 = tau(points.find((p) => p.burnNs === 0)!);
  const fitted = points.map((p) => tau0 / tau(p));
  // v minimises sum (v·tau/tau_measured - 1)^2
  const u = points.map((p) => tau(p) / nsPerByte(p.gbps.median));
  const v = freeScale ? u.reduce((a, x) => a + x, 0) / u.reduce((a, x) => a + x * x, 0) : 1;
  const residuals = u.map((x) => v * x - 1);
  const rms = Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length);
  return { law, params, residuals, rms, maxAbsResidual: Math.max(...residuals.map(Math.abs)), fitted, implausible };
}

/**
 * Weighted (1/τ) non-negative least squares of τ on the columns, over one mode's points.
 * Returns the coefficients.
 */
function fitTau(
  points: DelayPoint[],
  columns: ((p: DelayPoint) => number)[],
  offset: (p: DelayPoint) => number = () => 0,
  value: (p: DelayPoint) => number = (p) => nsPerByte(p.gbps.median),
): number[] {
  const X = points.map((p) => columns.map((c) => c(p) / value(p)));
  const y = points.map((p) => (value(p) - offset(p)) / value(p));
  return linearLeastSquares(X, y, { nonNegative: true }).coef;
}

/** Fits the three laws to one mode's points (which must include burn 0 and one other burn). */
export function fitMode(points: DelayPoint[], bounds: PlausibilityBounds = {}): DelayModeFit {
  // Law checks below: each names the parameter and the bound it breaks.
  const mode = points[0]!.mode;
  if (points.some((p) => p.mode !== mode)) throw new Error("fitMode: points of more than one mode");
  if (!points.some((p) => p.burnNs === 0)) throw new Error(`mode ${mode}: no burn-0 point`);
  if (points.length < 3) throw new Error(`mode ${mode}: ${points.length} burn values; the laws need at least 3`);
  const maxK = bounds.maxK ?? 1.1;
  const maxW = bounds.maxWindowBytes ?? 32 << 20;
  const maxRtt = bounds.maxRtt0Ns ?? 1e6;
  const rho0 = points.find((p) => p.burnNs === 0)!.runsPerByte;

  // CPU-bound, k = 1: τ - b·ρ = τ0.
  const [t1 = 0] = fitTau(points, [() => 1], (p) => p.burnNs * p.runsPerByte);
  const k1Implausible = t1 > 0 ? [] : [`base time per byte ${t1} ns/B is not positive: the burn alone exceeds the measured time per byte`];
  const cpuBoundK1 = finish(
    "cpu-bound-k1",
    { baseNsPerByte: t1, baseNsPerProgramRun: t1 / rho0, runsPerByteAtBurn0: rho0 },
    points,
    (p) => t1 + p.burnNs * p.runsPerByte,
    k1Implausible,
  );

  // CPU-bound, k free: τ = τ0 + k·b·ρ.
  const [t0 = 0, k = 0] = fitTau(points, [() => 1, (p) => p.burnNs * p.runsPerByte]);
  const kImplausible: string[] = [];
  if (!(t0 > 0)) kImplausible.push(`base time per byte ${t0} ns/B is not positive`);
  if (!(k > 0)) kImplausible.push(`critical-path share k = ${k}: the burn does not slow the flow at all`);
  if (k > maxK) kImplausible.push(`critical-path share k = ${k} > ${maxK}: more burn on the bottleneck than the runs inject`);
  const cpuBound = finish(
    "cpu-bound",
    { baseNsPerByte: t0, criticalPathShare: k, baseNsPerProgramRun: t0 / rho0, runsPerByteAtBurn0: rho0 },
    points,
    (p) => t0 + k * p.burnNs * p.runsPerByte,
    kImplausible,
  );

  // Window/RTT: τ = RTT0/W + (n/W)·b.
  const [a = 0, s = 0] = fitTau(points, [() => 1, (p) => p.burnNs]);
  const W = s > 0 ? HOOKS_PER_ROUND_TRIP / s : Infinity;
  const rtt0 = a * W;
  const wImplausible: string[] = [];
  if (!(s > 0)) wImplausible.push("the added delay does not slow the flow: no finite window");
  if (W > maxW) wImplausible.push(`window ${W} B > ${maxW} B`);
  if (!(rtt0 > 0)) wImplausible.push(`base RTT ${rtt0} ns is not positive`);
  if (rtt0 > maxRtt) wImplausible.push(`base RTT ${rtt0} ns > ${maxRtt} ns over a veth pair`);
  // With the sender's TCP state the window law can be held to its own premises: a flow limited by
  // a window W keeps ~W in flight (Little: throughput x RTT), and its RTT grows by the added delay
  // only (RTT0 + n·b), not by queueing behind a busy CPU.
  const withTcpInfo = points.every((p) => p.tcp !== undefined);
  if (withTcpInfo && s > 0) {
    const first = points.find((p) => p.burnNs === 0)!.tcp!;
    const last = points.reduce((a, b) => (b.burnNs > a.burnNs ? b : a));
    if (first.inFlightBytes > 2 * W || first.inFlightBytes < W / 2) {
      wImplausible.push(`window ${W.toFixed(0)} B vs ${first.inFlightBytes.toFixed(0)} B measured in flight at burn 0 (throughput x RTT): not within 2x`);
    }
    const lawRttUs = (rtt0 + HOOKS_PER_ROUND_TRIP * last.burnNs) / 1000;
    if (last.tcp!.meanRttUs > 2 * lawRttUs || last.tcp!.meanRttUs < lawRttUs / 2) {
      wImplausible.push(
        `RTT at ${last.burnNs} ns: the law's RTT0 + ${HOOKS_PER_ROUND_TRIP}b = ${lawRttUs.toFixed(0)} us vs ${last.tcp!.meanRttUs.toFixed(0)} us measured: not within 2x`,
      );
    }
  }
  const window = finish("window-rtt", { windowBytes: W, rtt0Ns: rtt0, hooksPerRoundTrip: HOOKS_PER_ROUND_TRIP }, points, (p) => a + s * p.burnNs, wImplausible);

  // CPU cost: c = c0 + kc·b·ρ on the CPU time per byte.
  const [c0 = 0, kc = 0] = fitTau(
    points,
    [() => 1, (p) => p.burnNs * p.runsPerByte],
    () => 0,
    (p) => p.cpuNsPerByte,
  );
  const cImplausible: string[] = [];
  if (!(c0 > 0)) cImplausible.push(`base CPU time per byte ${c0} ns/B is not positive`);
  if (!(kc >= 0.7 && kc <= 1.5))
    cImplausible.push(`share of the spin seen as CPU time kc = ${kc}: outside [0.7, 1.5], so the CPU accounting does not see the burn`);
  const cpuCost = finish(
    "cpu-cost",
    { baseCpuNsPerByte: c0, burnCpuShare: kc, baseCpuNsPerProgramRun: c0 / rho0 },
    points,
    (p) => c0 + kc * p.burnNs * p.runsPerByte,
    cImplausible,
    true,
  );

  const p0 = points.find((p) => p.burnNs === 0)!;
  const withTcp = points.every((p) => p.tcp !== undefined);
  const diagnostics: DelayDiagnostics = {
    medianBusyShare: median(points.map((p) => p.busyShare)),
    repetitionScatter: (() => {
      const xs = points.filter((p) => p.runs.length >= 2).map((p) => (p.gbps.max - p.gbps.min) / (2 * p.gbps.median));
      return xs.length ? median(xs) : NaN;
    })(),
    ...(withTcp
      ? {
          cwndOverInFlight: points.map((p) => p.tcp!.sndCwndBytes / p.tcp!.inFlightBytes),
          rttRiseOverAddedDelay: points.map((p) =>
            p.burnNs === 0 ? NaN : ((p.tcp!.meanRttUs - p0.tcp!.meanRttUs) * 1000) / (HOOKS_PER_ROUND_TRIP * p.burnNs),
          ),
        }
      : {}),
  };

  const plausible = [cpuBoundK1, cpuBound, window, cpuCost].filter((f) => f.implausible.length === 0).sort((x, y) => x.rms - y.rms);
  const tol = Number.isFinite(diagnostics.repetitionScatter) ? diagnostics.repetitionScatter / 2 : 0;
  const tiedWithBest = plausible
    .slice(1)
    .filter((l) => l.rms - plausible[0]!.rms <= tol)
    .map((l) => l.law);
  return { mode, points, cpuBoundK1, cpuBound, window, cpuCost, best: plausible[0]?.law, tiedWithBest, diagnostics };
}

/** The curve and the fits for every output mode in the dataset. */
export function fitDelayResponse(rows: readonly DatasetRow[], o: DelayFitOptions = {}): DelayResponseFit {
  const { points, baseline, rowsUsed, rowsDropped, missing } = delayPoints(rows, o);
  const modes = MODES.map((m) => points.filter((p) => p.mode === m))
    .filter((ps) => ps.length > 0)
    .map((ps) => fitMode(ps, o.bounds));
  return { modes, baseline, rowsUsed, rowsDropped, missing, maxForeignShare: o.maxForeignShare ?? DEFAULT_MAX_FOREIGN_SHARE };
}

/** Rounds to 4 significant digits for the calibration file (the fit itself keeps full precision). */
const sig = (x: number): number => (Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(4)) : x);
const sigAll = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, sig(v)]));

export interface DelayCalibrationProvenance {
  /** Dataset path relative to the repository root. */
  dataset: string;
  /** The command that wrote the calibration file. */
  command: string;
  /** The command that measured the dataset. */
  measuredWith: string;
  /** YYYY-MM-DD the fit was made. */
  date: string;
  hostClass: string;
  host?: unknown;
}

/**
 * The calibration file (models/mechanisms/delay-response-<host>.json) for a fit: the curve per
 * mode, each law's parameters, residuals and plausibility, the measured diagnostics, and the
 * provenance. Values rounded to 4 significant digits.
 */
export function delayResponseCalibration(fit: DelayResponseFit, prov: DelayCalibrationProvenance): Record<string, unknown> {
  const law = (l: LawFit) => ({
    params: sigAll(l.params),
    rms: sig(l.rms),
    maxAbsResidual: sig(l.maxAbsResidual),
    residuals: l.residuals.map(sig),
    implausible: l.implausible,
  });
  return {
    hostClass: prov.hostClass,
    description:
      "TCP throughput against delay injected in every TC-program run (parser burn_ns) over the harness's veth pair, per output mode, normalised to the mode's burn-0 throughput; fitted CPU-bound and window/RTT laws (src/calibration/delay-response.ts).",
    provenance: {
      dataset: prov.dataset,
      measuredWith: prov.measuredWith,
      command: prov.command,
      date: prov.date,
      method:
        "Runs with more than maxForeignShare of the CPUs' time in other tenants' user space (foreignCpuShare) left out. Per (mode, burn): median over the clean repetitions (run order shuffled within each round). Laws fitted by non-negative least squares of time per byte (8/Gb/s, ns/B) on the per-burn medians, weighted 1/value: cpu-bound-k1 tau = tau0 + b*rho(b); cpu-bound tau = tau0 + k*b*rho(b); window-rtt tau = (RTT0 + 4b)/W; cpu-cost: CPU time per byte ((system+irq+softirq)/USER_HZ + loader reader CPU, over iperf3 bytes) c = c0 + kc*b*rho(b), whose curve c(0)/c(b) is compared with the throughput. rho = program runs per byte (loader seen / iperf3 bytes). Residuals: measured median throughput / the law's - 1 (cpu-cost: after the least-squares scale from CPU time to wall time).",
      rowsUsed: fit.rowsUsed,
      maxForeignShare: fit.maxForeignShare,
      rowsDroppedAsContaminated: fit.rowsDropped,
      missing: fit.missing,
      host: prov.host,
    },
    baseline: fit.baseline ? { runs: fit.baseline.runs.length, gbps: sigAll(fit.baseline.gbps) } : undefined,
    modes: Object.fromEntries(
      fit.modes.map((m) => [
        m.mode,
        {
          best: m.best ?? null,
          tiedWithBest: m.tiedWithBest,
          points: m.points.map((p) => ({
            burnNs: p.burnNs,
            runs: p.runs.length,
            gbps: sigAll(p.gbps),
            normalised: sigAll(p.normalised),
            runsPerByte: sig(p.runsPerByte),
            busyShare: sig(p.busyShare),
            cpuNsPerByte: sig(p.cpuNsPerByte),
            ...(p.tcp ? { tcp: sigAll(p.tcp) } : {}),
          })),
          laws: { cpuBoundK1: law(m.cpuBoundK1), cpuBound: law(m.cpuBound), window: law(m.window), cpuCost: law(m.cpuCost) },
          diagnostics: {
            medianBusyShare: sig(m.diagnostics.medianBusyShare),
            repetitionScatter: sig(m.diagnostics.repetitionScatter),
            ...(m.diagnostics.cwndOverInFlight ? { cwndOverInFlight: m.diagnostics.cwndOverInFlight.map(sig) } : {}),
            ...(m.diagnostics.rttRiseOverAddedDelay
              ? { rttRiseOverAddedDelay: m.diagnostics.rttRiseOverAddedDelay.map((x) => (Number.isNaN(x) ? null : sig(x))) }
              : {}),
          },
        },
      ]),
    ),
  };
}

/** The markdown table of validation/delay-response.md for one fit: one row per (mode, burn). */
export function delayResponseTable(fit: DelayResponseFit): string {
  const f = (x: number, d = 2) => x.toFixed(d);
  const lines = [
    "| mode | burn ns | runs | median Gb/s | min-max Gb/s | normalised (min-max) | fitted cpu-bound | fitted cpu-cost | fitted window/RTT | runs per KB | CPU ns/B | RTT us | cwnd / in flight |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const m of fit.modes) {
    m.points.forEach((p, i) => {
      lines.push(
        `| ${m.mode} | ${p.burnNs} | ${p.runs.length} | ${f(p.gbps.median)} | ${f(p.gbps.min)}-${f(p.gbps.max)} | ${f(p.normalised.median, 3)} (${f(p.normalised.min, 2)}-${f(p.normalised.max, 2)}) | ${f(m.cpuBound.fitted[i]!, 3)} | ${f(m.cpuCost.fitted[i]!, 3)} | ${f(m.window.fitted[i]!, 3)} | ${f(p.runsPerByte * 1000, 3)} | ${f(p.cpuNsPerByte, 3)} | ${p.tcp ? f(p.tcp.meanRttUs, 0) : "-"} | ${m.diagnostics.cwndOverInFlight ? f(m.diagnostics.cwndOverInFlight[i]!, 1) : "-"} |`,
      );
    });
  }
  return lines.join("\n");
}
