import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Environment } from "../../src/engine/environment.ts";
import { SpinLock } from "../../src/engine/spinlock.ts";
import { Timeline } from "../../src/engine/timeline.ts";
import { RandomStreams, exponential } from "../../src/engine/random.ts";

/**
 * The reference scheduler the engine must agree with: a plain list, the next event is the one with
 * the smallest (time, insertion number). Slow and obviously right.
 */
class ReferenceScheduler {
  now = 0;
  private seq = 0;
  private readonly items: { time: number; seq: number; id: number; cancelled: boolean; ran: boolean }[] = [];
  schedule(delay: number, id: number): number {
    this.items.push({ time: this.now + delay, seq: this.seq++, id, cancelled: false, ran: false });
    return this.items.length - 1;
  }
  cancel(h: number): boolean {
    const it = this.items[h];
    if (it.cancelled || it.ran) return false;
    it.cancelled = true;
    return true;
  }
  next(): { time: number; id: number } | null {
    let best = -1;
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i];
      if (it.cancelled || it.ran) continue;
      if (best < 0 || it.time < this.items[best].time || (it.time === this.items[best].time && it.seq < this.items[best].seq)) best = i;
    }
    if (best < 0) return null;
    this.items[best].ran = true;
    this.now = this.items[best].time;
    return { time: this.now, id: this.items[best].id };
  }
}

// A schedule: initial events, each may schedule children and cancel another event when it runs.
const delayArb = fc.oneof(fc.constantFrom(0, 0, 1, 2, 2, 3), fc.double({ min: 0, max: 10, noNaN: true }));
const opArb = fc.record({
  delay: delayArb,
  childDelays: fc.array(delayArb, { maxLength: 2 }),
  cancelTarget: fc.option(fc.nat(60), { nil: undefined }),
  cancelBeforeRun: fc.boolean(),
});

describe("Environment.schedule / cancel (against a reference list scheduler)", () => {
  it("runs every non-cancelled event once, in (time, insertion) order; cancel answers like the reference", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(60), { maxLength: 10 }), (ops, preCancels) => {
        const env = new Environment({ initialCapacity: 4 }); // small, so the heap and FIFO grow
        const ref = new ReferenceScheduler();
        const got: [number, number][] = [];
        const want: [number, number][] = [];
        const gotCancel: boolean[] = [];
        const wantCancel: boolean[] = [];
        const handles: number[] = [];
        const refHandles: number[] = [];
        let nextId = 0;
        // each event's behaviour is a function of its id, identical on both sides
        const behaviour = (id: number) => ops[id % ops.length];
        const scheduleBoth = (delay: number): void => {
          const id = nextId++;
          handles[id] = env.schedule(delay, onRun, id);
          refHandles[id] = ref.schedule(delay, id);
        };
        function onRun(id: number): void {
          got.push([env.now, id]);
          if (id >= 200) return; // bound the tree
          const op = behaviour(id);
          for (const d of op.childDelays) {
            const cid = nextId++;
            handles[cid] = env.schedule(d, onRun, cid);
          }
          if (op.cancelTarget !== undefined && op.cancelTarget < handles.length) gotCancel.push(env.cancel(handles[op.cancelTarget]));
        }
        for (const op of ops) scheduleBoth(op.delay);
        for (const c of preCancels) if (c < handles.length) gotCancel.push(env.cancel(handles[c]));
        // the reference, driven the same way
        let refNext = ops.length;
        for (const c of preCancels) if (c < refHandles.length) wantCancel.push(ref.cancel(refHandles[c]));
        for (let e = ref.next(); e !== null; e = ref.next()) {
          want.push([e.time, e.id]);
          if (e.id >= 200) continue;
          const op = behaviour(e.id);
          for (const d of op.childDelays) refHandles[refNext++] = ref.schedule(d, refNext - 1);
          if (op.cancelTarget !== undefined && op.cancelTarget < refHandles.length) wantCancel.push(ref.cancel(refHandles[op.cancelTarget]));
        }
        let last = -Infinity;
        const runCount = new Map<number, number>();
        env.run();
        for (const [t, id] of got) {
          expect(t).toBeGreaterThanOrEqual(last); // time never goes backwards
          last = t;
          runCount.set(id, (runCount.get(id) ?? 0) + 1);
        }
        expect([...runCount.values()].every((n) => n === 1)).toBe(true);
        expect(got).toEqual(want);
        expect(gotCancel).toEqual(wantCancel);
        // after the run: every handle is spent, cancel says false
        for (const h of handles) expect(env.cancel(h)).toBe(false);
        expect(env.pending).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("cancel returns false for a handle cancelled twice, and a stale handle cannot cancel a later event in its slot", () => {
    const env = new Environment();
    const ran: string[] = [];
    const h1 = env.schedule(1, () => ran.push("a"));
    expect(env.cancel(h1)).toBe(true);
    expect(env.cancel(h1)).toBe(false);
    env.run();
    const h2 = env.schedule(1, () => ran.push("b")); // reuses the freed slot
    expect(env.cancel(h1)).toBe(false);
    env.run();
    expect(ran).toEqual(["b"]);
    expect(env.cancel(h2)).toBe(false);
    expect(env.cancel(-1)).toBe(false);
    expect(env.cancel(1.5)).toBe(false);
  });

  it("run(until) stops before events at `until` and leaves the clock there", () => {
    const env = new Environment();
    const ran: number[] = [];
    for (const t of [1, 2, 3]) env.schedule(t, () => ran.push(t));
    env.run(2);
    expect(ran).toEqual([1]);
    expect(env.now).toBe(2);
    env.run();
    expect(ran).toEqual([1, 2, 3]);
  });
});

describe("Environment errors name the argument and the value", () => {
  const env = new Environment();
  it.each([
    [-1, /delay.*-1/],
    [NaN, /delay.*NaN/],
    [Infinity, /delay.*Infinity/],
  ])("schedule(%s) throws RangeError", (d, re) => {
    expect(() => env.schedule(d, () => {})).toThrow(RangeError);
    expect(() => env.schedule(d, () => {})).toThrow(re);
    expect(() => env.scheduleAt(env.now + d, () => {})).toThrow(RangeError);
  });
  it("scheduleAt in the past, run(until) in the past, non-finite initial time", () => {
    const e = new Environment({ initialTime: 10 });
    expect(() => e.scheduleAt(5, () => {})).toThrow(/time.*5/);
    expect(() => e.run(3)).toThrow(/until.*3/);
    expect(() => new Environment({ initialTime: NaN })).toThrow(/initialTime.*NaN/);
  });
  it("a callback's exception comes out of run unchanged, the clock at its event's time; the run can go on", () => {
    const env = new Environment();
    const boom = new Error("boom");
    const ran: number[] = [];
    env.schedule(3, () => {
      throw boom;
    });
    env.schedule(5, () => ran.push(env.now));
    expect(() => env.run()).toThrow(boom);
    expect(env.now).toBe(3);
    env.run();
    expect(ran).toEqual([5]);
  });
});

/**
 * A model using every engine part the node model uses, in its style: callbacks on the heap, events
 * cancelled, resources as a Timeline and a SpinLock claimed ahead of the clock; returns its trace.
 */
function tracedModel(seed: number): string[] {
  const env = new Environment();
  const rs = new RandomStreams(seed);
  const trace: string[] = [];
  const log = (label: string) => trace.push(`${env.now.toFixed(6)} ${label}`);
  const cpu = [new Timeline(), new Timeline()];
  const lock = new SpinLock();
  const gap = exponential(rs.stream("gap"), 2);
  const hold = exponential(rs.stream("hold"), 3);
  const timers: number[] = [];
  let stopped = 0;
  const work = (id: number): void => {
    // the worker's CPU, then the shared lock, both claimed at times computed here, ahead of the clock
    const c = cpu[id % 2];
    const start = c.acquire(env.now);
    const at = start + hold.sample() / 4;
    const got = lock.acquire(at);
    log(`w${id} cpu at ${start.toFixed(6)} lock at ${got.toFixed(6)} ahead ${lock.ahead}`);
    lock.release(got + hold.sample());
    c.release(lock.freeAt);
    timers[id] = env.scheduleAt(c.freeAt + gap.sample(), work, id);
  };
  for (let id = 0; id < 4; id++) timers[id] = env.schedule(gap.sample(), work, id);
  env.schedule(150, () => {
    for (let id = 0; id < 4; id++) if (env.cancel(timers[id])) stopped++;
    log(`stopped ${stopped}`);
  });
  env.run(200);
  return trace;
}

describe("determinism", () => {
  it("the same seed gives the same event trace in two fresh environments; another seed does not", () => {
    const a = tracedModel(7);
    const b = tracedModel(7);
    expect(a.length).toBeGreaterThan(30);
    expect(a.some((l) => /ahead [1-9]/.test(l))).toBe(true); // claims found others waiting
    expect(a.at(-1)).toMatch(/stopped [1-4]$/); // pending events were cancelled
    expect(b).toEqual(a);
    expect(tracedModel(8)).not.toEqual(a);
  });
});
