/**
 * Fits the reader's two constants through the node model, together: runqueueWaitNs (how long a woken
 * reader waits for a CPU busy with other work) and contextSwitchNs (what each sleep/wake cycle costs).
 *
 * Observables, both counted by the loader: the reader's sleep/wake cycles per record
 * (voluntary_ctxt_switches / records, runqueue-fit.ts readerCycleTarget) and the CPU the kernel bills
 * it per record (reader_cpu_s / records, readerCpuTarget below). Why through the model: on a kernel
 * without CONFIG_IRQ_TIME_ACCOUNTING (the measuring host) the interrupt time taken while the reader
 * runs is on its clock, so reader_cpu_s holds the reader's own work *and* the softirq and irq_work
 * that interrupted it (agent/epoll-reader.ts). The data-only regression of fit.ts (reader CPU -
 * consumeNs x records = c x cycles) puts all of that into the per-cycle cost, and the model would then
 * bill the interrupts a second time; here the model bills them once and the per-cycle cost is what
 * is left. Runs: the calibration's fitting repetitions (quiet, rep < fitReps) of tpw-perf and
 * tpw-ringbuf (cycles) and of tp-perf and tp-ringbuf (CPU, the runs the regression used); nothing
 * held out enters.
 */
import type { DatasetRow } from "../measure/jsonl.ts";
import type { LoaderSettings } from "../measure/loader.ts";
import type { CalibratedConstant, CalibrationFile } from "../models/types.ts";
import type { SimulateOptions } from "../node/simulate.ts";
import { simulateHarness, type HarnessSimOptions } from "./harness-scenario.ts";
import { readerTarget, type ReaderTarget } from "./runqueue-fit.ts";
import { scanThenGolden } from "./optimise.ts";

/** The reader's billed CPU per record read (loader reader_cpu_s / records), ns. */
export function readerCpuTarget(rows: readonly DatasetRow[], o: { configId: string; fitReps?: number }): ReaderTarget {
  return readerTarget(
    rows,
    o,
    (l, records) => {
      const cpu = Number(l.reader_cpu_s);
      return cpu > 0 ? (cpu * 1e9) / records : null;
    },
    "the reader's CPU",
  );
}

/** The model's billed reader ns per record read for a harness configuration (agentCpuBilledCores over records consumed). */
export function simulatedReaderNsPerRecord(cal: CalibrationFile, settings: LoaderSettings, baselineGbps: number, sim: HarnessSimOptions = {}): number {
  const r = simulateHarness(cal, settings, baselineGbps, sim);
  const read = r.eventsPerS.mean - r.lostPerS.mean;
  if (!(read > 0)) throw new RangeError("simulatedReaderNsPerRecord: the model's reader read no records");
  return (r.agentCpuBilledCores.mean * 1e9) / read;
}

export interface ReaderJointFit {
  runqueueWait: CalibratedConstant;
  contextSwitch: CalibratedConstant;
  /** Coordinate-descent rounds run, and whether both constants settled (neither moved by more than its tolerance in the last). */
  rounds: number;
  settled: boolean;
  /** The model at the fit: cycles per record for each cycle target, billed ns per record for each CPU target. */
  cyclesAtFit: number[];
  cpuAtFit: number[];
}

/** At most this many rounds of the joint fit's coordinate descent. */
export const JOINT_FIT_ROUNDS = 12;

/**
 * Fits runqueueWaitNs and contextSwitchNs together: the wait sets how often the reader sleeps and the
 * per-cycle cost what each sleep costs (and how long it takes, which moves the next sleep), so each
 * moves the other's observable. One objective over both observables, the sum of ln(model /
 * measured)^2 of the reader's cycles per record (wakeup dataset, loader voluntary_ctxt_switches /
 * records) and of its billed CPU per record (throughput dataset, loader reader_cpu_s / records), is
 * minimised by coordinate descent: the wait over [0, 320 us] to 250 ns, then the switch over
 * [250, 16000] ns to 25 ns, each by scanThenGolden (later rounds around the current point), until
 * neither moves by more than its tolerance (or 0.5%). Each step can only lower the objective, so the
 * descent settles (at a local minimum); a long narrow valley makes it slow, hence the round limit.
 */
export function fitReaderJointly(
  cycleTargets: ReaderTarget[],
  cpuTargets: ReaderTarget[],
  model: (waitNs: number, contextSwitchNs: number) => { cycles: (s: LoaderSettings) => number; nsPerRecord: (s: LoaderSettings) => number },
  o: { start: { waitNs: number; contextSwitchNs: number }; cyclesPath: string; cpuPath: string; baselineNote?: string; regressionNs?: number },
): ReaderJointFit {
  const memo = new Map<string, { cycles: number[]; cpu: number[]; sse: number }>();
  const at = (w: number, cs: number) => {
    const key = `${Math.round(w)}|${Math.round(cs)}`;
    let e = memo.get(key);
    if (e === undefined) {
      const m = model(Math.round(w), Math.round(cs));
      const cycles = cycleTargets.map((t) => m.cycles(t.settings));
      const cpu = cpuTargets.map((t) => m.nsPerRecord(t.settings));
      for (const v of [...cycles, ...cpu]) if (!(v > 0)) throw new RangeError(`fitReaderJointly: model value ${v} at wait ${w} ns, switch ${cs} ns`);
      const sse =
        cycles.reduce((s, v, i) => s + Math.log(v / cycleTargets[i]!.median) ** 2, 0) +
        cpu.reduce((s, v, i) => s + Math.log(v / cpuTargets[i]!.median) ** 2, 0);
      e = { cycles, cpu, sse };
      memo.set(key, e);
    }
    return e;
  };
  let w = o.start.waitNs;
  let cs = o.start.contextSwitchNs;
  let rounds = 0;
  let settled = false;
  const local = (x: number) => [0.6, 0.8, 0.9, 1, 1.1, 1.25, 1.6].map((k) => k * x);
  const sorted = (xs: number[]) => [...new Set(xs.map((x) => Math.round(x)))].sort((a, b) => a - b);
  while (rounds < JOINT_FIT_ROUNDS && !settled) {
    // the first round scans the whole range; later ones search around the current point
    const wGrid = rounds === 0 ? sorted([0, 2500, 5000, 10000, 20000, 40000, 80000, 160000, 320000, w]) : sorted(local(w));
    rounds++;
    const w1 = Math.round(scanThenGolden((x) => at(x, cs).sse, wGrid, 250).x);
    const csGrid = rounds === 1 ? sorted([250, 1000, 2000, 3000, 4000, 6000, 8000, 12000, 16000, cs]) : sorted(local(cs));
    const cs1 = Math.round(scanThenGolden((x) => at(w1, x).sse, csGrid, 25).x);
    settled = Math.abs(w1 - w) <= Math.max(250, 0.005 * w) && Math.abs(cs1 - cs) <= Math.max(25, 0.005 * cs);
    w = w1;
    cs = cs1;
  }
  const fit = at(w, cs);
  const r4 = (v: number) => v.toFixed(4);
  const r0 = (v: number) => v.toFixed(0);
  const how =
    `joint least squares in ln(model / measured) of the reader's sleep/wake cycles per record (${o.cyclesPath}: loader voluntary_ctxt_switches / records) and of its billed CPU per record ` +
    `(${o.cpuPath}: loader reader_cpu_s / records; model: agentCpuBilledCores over records read, the interrupt time taken while the reader ran billed to it as this host's kernel does without ` +
    `CONFIG_IRQ_TIME_ACCOUNTING), dev-kvm-2vcpu, iperf3-veth observed${o.baselineNote ? ` at ${o.baselineNote}` : ""}: ` +
    cycleTargets.map((t, i) => `${t.configId} cycles ${r4(t.median)} (model ${r4(fit.cycles[i]!)})`).join(", ") +
    ", " +
    cpuTargets.map((t, i) => `${t.configId} ${r0(t.median)} ns/record (model ${r0(fit.cpu[i]!)})`).join(", ") +
    `; coordinate descent from ${o.start.waitNs} ns / ${o.start.contextSwitchNs} ns${o.regressionNs !== undefined ? ` (the data-only regression of fit.ts: ${o.regressionNs} ns)` : ""}, ` +
    `${rounds} round(s), ${settled ? "settled (neither moved by more than its tolerance in the last)" : "NOT settled"}; sum of squares ${fit.sse.toPrecision(3)} over ${cycleTargets.length + cpuTargets.length} observables`;
  const residual = Number(Math.sqrt(fit.sse / (cycleTargets.length + cpuTargets.length)).toPrecision(3));
  return {
    runqueueWait: { value: w, unit: "ns", method: "fitted", source: `runqueueWaitNs by ${how}`, residual, runs: cycleTargets.flatMap((t) => t.runs) },
    contextSwitch: { value: cs, unit: "ns", method: "fitted", source: `contextSwitchNs by ${how}`, residual, runs: cpuTargets.flatMap((t) => t.runs) },
    rounds,
    settled,
    cyclesAtFit: fit.cycles,
    cpuAtFit: fit.cpu,
  };
}
