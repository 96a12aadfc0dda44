/**
 * Calibrates the serial cost of one ep_poll_callback under each kernel era's epoll lock on the
 * published stress-epoll tables (models/mechanisms/eventpoll-lock.json: Penyaev 2019, Nam Cao
 * 2025), on their own: no node-level measurement enters.
 *
 * stress-epoll's producer threads each loop "make an event" (a write to an fd the poller watches,
 * whose wakeup runs ep_poll_callback), so the test is a closed network of n producers, each
 * thinking Z between events and then holding the lock for S: the machine-repairman model of
 * repairman.ts. Its bandwidth is X(n) = n / (Z + R(n)) events per ns; with more threads than CPUs
 * only the CPUs' worth of threads make events at once.
 */
import { repairmanCycleNs } from "./repairman.ts";
import { goldenSection } from "./optimise.ts";

export interface EventpollTable {
  id: string;
  lock: "spinlock" | "rwlock";
  hostCpus?: number;
  points: { threads: number; eventsPerMs: number }[];
}

export interface EventpollEra {
  id: string;
  lock: "spinlock" | "rwlock";
  fromKernel: string | null;
  beforeKernel: string | null;
  tables: string[];
}

export interface EraFit {
  holdNs: number;
  thinkNs: number;
  /** Relative RMS error of the modelled bandwidth over the era's points. */
  relRms: number;
  points: number;
}

/** Modelled stress-epoll bandwidth, events per ms, for `threads` producers on `hostCpus` CPUs. */
export function eventpollBandwidthPerMs(threads: number, thinkNs: number, holdNs: number, hostCpus?: number): number {
  const n = Math.min(threads, hostCpus ?? threads);
  return (n / repairmanCycleNs(n, thinkNs, holdNs)) * 1e6;
}

export function fitEventpollEra(tables: EventpollTable[]): EraFit {
  const pts = tables.flatMap((t) => t.points.map((p) => ({ ...p, hostCpus: t.hostCpus })));
  if (pts.length === 0) throw new Error("fitEventpollEra: no points");
  const err = (z: number, s: number) =>
    pts.reduce((acc, p) => acc + ((eventpollBandwidthPerMs(p.threads, z, s, p.hostCpus) - p.eventsPerMs) / p.eventsPerMs) ** 2, 0);
  // S is bounded by the best bandwidth seen (X <= 1/S); Z by a few µs of syscall work per event
  const sMax = 1e6 / Math.min(...pts.map((p) => p.eventsPerMs));
  let best = { z: 0, s: 0, e: Infinity };
  for (let i = 0; i <= 60; i++) {
    const z = (i / 60) * 5000;
    const { x: s } = goldenSection((ss) => err(z, ss), 1, sMax, 1e-9);
    const e = err(z, s);
    if (e < best.e) best = { z, s, e };
  }
  const { x: z } = goldenSection((zz) => err(zz, best.s), Math.max(0, best.z - 100), best.z + 100, 1e-9);
  const { x: s } = goldenSection((ss) => err(z, ss), 1, sMax, 1e-9);
  return { holdNs: s, thinkNs: z, relRms: Math.sqrt(err(z, s) / pts.length), points: pts.length };
}

/** The fit of every era of a models/mechanisms/eventpoll-lock.json document. */
export function fitEventpollEras(doc: { tables: EventpollTable[]; eras: EventpollEra[] }): Record<string, EraFit> {
  const out: Record<string, EraFit> = {};
  for (const era of doc.eras) {
    const tables = era.tables.map((id) => {
      const t = doc.tables.find((x) => x.id === id);
      if (t === undefined) throw new Error(`eventpoll era ${era.id}: table ${id} not found`);
      return t;
    });
    out[era.id] = fitEventpollEra(tables);
  }
  return out;
}
