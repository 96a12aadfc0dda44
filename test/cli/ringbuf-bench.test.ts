import { describe, expect, it } from "vitest";
import { cli } from "./run-cli.ts";

describe("bpfsim ringbuf-bench", () => {
  it("--json prints both buffers' records/s", async () => {
    const r = await cli(["ringbuf-bench", "--producers", "2", "--duration", "0.001", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.producers).toBe(2);
    expect(j.ringbuf.recordsPerS).toBeGreaterThan(0);
    expect(j.perfbuf.recordsPerS).toBeGreaterThan(0);
  });

  it("--no-pending-loop runs a kernel before the 2024 overrun fix and says so", async () => {
    const r = await cli(["ringbuf-bench", "--producers", "3", "--duration", "0.001", "--no-pending-loop"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("before the pending loop");
    const j = JSON.parse((await cli(["ringbuf-bench", "--producers", "3", "--duration", "0.001", "--no-pending-loop", "--json"])).out);
    expect(j.pendingLoop).toBe(false);
  });

  it("bad flags exit 2 naming the flag and value, without a stack trace", async () => {
    for (const args of [
      ["ringbuf-bench", "--producers", "abc"],
      ["ringbuf-bench", "--producers", "2", "--sampled", "0"],
      ["ringbuf-bench", "--producers", "5000"],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--(producers|sampled)/);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
