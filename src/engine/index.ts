/**
 * The discrete-event engine: one model of time, the one the node model runs. It knows nothing about
 * CPUs, BPF or networks; mechanism files build those from these parts.
 *
 * - Environment: the clock and an event heap of plain callbacks, `schedule(delay, fn, arg)`; a
 *   model is a set of callbacks, each working out what happens next and scheduling it.
 * - Timeline: a resource (a CPU's agent work, a server) as the time it is next free: a callback
 *   claims it at its own time (`acquire(at)` -> start, `release(end)`, or `claim(at, holdNs)`), with
 *   no event per grant; claims are served in call order; wait and busy statistics.
 * - SpinLock: a Timeline for a lock whose waiters spin, which also tells a claim how many earlier
 *   claims it finds waiting (the ring buffer's qspinlock path depends on it). kernel/ringbuf.ts's
 *   reservation lock and kernel/eventpoll.ts's ep->lock are SpinLocks; node/node-run.ts keeps each
 *   CPU's agent work on a Timeline.
 * - Random streams (named, seeded, independent) and output statistics (Tally, Histogram,
 *   replications with Student-t intervals, MSER-5).
 *
 * Why no processes: the engine used to offer SimPy's process layer too (generator processes,
 * events, Resource, Store, a process-based SpinLock), but nothing in src/ ran on it: the node model
 * computes each skb's walk through its hooks in a loop, at times ahead of the clock, which a process
 * that yields one timeout per step cannot do without an event per step. Measured on the same M/M/1
 * (`npx tsx test/bench/time-models.ts 7` at commit 3a3ca60, the last with the process layer; medians
 * over 7 interleaved rounds on the shared 2-core machine), callbacks + a Timeline ran 2.85x the
 * customers/s of processes with a departure event per customer and 3.83x without one (the node
 * model's way); the lock -> ring -> consumer model 2.90x. So the layer went (src/README.md, "One
 * model of time"), and the engine benchmark (test/bench/engine.ts) measures this style against SimPy.
 */
export { Environment } from "./environment.ts";
export { Timeline } from "./timeline.ts";
export { SpinLock } from "./spinlock.ts";
export { boundInterval, boundedConfidenceInterval } from "./statistics.ts";
export {
  RandomStreams,
  RandomStream,
  type Distribution,
  exponential,
  deterministic,
  uniform,
  normal,
  lognormal,
  empirical,
  binned,
  burstyOnOff,
} from "./random.ts";
export { Counter, TimeWeighted, Tally, Histogram, confidenceInterval, studentT975, mser5, replicate, type Estimate } from "./statistics.ts";
