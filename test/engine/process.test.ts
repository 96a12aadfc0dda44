import { describe, expect, it } from "vitest";
import { Environment } from "../../src/engine/environment.ts";
import { Interrupt, type ProcessGenerator } from "../../src/engine/process.ts";

describe("Process semantics (SimPy's)", () => {
  it("a process is an event that succeeds with the generator's return value, seen by a waiting process", () => {
    const env = new Environment();
    const seen: [number, unknown][] = [];
    function* child(): ProcessGenerator<string> {
      yield env.timeout(3);
      return "result";
    }
    function* parent(): ProcessGenerator<void> {
      const v: string = yield env.process(child());
      seen.push([env.now, v]);
    }
    env.process(parent());
    env.run();
    expect(seen).toEqual([[3, "result"]]);
  });

  it("interrupt is thrown into a waiting process at the interrupt time; the abandoned wait does not resume it", () => {
    const env = new Environment();
    const log: string[] = [];
    function* sleeper(): ProcessGenerator<void> {
      try {
        yield env.timeout(10);
        log.push("woke normally");
      } catch (e) {
        expect(e).toBeInstanceOf(Interrupt);
        log.push(`interrupted at ${env.now} because ${String((e as Interrupt).cause)}`);
      }
      yield env.timeout(20); // past the abandoned timeout at 10
      log.push(`done at ${env.now}`);
    }
    const p = env.process(sleeper());
    env.schedule(4, () => p.interrupt("irq"));
    env.run();
    expect(log).toEqual(["interrupted at 4 because irq", "done at 24"]);
    expect(() => p.interrupt()).toThrow(/already terminated/);
  });

  it("a failure propagates into the waiting process as a thrown error", () => {
    const env = new Environment();
    let caught: unknown = null;
    function* failing(): ProcessGenerator<void> {
      yield env.timeout(1);
      throw new Error("boom");
    }
    function* waiter(): ProcessGenerator<void> {
      try {
        yield env.process(failing());
      } catch (e) {
        caught = e;
      }
    }
    env.process(waiter());
    env.run();
    expect((caught as Error).message).toBe("boom");
    const ev = env.event<number>();
    let caught2: unknown = null;
    env.process(
      (function* () {
        try {
          yield ev;
        } catch (e) {
          caught2 = e;
        }
      })(),
    );
    env.schedule(2, () => ev.fail(new RangeError("bad")));
    env.run();
    expect(caught2).toBeInstanceOf(RangeError);
  });

  it("an unhandled failure stops the run with that error", () => {
    const env = new Environment();
    env.process(
      (function* () {
        yield env.timeout(1);
        throw new Error("nobody waits");
      })(),
    );
    expect(() => env.run()).toThrow(/nobody waits/);
  });

  it("yielding something that is not an event fails the process with a TypeError saying what was yielded", () => {
    const env = new Environment();
    let err: unknown = null;
    function* bad(): ProcessGenerator<void> {
      yield 42 as never;
    }
    env.process(
      (function* () {
        try {
          yield env.process(bad());
        } catch (e) {
          err = e;
        }
      })(),
    );
    env.run();
    expect(err).toBeInstanceOf(TypeError);
    expect(String((err as Error).message)).toMatch(/yielded 42.*not an event/);
  });

  it("process() rejects a non-generator with a TypeError", () => {
    const env = new Environment();
    expect(() => env.process((() => {}) as never)).toThrow(TypeError);
  });

  it("several processes waiting on one event resume in the order they started waiting", () => {
    const env = new Environment();
    const ev = env.event<string>();
    const order: string[] = [];
    for (const name of ["a", "b", "c"]) {
      env.process(
        (function* () {
          const v: string = yield ev;
          order.push(name + v);
        })(),
      );
    }
    env.schedule(0.5, () => ev.addCallback(() => order.push("cb"))); // after the processes started waiting
    env.schedule(1, () => ev.succeed("!"));
    env.run();
    expect(order).toEqual(["a!", "b!", "c!", "cb"]);
  });
});
