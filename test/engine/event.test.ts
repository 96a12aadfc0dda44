import { describe, expect, it } from "vitest";
import { Environment } from "../../src/engine/environment.ts";

describe("SimEvent life cycle", () => {
  it("pending -> triggered -> processed; callbacks run at the trigger time, in order added", () => {
    const env = new Environment();
    const ev = env.event<number>();
    const log: string[] = [];
    ev.addCallback((e) => log.push(`1:${e.value}@${env.now}`));
    ev.addCallback((e) => log.push(`2:${e.value}@${env.now}`));
    expect(ev.triggered).toBe(false);
    env.schedule(3, () => ev.succeed(9));
    env.run();
    expect(ev.processed).toBe(true);
    expect(log).toEqual(["1:9@3", "2:9@3"]);
    ev.addCallback(() => log.push("late")); // already processed: runs at once (next event)
    env.run();
    expect(log.at(-1)).toBe("late");
  });
  it("triggering twice throws; a removed callback does not run", () => {
    const env = new Environment();
    const ev = env.event();
    const cb = () => {
      throw new Error("removed callback ran");
    };
    ev.addCallback(cb);
    ev.removeCallback(cb);
    ev.succeed();
    expect(() => ev.succeed()).toThrow(/already been triggered/);
    expect(() => ev.fail(new Error("x"))).toThrow(/already been triggered/);
    env.run();
  });
  it("a timeout is processed exactly `delay` later with its value", () => {
    const env = new Environment({ initialTime: 100 });
    const t = env.timeout(2.5, "v");
    let at = -1;
    t.addCallback(() => (at = env.now));
    env.run();
    expect(at).toBe(102.5);
    expect(t.value).toBe("v");
  });
});
