/**
 * The discrete-event engine: time, events, processes and resources. It knows nothing about CPUs,
 * BPF or networks; mechanism files build those from these parts.
 */
export { Environment, SimulationError } from "./environment.ts";
export { SimEvent, Timeout } from "./event.ts";
export { Process, Interrupt, type ProcessGenerator } from "./process.ts";
export { Resource, Request } from "./resource.ts";
export { Store, type StoreOptions } from "./store.ts";
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
  burstyOnOff,
} from "./random.ts";
export {
  Counter,
  TimeWeighted,
  Tally,
  Histogram,
  confidenceInterval,
  studentT975,
  mser5,
  replicate,
  type Estimate,
} from "./statistics.ts";
