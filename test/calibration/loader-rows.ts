/**
 * Synthetic throughput rows of a harness configuration, as the loader writes them, for the reader
 * fits' tests: four repetitions per configuration, rep 1 not quiet (never fitted), rep 3 beyond the
 * fitting repetitions; `loader` gives each run's loader counters per 100000 records read.
 */
import type { DatasetRow } from "../../src/measure/jsonl.ts";

/** One throughput row as the loader writes it: `loader` overrides its counters (100000 records by default). */
export function loaderRow(configId: string, rep: number, o: { mode: string; quiet?: boolean; loader?: Record<string, unknown> }): DatasetRow {
  return {
    kind: "throughput",
    runId: `${configId}#${rep}`,
    configId,
    rep,
    startedAt: "2026-11-25T00:00:00.000Z",
    hostClass: "test",
    config: { id: configId, settings: { mode: o.mode } },
    durationS: 5,
    preRun: { idleShare: 1, waitedMs: 0, quiet: o.quiet ?? true },
    userHz: 100,
    iperf: { bitsPerSecond: 1e10, bytes: 1, retransmits: 0, senderCpuPercent: 0, receiverCpuPercent: 0 },
    procStat: { ctxt: 0, cpu: { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 } },
    loader: { mode: o.mode, duration_s: 5, emitted: 100000, failed: 0, records: 100000, ...o.loader },
  } as unknown as DatasetRow;
}

export function loaderRows(configs: Record<string, Record<string, number>>): DatasetRow[] {
  const out: DatasetRow[] = [];
  for (const [configId, loader] of Object.entries(configs)) {
    const mode = configId.includes("ringbuf") ? "ringbuf" : "perf";
    for (const rep of [0, 1, 2, 3]) out.push(loaderRow(configId, rep, { mode, quiet: rep !== 1, loader }));
  }
  return out;
}

/** Rows whose reader slept `cycles[configId]` times per record. */
export function cycleRows(cycles: Record<string, number>): DatasetRow[] {
  return loaderRows(Object.fromEntries(Object.entries(cycles).map(([id, c]) => [id, { voluntary_ctxt_switches: Math.round(c * 100000) }])));
}

/** Rows whose reader was billed `nsPerRecord[configId]` ns of CPU per record. */
export function cpuRows(nsPerRecord: Record<string, number>): DatasetRow[] {
  return loaderRows(Object.fromEntries(Object.entries(nsPerRecord).map(([id, ns]) => [id, { reader_cpu_s: (ns * 100000) / 1e9 }])));
}
