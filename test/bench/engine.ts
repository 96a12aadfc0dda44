/**
 * Engine benchmarks: how fast the discrete-event core runs two small models the way the product
 * runs its node model (callbacks on the event heap, resources as Timelines: src/engine/timeline.ts,
 * spinlock.ts), each also written with bare hand-kept fields (what the primitives must not be slower
 * than), against a bare typed-array heap loop that runs the M/M/1 model with no engine at all (the
 * ceiling). SimPy runs the same two models as SimPy is written (test/bench/simpy_models.py).
 *
 * Models (times in ns):
 * - M/M/1: Poisson arrivals (mean gap `arrivalMean`), one FIFO server, exponential service; an
 *   arrival event and a departure event per customer.
 * - Spinlock ring: `producers` CPUs each think Exp(`thinkMean`), take one FIFO spinlock, hold it
 *   Exp(`holdMean`), put a record into a bounded ring (capacity `ringCapacity`, dropped when full),
 *   release; one consumer takes records and serves each Exp(`consumerMean`). A think-end event and a
 *   put event per record.
 *
 * Each pair draws the same random numbers in the same order, so their means agree bit for bit.
 * `engineModels` lists them; `run.ts` runs them in interleaved rounds (every model once per round,
 * after one warm-up run each) and summarises each model's rounds as median, min and max.
 */
import { BareHeap } from "./bare-heap.ts";
import { performance } from "node:perf_hooks";
import { Environment, SpinLock, Timeline, RandomStreams, exponential } from "../../src/engine/index.ts";

export interface EngineBenchParams {
  customers: number;
  reps: number;
  seed: number;
  arrivalMean: number;
  serviceMean: number;
  producers: number;
  ringCapacity: number;
  thinkMean: number;
  holdMean: number;
  consumerMean: number;
}

export const defaultEngineParams: EngineBenchParams = {
  customers: 200_000,
  reps: 5,
  seed: 1,
  arrivalMean: 1250,
  serviceMean: 1000,
  producers: 8,
  ringCapacity: 64,
  thinkMean: 8000,
  holdMean: 200,
  consumerMean: 1100,
};

/** Median, min and max of a rate over repetitions. */
export interface Rate {
  median: number;
  min: number;
  max: number;
}

export interface BenchResult {
  name: string;
  customers: number;
  events: number;
  eventsPerS: Rate;
  customersPerS: Rate;
  wallS: Rate;
  /** Mean time in system (ns) over the repetitions, to check variants simulate the same thing. */
  meanTimeInSystem: number;
  dropFraction?: number;
}

export interface RunOutcome {
  events: number;
  meanTimeInSystem: number;
  dropFraction?: number;
}

function rate(values: number[]): Rate {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  const median = s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

/** One benchmark model: a name and one timed run of it from a seed. */
export interface EngineModel {
  key: "mm1Timeline" | "mm1Callbacks" | "mm1Ceiling" | "ringSpinLock" | "ringCallbacks";
  name: string;
  once: (seed: number) => RunOutcome;
}

/** Times one run; returns its outcome and wall seconds. */
export function timeOnce(m: EngineModel, seed: number): { out: RunOutcome; wallS: number } {
  const t = performance.now();
  const out = m.once(seed);
  return { out, wallS: (performance.now() - t) / 1000 };
}

/** A model's result from its timed runs (one per round). */
export function summarise(m: EngineModel, p: EngineBenchParams, runs: { out: RunOutcome; wallS: number }[]): BenchResult {
  const outs = runs.map((r) => r.out);
  const walls = runs.map((r) => r.wallS);
  const mean = (f: (o: RunOutcome) => number) => outs.reduce((a, o) => a + f(o), 0) / outs.length;
  return {
    name: m.name,
    customers: p.customers,
    events: outs[0].events,
    eventsPerS: rate(outs.map((o, i) => o.events / walls[i])),
    customersPerS: rate(walls.map((w) => p.customers / w)),
    wallS: rate(walls),
    meanTimeInSystem: mean((o) => o.meanTimeInSystem),
    ...(outs[0].dropFraction !== undefined ? { dropFraction: mean((o) => o.dropFraction!) } : {}),
  };
}

export { rate };

// ---------------------------------------------------------------- M/M/1

/**
 * The product's way: an arrival callback claims the server's Timeline and schedules the departure at
 * the claim's end. The arrival times wait in a typed-array FIFO, as in the bare version (departures
 * come in arrival order), so no number is boxed per customer.
 */
function mm1Timeline(p: EngineBenchParams, seed: number): RunOutcome {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const arrival = exponential(rs.stream("arrivals"), p.arrivalMean);
  const service = exponential(rs.stream("service"), p.serviceMean);
  const server = new Timeline();
  const arrivedAt = new Float64Array(p.customers);
  let head = 0;
  let arrived = 0;
  let sum = 0;
  let done = 0;
  const depart = (): void => {
    sum += env.now - arrivedAt[head++];
    done++;
  };
  const arrive = (): void => {
    const now = env.now;
    arrivedAt[arrived] = now;
    // FIFO with one server: drawing the service at arrival draws the same numbers in the same order
    // as drawing it at the service's start
    server.claim(now, service.sample());
    env.schedule(server.freeAt - now, depart);
    if (++arrived < p.customers) env.schedule(arrival.sample(), arrive);
  };
  env.schedule(0, arrive);
  env.run();
  return { events: env.processedEvents, meanTimeInSystem: sum / done };
}

/** Bare callbacks: the waiting line and the server's state kept by hand. */
function mm1Callbacks(p: EngineBenchParams, seed: number): RunOutcome {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const arrival = exponential(rs.stream("arrivals"), p.arrivalMean);
  const service = exponential(rs.stream("service"), p.serviceMean);
  const waiting = new Float64Array(p.customers); // arrival times, FIFO
  let head = 0;
  let tail = 0;
  let busy = false;
  let arrived = 0;
  let sum = 0;
  let done = 0;
  const depart = (): void => {
    sum += env.now - waiting[head++];
    done++;
    if (head < tail) env.schedule(service.sample(), depart);
    else busy = false;
  };
  const arrive = (): void => {
    waiting[tail++] = env.now;
    if (!busy) {
      busy = true;
      env.schedule(service.sample(), depart);
    }
    if (++arrived < p.customers) env.schedule(arrival.sample(), arrive);
  };
  env.schedule(0, arrive);
  env.run();
  return { events: env.processedEvents, meanTimeInSystem: sum / done };
}

/**
 * The ceiling: the callback M/M/1 on a bare binary heap of (time, seq, kind) in typed arrays, the
 * same random streams, no engine. Same push/pop pairs, same time distribution.
 */
function mm1BareHeap(p: EngineBenchParams, seed: number): RunOutcome {
  const rs = new RandomStreams(seed);
  const arrival = exponential(rs.stream("arrivals"), p.arrivalMean);
  const service = exponential(rs.stream("service"), p.serviceMean);
  const heap = new BareHeap(64);
  const waiting = new Float64Array(p.customers);
  let head = 0;
  let tail = 0;
  let busy = false;
  let arrived = 0;
  let sum = 0;
  let done = 0;
  let events = 0;
  heap.push(0, 0);
  while (heap.size > 0) {
    const kind = heap.pop();
    const now = heap.now;
    events++;
    if (kind === 0) {
      waiting[tail++] = now;
      if (!busy) {
        busy = true;
        heap.push(now + service.sample(), 1);
      }
      if (++arrived < p.customers) heap.push(now + arrival.sample(), 0);
    } else {
      sum += now - waiting[head++];
      done++;
      if (head < tail) heap.push(now + service.sample(), 1);
      else busy = false;
    }
  }
  return { events, meanTimeInSystem: sum / done };
}

// ---------------------------------------------------------------- spinlock -> ring -> consumer

/**
 * The product's way: a producer's think ends in a callback that claims the lock (a SpinLock: its
 * hold drawn at once, as the ring buffer's reservation works out its own) and schedules the put at
 * the release; the consumer is a Timeline, its service claimed when a record is put. A record leaves
 * the ring when its service starts.
 */
function ringSpinLock(p: EngineBenchParams, seed: number): RunOutcome {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const lock = new SpinLock();
  const consumer = new Timeline();
  const service = exponential(rs.stream("consumer"), p.consumerMean);
  const per = Math.floor(p.customers / p.producers);
  const cap = p.ringCapacity;
  const leaves = new Float64Array(cap); // when each buffered record's service starts, FIFO
  let rHead = 0;
  let rLen = 0;
  let dropped = 0;
  let sum = 0;
  let done = 0;
  for (let id = 0; id < p.producers; id++) {
    const think = exponential(rs.stream(`cpu${id}/think`), p.thinkMean);
    const hold = exponential(rs.stream(`cpu${id}/hold`), p.holdMean);
    let left = per;
    let t0 = 0;
    const put = (): void => {
      const now = env.now;
      while (rLen > 0 && leaves[rHead] <= now) {
        rHead = rHead + 1 === cap ? 0 : rHead + 1;
        rLen--;
      }
      if (rLen < cap) {
        const start = consumer.acquire(now);
        consumer.release(start + service.sample());
        leaves[(rHead + rLen) % cap] = start;
        rLen++;
        sum += consumer.freeAt - t0;
        done++;
      } else dropped++;
      if (--left > 0) env.schedule(think.sample(), thought);
    };
    const thought = (): void => {
      t0 = env.now;
      const start = lock.acquire(t0);
      lock.release(start + hold.sample());
      env.scheduleAt(lock.freeAt, put);
    };
    env.schedule(think.sample(), thought);
  }
  env.run();
  return { events: env.processedEvents, meanTimeInSystem: sum / done, dropFraction: dropped / (per * p.producers) };
}

/** The same with the lock's and the consumer's free times kept by hand in two numbers. */
function ringCallbacks(p: EngineBenchParams, seed: number): RunOutcome {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  let lockFreeAt = 0;
  let consumerFreeAt = 0;
  const service = exponential(rs.stream("consumer"), p.consumerMean);
  const per = Math.floor(p.customers / p.producers);
  const cap = p.ringCapacity;
  const leaves = new Float64Array(cap);
  let rHead = 0;
  let rLen = 0;
  let dropped = 0;
  let sum = 0;
  let done = 0;
  for (let id = 0; id < p.producers; id++) {
    const think = exponential(rs.stream(`cpu${id}/think`), p.thinkMean);
    const hold = exponential(rs.stream(`cpu${id}/hold`), p.holdMean);
    let left = per;
    let t0 = 0;
    const put = (): void => {
      const now = env.now;
      while (rLen > 0 && leaves[rHead] <= now) {
        rHead = rHead + 1 === cap ? 0 : rHead + 1;
        rLen--;
      }
      if (rLen < cap) {
        const start = consumerFreeAt > now ? consumerFreeAt : now;
        consumerFreeAt = start + service.sample();
        leaves[(rHead + rLen) % cap] = start;
        rLen++;
        sum += consumerFreeAt - t0;
        done++;
      } else dropped++;
      if (--left > 0) env.schedule(think.sample(), thought);
    };
    const thought = (): void => {
      t0 = env.now;
      const start = lockFreeAt > t0 ? lockFreeAt : t0;
      lockFreeAt = start + hold.sample();
      env.scheduleAt(lockFreeAt, put);
    };
    env.schedule(think.sample(), thought);
  }
  env.run();
  return { events: env.processedEvents, meanTimeInSystem: sum / done, dropFraction: dropped / (per * p.producers) };
}

// ---------------------------------------------------------------- exported benchmarks

/**
 * The five engine models, in the order a round runs them (run.ts reads them by position: the
 * product-style M/M/1, the bare-callback M/M/1, the ceiling, the product-style ring, the bare ring).
 */
export function engineModels(p = defaultEngineParams): EngineModel[] {
  return [
    { key: "mm1Timeline", name: "M/M/1, callbacks + Timeline (as the node model runs)", once: (s) => mm1Timeline(p, s) },
    { key: "mm1Callbacks", name: "M/M/1, bare callbacks, queue kept by hand", once: (s) => mm1Callbacks(p, s) },
    { key: "mm1Ceiling", name: "M/M/1, bare typed-array heap (ceiling)", once: (s) => mm1BareHeap(p, s) },
    { key: "ringSpinLock", name: `${p.producers} CPUs -> spinlock -> ring -> consumer, callbacks + SpinLock/Timeline`, once: (s) => ringSpinLock(p, s) },
    { key: "ringCallbacks", name: `${p.producers} CPUs -> spinlock -> ring -> consumer, free times kept by hand`, once: (s) => ringCallbacks(p, s) },
  ];
}
