/**
 * One model of time (issue 12, item 1): the same M/M/1 and the same "N CPUs -> lock -> ring ->
 * consumer" model written with the engine's processes (Resource, Store, env.process) and
 * with callbacks on the event heap plus Timelines (the style the node model runs), in one run.
 *
 *     npx tsx test/bench/time-models.ts [rounds]
 *
 * Each model runs in a forked process of its own (no shared V8 type feedback), warmed up three
 * times; then `rounds` interleaved rounds run every model once each (same seed within a round).
 * Prints each model's customers/s and events/s as median (min-max) over rounds, and the ratio of
 * timeline to processes within each round. Both sides draw the same random streams in the same
 * order, so their mean times in system agree exactly.
 */
import { fork } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Environment, Resource, Store, RandomStreams, exponential, type ProcessGenerator } from "../../src/engine/index.ts";
import { Timeline } from "../../src/engine/timeline.ts";

const P = { customers: 200_000, arrivalMean: 1250, serviceMean: 1000, producers: 8, ringCapacity: 64, thinkMean: 8000, holdMean: 200, consumerMean: 1100 };
interface Out {
  events: number;
  mean: number;
  drop?: number;
}

function mm1Processes(seed: number): Out {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const arrival = exponential(rs.stream("arrivals"), P.arrivalMean);
  const service = exponential(rs.stream("service"), P.serviceMean);
  const server = new Resource(env, 1);
  let sum = 0;
  let done = 0;
  function* customer(): ProcessGenerator<void> {
    const t0 = env.now;
    const req = server.request();
    yield req;
    yield env.timeout(service.sample());
    server.release(req);
    sum += env.now - t0;
    done++;
  }
  function* source(): ProcessGenerator<void> {
    for (let i = 0; i < P.customers; i++) {
      env.process(customer());
      yield env.timeout(arrival.sample());
    }
  }
  env.process(source());
  env.run();
  return { events: env.processedEvents, mean: sum / done };
}

/** Callbacks + a Timeline, with a departure event per customer (the same two callbacks a model with work after service would have). */
function mm1Timeline(seed: number): Out {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const arrival = exponential(rs.stream("arrivals"), P.arrivalMean);
  const service = exponential(rs.stream("service"), P.serviceMean);
  const server = new Timeline();
  let sum = 0;
  let done = 0;
  let arrived = 0;
  const depart = (t0: number): void => {
    sum += env.now - t0;
    done++;
  };
  const arrive = (): void => {
    const now = env.now;
    // FIFO: the service is drawn when the customer starts, as in the process version (same draw order here: one server, FIFO)
    const start = server.acquire(now);
    server.release(start + service.sample());
    env.scheduleAt(server.freeAt, depart, now);
    if (++arrived < P.customers) env.schedule(arrival.sample(), arrive);
  };
  env.schedule(0, arrive);
  env.run();
  return { events: env.processedEvents, mean: sum / done };
}

/** Callbacks + a Timeline, the node model's way: the customer's end is known when it arrives, no departure event. */
function mm1TimelineNoDeparture(seed: number): Out {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const arrival = exponential(rs.stream("arrivals"), P.arrivalMean);
  const service = exponential(rs.stream("service"), P.serviceMean);
  const server = new Timeline();
  let sum = 0;
  let arrived = 0;
  const arrive = (): void => {
    const now = env.now;
    server.claim(now, service.sample());
    sum += server.freeAt - now;
    if (++arrived < P.customers) env.schedule(arrival.sample(), arrive);
  };
  env.schedule(0, arrive);
  env.run();
  return { events: env.processedEvents, mean: sum / arrived };
}

function ringProcesses(seed: number): Out {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const lock = new Resource(env, 1); // a FIFO lock, as SimPy's version has it (the waiting time is the spin time)
  const ring = new Store<number>(env, { capacity: P.ringCapacity, whenFull: "drop" });
  const service = exponential(rs.stream("consumer"), P.consumerMean);
  const per = Math.floor(P.customers / P.producers);
  let sum = 0;
  let done = 0;
  function* producer(id: number): ProcessGenerator<void> {
    const think = exponential(rs.stream(`cpu${id}/think`), P.thinkMean);
    const hold = exponential(rs.stream(`cpu${id}/hold`), P.holdMean);
    for (let i = 0; i < per; i++) {
      yield env.timeout(think.sample());
      const t0 = env.now;
      const req = lock.request();
      yield req;
      yield env.timeout(hold.sample());
      yield ring.put(t0);
      lock.release(req);
    }
  }
  function* consumer(): ProcessGenerator<void> {
    for (;;) {
      const t0: number = yield ring.get();
      yield env.timeout(service.sample());
      sum += env.now - t0;
      done++;
    }
  }
  for (let id = 0; id < P.producers; id++) env.process(producer(id));
  env.process(consumer());
  env.run();
  return { events: env.processedEvents, mean: sum / done, drop: ring.dropped / (per * P.producers) };
}

/**
 * Callbacks + Timelines: a producer's think ends in an event that claims the lock on its Timeline
 * (the hold drawn at once, as the ring buffer's reservation does) and schedules the put at the
 * release; the consumer is a Timeline too, its service claimed when the record is put.
 * The event order differs from the process version's (a put is an event at the release, not a
 * resumption), so the drop share and mean agree statistically, not bit for bit.
 */
function ringTimeline(seed: number): Out {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const lock = new Timeline();
  const consumer = new Timeline();
  const service = exponential(rs.stream("consumer"), P.consumerMean);
  const per = Math.floor(P.customers / P.producers);
  const cap = P.ringCapacity;
  const leave = new Float64Array(cap); // when each buffered record's service starts (it leaves the ring), FIFO
  let rHead = 0;
  let rLen = 0;
  let dropped = 0;
  let sum = 0;
  let done = 0;
  for (let id = 0; id < P.producers; id++) {
    const think = exponential(rs.stream(`cpu${id}/think`), P.thinkMean);
    const hold = exponential(rs.stream(`cpu${id}/hold`), P.holdMean);
    let left = per;
    let t0 = 0;
    const put = (): void => {
      const now = env.now;
      while (rLen > 0 && leave[rHead] <= now) {
        rHead = (rHead + 1) % cap;
        rLen--;
      }
      if (rLen < cap) {
        leave[(rHead + rLen) % cap] = consumer.claim(now, service.sample()); // leaves the ring when its service starts
        rLen++;
        sum += consumer.freeAt - t0;
        done++;
      } else dropped++;
      if (--left > 0) env.schedule(think.sample(), thought);
    };
    const thought = (): void => {
      t0 = env.now;
      lock.claim(t0, hold.sample());
      env.scheduleAt(lock.freeAt, put);
    };
    env.schedule(think.sample(), thought);
  }
  env.run();
  return { events: env.processedEvents, mean: sum / done, drop: dropped / (per * P.producers) };
}

const MODELS: Record<string, (seed: number) => Out> = { mm1Processes, mm1Timeline, mm1TimelineNoDeparture, ringProcesses, ringTimeline };
const CUSTOMERS: Record<string, number> = { mm1: P.customers, ring: Math.floor(P.customers / P.producers) * P.producers };

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const mmm = (v: number[], d: number, scale = 1) => `${(median(v) / scale).toFixed(d)} (${(Math.min(...v) / scale).toFixed(d)}-${(Math.max(...v) / scale).toFixed(d)})`;

const role = process.argv[2];
if (role === "--worker") {
  const fn = MODELS[process.argv[3]];
  for (let w = 0; w < 3; w++) fn(1000 + w);
  process.send!({ ready: true });
  process.on("message", (m: { seed?: number; exit?: boolean }) => {
    if (m.exit) process.exit(0);
    fn(m.seed! + 500); // re-warm after the wait (see engine-worker.ts)
    const t = performance.now();
    const out = fn(m.seed!);
    process.send!({ wallS: (performance.now() - t) / 1000, out });
  });
} else {
  const rounds = Number(role ?? 7);
  const names = Object.keys(MODELS);
  const self = fileURLToPath(import.meta.url);
  const workers = await Promise.all(
    names.map(
      (n) =>
        new Promise<{ run: (seed: number) => Promise<{ wallS: number; out: Out }>; stop: () => void }>((resolve) => {
          const child = fork(self, ["--worker", n]);
          let pending: ((v: any) => void) | null = null;
          child.on("message", (msg) => pending?.(msg));
          pending = () =>
            resolve({
              run: (seed) =>
                new Promise((r) => {
                  pending = r;
                  child.send({ seed });
                }),
              stop: () => child.send({ exit: true }),
            });
        }),
    ),
  );
  const res: Record<string, { wallS: number; out: Out }[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) for (let i = 0; i < names.length; i++) res[names[i]].push(await workers[i].run(1 + r));
  for (const w of workers) w.stop();
  console.log(`${P.customers} customers, ${rounds} interleaved rounds, median (min-max) over rounds`);
  for (const n of names) {
    const c = CUSTOMERS[n.startsWith("mm1") ? "mm1" : "ring"];
    const runs = res[n];
    const o = runs[0].out;
    console.log(
      `${n.padEnd(24)} events/customer ${(o.events / c).toFixed(2)}  M customers/s ${mmm(runs.map((x) => c / x.wallS), 2, 1e6)}  M events/s ${mmm(runs.map((x) => x.out.events / x.wallS), 2, 1e6)}  mean ${(runs.reduce((a, x) => a + x.out.mean, 0) / rounds).toFixed(1)} ns${o.drop !== undefined ? ` drop ${(100 * runs.reduce((a, x) => a + x.out.drop!, 0) / rounds).toFixed(2)}%` : ""}`,
    );
  }
  const ratio = (a: string, b: string) => res[a].map((x, i) => res[b][i].wallS / x.wallS);
  console.log(`per customer, within each round: M/M/1 timeline / processes ${mmm(ratio("mm1Timeline", "mm1Processes"), 2)}x, no-departure / processes ${mmm(ratio("mm1TimelineNoDeparture", "mm1Processes"), 2)}x; ring timeline / processes ${mmm(ratio("ringTimeline", "ringProcesses"), 2)}x`);
}
