/**
 * Mechanism data of `models/mechanisms/`: published microbenchmark tables and the constants fitted
 * on them alone (the epoll lock's serial cost per kernel era, the Go scheduler lock's contention
 * law). Imported statically so the notebooks' bundler can ship them; the fits are checked against
 * their tables by test/calibration/*-fit.test.ts.
 */
import eventpollLock from "../../models/mechanisms/eventpoll-lock.json" with { type: "json" };
import goRuntime from "../../models/mechanisms/go-runtime.json" with { type: "json" };

export interface EventpollLockData {
  tables: { id: string; lock: "spinlock" | "rwlock"; hostCpus?: number; points: { threads: number; eventsPerMs: number }[]; source: string }[];
  eras: { id: string; lock: "spinlock" | "rwlock"; fromKernel: string | null; beforeKernel: string | null; tables: string[]; source: string }[];
  fit: { method: string; eras: Record<string, { holdNs: number; thinkNs: number; relRms: number; points: number }> };
}

export interface GoRuntimeData {
  schedLockContention: { points: { gomaxprocs: number; share: number }[]; a: number; b: number; source: string };
  containerAwareFrom: { goVersion: string; source: string };
}

export const EVENTPOLL_LOCK = eventpollLock as unknown as EventpollLockData;
export const GO_RUNTIME = goRuntime as unknown as GoRuntimeData;
