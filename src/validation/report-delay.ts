/**
 * The validation report's section on TCP's response to delay added on the receive path (issue 10
 * item 3): the injected-delay curve measured on our host (bpf/ parser's burn_ns knob, `bpfsim
 * measure --delay`), the laws fitted on it (calibration/delay-response.ts), and what that says for
 * the node model. Generated from the committed dataset, so it stays current.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readDataset } from "../measure/jsonl.ts";
import { PACKAGE_ROOT } from "../models/paths.ts";
import { delayPoints, delayResponseTable, fitDelayResponse, HOOKS_PER_ROUND_TRIP, type DelayPoint } from "../calibration/delay-response.ts";
import type { ThroughputRow } from "../measure/jsonl.ts";
import { latestWindowDatasets, type WindowCheck } from "./window-check.ts";

const f = (x: number, d = 2) => x.toFixed(d);

export function delaySection(dataDir = join(PACKAGE_ROOT, "validation", "data"), windowChecks: ReadonlyMap<string, WindowCheck> = new Map()): string {
  const out = ["### TCP's response to delay added on the receive path (measured on our host)", ""];
  const file = existsSync(dataDir)
    ? readdirSync(dataDir)
        .filter((x) => /-injected-delay\.jsonl$/.test(x))
        .sort()
        .pop()
    : undefined;
  if (file === undefined) {
    out.push("No injected-delay dataset yet (`bpfsim measure --delay`).", "");
    return out.join("\n");
  }
  const fit = fitDelayResponse(readDataset(join(dataDir, file)));
  out.push(
    `Dataset \`validation/data/${file}\` (${fit.rowsUsed} clean runs; ${fit.rowsDropped} left out for other tenants' CPU above ${f(100 * fit.maxForeignShare, 0)}%): iperf3 over the harness's veth pair, the parser spinning b ns in every program run (\`burn_ns\`), output off, perf and ring buffer. Fit: \`bpfsim measure --delay-fit validation/data/${file}\`; the laws and their parameters are in \`models/mechanisms/delay-response-kvm-2vcpu.json\`, the campaign's account in \`validation/delay-response.md\`.`,
    "",
  );
  for (const m of fit.modes) {
    const k = m.cpuBound.params;
    const kVal = Object.entries(k).find(([n]) => /^k\b|^k$|share/i.test(n))?.[1];
    out.push(
      `- ${m.mode}: the CPU-bound law with the burn's share on the bottleneck CPU fitted (${kVal === undefined ? "k" : `k = ${f(kVal)}`}) leaves rms ${f(m.cpuBound.rms, 3)}; with k = 1 (all of it on one CPU) ${f(m.cpuBoundK1.rms, 3)}; the window/RTT law ${f(m.window.rms, 3)} (repetitions' scatter ${f(m.diagnostics.repetitionScatter, 3)}). Tied with the best: ${[m.best, ...m.tiedWithBest].filter((x) => x !== undefined).join(", ")}.`,
    );
  }
  const windowed = windowLimitedLines(dataDir, windowChecks);
  out.push(
    "",
    "What it says for the node model: on this CPU-bound host a per-packet delay costs throughput through the CPU time it takes on the CPU that runs it (about half of it lands on the bottleneck, as the veth path splits the runs between the two CPUs), which is how the node model charges the hooks' work; a window/RTT law fits the same curve, and the congestion window never limited. " +
      (windowed.length === 0
        ? "The window-limited regime the field study's closed-loop receiver might be in was not reached here, so the node model adds no TCP response beyond CPU time; varying the receive buffer (iperf3 `-w`) would separate the two laws."
        : "The window-limited regime, which the field study's closed-loop receiver might be in, is measured below with the receive buffer capped (iperf3 `-w`). The node model's receivers are CPU-bound by default (it charges the hooks' CPU time); a window-limited receiver is a scenario option (Workload.windowLimited), checked against those runs below."),
    "",
    delayResponseTable(fit),
    "",
  );
  out.push(...windowed);
  return out.join("\n");
}

/**
 * The same grid with iperf3 `-w` (`bpfsim measure --delay --window`): a window-limited flow, each
 * dataset `*-injected-delay-w<KiB>k.jsonl` (the latest per window), its laws, and what the agent's
 * output costs there against the autotuned flow's burn-0 runs of the same file (the same sitting).
 */
function windowLimitedLines(dataDir: string, checks: ReadonlyMap<string, WindowCheck>): string[] {
  const out: string[] = [];
  for (const file of latestWindowDatasets(dataDir)) {
    const rows = readDataset(join(dataDir, file));
    const w = rows.find((r): r is ThroughputRow => r.kind === "throughput" && r.config.windowBytes !== undefined)?.config.windowBytes;
    if (w === undefined) continue;
    const fit = fitDelayResponse(rows, { windowBytes: w });
    const hasAuto = rows.some((r) => r.kind === "throughput" && r.configId.startsWith("tpd-") && r.config.windowBytes === undefined);
    const auto = hasAuto ? delayPoints(rows).points : [];
    out.push(
      `#### With the receive window capped: iperf3 \`-w ${w}\``,
      "",
      `Dataset \`validation/data/${file}\` (${fit.rowsUsed} clean runs with the window capped; ${fit.rowsDropped} left out for other tenants' CPU above ${f(100 * fit.maxForeignShare, 0)}%): the grid above with iperf3 \`-w ${w}\` on every run (\`bpfsim measure --delay --window ${w}\`), so the socket buffers cap the receive window and the flow is window-limited` +
        (hasAuto
          ? `, then burn-0 runs with and without the cap in alternating blocks (\`--burns 0\`, ${auto.reduce((n, p) => n + p.runs.length, 0)} without it)`
          : "") +
        `. Fit: \`bpfsim measure --delay-fit validation/data/${file} --window ${w}\`. No constant of the node model is fitted on it.`,
      "",
    );
    for (const m of fit.modes) {
      const wl = m.window.params;
      const top = m.points[m.points.length - 1]!;
      const b0 = m.points.find((p) => p.burnNs === 0);
      const rise = b0?.tcp && top.tcp && top.burnNs > 0 ? (top.tcp.meanRttUs - b0.tcp.meanRttUs) / ((HOOKS_PER_ROUND_TRIP * top.burnNs) / 1000) : undefined;
      out.push(
        `- ${m.mode}: the window/RTT law (W = ${f(wl.windowBytes! / 1024, 1)} KiB, RTT0 = ${f(wl.rtt0Ns! / 1000, 1)} us, ${wl.hooksPerRoundTrip} program runs per round trip) leaves rms ${f(m.window.rms, 3)}, the CPU-bound law ${f(m.cpuBound.rms, 3)} (k = 1: ${f(m.cpuBoundK1.rms, 3)}); repetitions' scatter ${f(m.diagnostics.repetitionScatter, 3)}; best: ${m.best ?? "none plausible"}${m.tiedWithBest.length > 0 ? ` (tied: ${m.tiedWithBest.join(", ")})` : ""}. A ${top.burnNs} ns burn keeps ${f(top.normalised.median, 3)} of the throughput` +
          (rise !== undefined
            ? `; the round trip grew by ${f(rise)} times the burn of the ${HOOKS_PER_ROUND_TRIP} runs on it (${f(b0!.tcp!.meanRttUs, 0)} to ${f(top.tcp!.meanRttUs, 0)} us).`
            : "."),
      );
    }
    const b0 = (pts: readonly DelayPoint[], mode: string) => pts.find((p) => p.mode === mode && p.burnNs === 0);
    const capped = fit.modes.flatMap((m) => m.points);
    const none = b0(capped, "none");
    const autoNone = b0(auto, "none");
    if (none !== undefined) {
      let worse = 0;
      let compared = 0;
      const parts = ["perf", "ringbuf"].flatMap((mode) => {
        const c = b0(capped, mode);
        if (c === undefined) return [];
        const pct = 100 * (1 - c.gbps.median / none.gbps.median);
        const a = b0(auto, mode);
        const aPct = a !== undefined && autoNone !== undefined ? 100 * (1 - a.gbps.median / autoNone.gbps.median) : undefined;
        if (aPct !== undefined) {
          compared++;
          if (pct > aPct && c.busyShare < a!.busyShare) worse++;
        }
        const rtt = (p: DelayPoint) => (p.tcp ? `, round trip ${f(p.tcp.meanRttUs, 0)} us` : "");
        return [
          `${mode} ${f(pct, 0)}% (${f(c.gbps.median)} against ${f(none.gbps.median)} Gb/s${rtt(c)}, CPUs busy ${f(c.busyShare)})` +
            (aPct !== undefined
              ? `, autotuned ${f(aPct, 0)}% (${f(a!.gbps.median)} against ${f(autoNone!.gbps.median)}${rtt(a!)}, CPUs busy ${f(a!.busyShare)})`
              : ""),
        ];
      });
      if (parts.length > 0) {
        out.push(
          "",
          `What the agent's own output costs, no burn (medians of each output mode's burn-0 runs against mode none's${none.tcp ? `: capped, round trip ${f(none.tcp.meanRttUs, 0)} us, CPUs busy ${f(none.busyShare)}` : ""}${autoNone?.tcp ? `; autotuned, ${f(autoNone.tcp.meanRttUs, 0)} us, ${f(autoNone.busyShare)}` : ""}): ${parts.join("; ")}.` +
            (compared > 0 && worse === compared
              ? " With the window capped each output mode costs more throughput while the CPUs are less busy, and the round trip grows: the loss follows the delay the hooks, irq_work and wakeups add to each round trip, not their CPU time alone. (The busy share is both CPUs together; one CPU saturating while the other idles would also leave it below 1.)"
              : ""),
        );
      }
    }
    const check = checks.get(file);
    if (check !== undefined && check.rows.length > 0) out.push("", ...windowCheckLines(check));
    out.push("", delayResponseTable(fit), "");
  }
  return out;
}

/** The node model's window-limited receiver beside the burn-0 runs (window-check.ts). */
function windowCheckLines(c: WindowCheck): string[] {
  const rows = c.rows.map((r) => [
    r.mode,
    r.capped ? `capped (-w ${c.windowBytes})` : "autotuned",
    String(r.runs),
    f(r.measuredPct, 1),
    f(r.predictedPct, 1),
    r.capped ? f(r.cpuOnlyPct, 1) : "",
    r.bottleneck,
  ]);
  const head = "| mode | window | runs | measured overhead % | predicted % | CPU time only % | model's bottleneck |";
  const lines = [
    `The node model's window-limited receiver (Workload.windowLimited, node/simulate.ts \`windowCap\`: each flow's time per byte grows by the agent's hook ns per byte on its path, 1/T = 1/T0 + h/flows) beside these runs. Scenario: dev-kvm-2vcpu, the CPUs' capacity observed at the same sitting's autotuned no-program baseline (${f(c.autotunedBaselineGbps)} Gb/s), the harness tool with each mode's settings, no CPU limit; autotuned: workload iperf3-veth; capped: workload iperf3-veth-w16k (its skb size from the capped mode-none runs) with the window at the capped no-program baseline (${f(c.cappedBaselineGbps)} Gb/s), one flow. Measured: the mode's burn-0 runs (median) against the no-program baseline of the same window. "CPU time only": the same capped scenario with the delay left out (the cap kept, the hook work lengthening no round trip), what charging CPU time alone predicts. No constant is fitted on these runs.`,
    "",
    head,
    "|---|---|---:|---:|---:|---:|---|",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
  const capped = c.rows.filter((r) => r.capped && r.mode !== "none");
  if (capped.length > 0) {
    lines.push(
      "",
      `With the window capped the model puts ${capped.map((r) => `${r.mode} at ${f(r.predictedPct, 0)}% (measured ${f(r.measuredPct, 0)}%; CPU time alone ${f(r.cpuOnlyPct, 0)}%)`).join(", ")}: the delay the hooks add to each round trip adds ${capped.map((r) => `${f(r.predictedPct - r.cpuOnlyPct, 0)} pp (${r.mode})`).join(" and ")} to what their CPU time alone costs, and the error against the measured overhead is ${capped.map((r) => `${f(r.predictedPct - r.measuredPct, 0)} pp (${r.mode})`).join(" and ")}, where CPU time alone misses by ${capped.map((r) => `${f(r.cpuOnlyPct - r.measuredPct, 0)} pp`).join(" and ")}.`,
    );
  }
  return lines;
}
