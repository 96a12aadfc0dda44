import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import {
  RandomStreams,
  binned,
  burstyOnOff,
  deterministic,
  empirical,
  exponential,
  lognormal,
  normal,
  uniform,
  type Distribution,
} from "../../src/engine/random.ts";
import { Tally, confidenceInterval } from "../../src/engine/statistics.ts";

const Z999 = 3.29; // two-sided 99.9%: fixed seeds, several checks, so a wide but honest interval

function sampleTally(d: Distribution, n: number): Tally {
  const t = new Tally();
  for (let i = 0; i < n; i++) t.add(d.sample());
  return t;
}
function expectMeanInCI(t: Tally, mean: number): void {
  const hw = Z999 * Math.sqrt(t.variance / t.n);
  expect(Math.abs(t.mean - mean)).toBeLessThanOrEqual(hw);
}

describe("distributions against their theoretical moments", () => {
  const rs = new RandomStreams(2024);
  const n = 200_000;
  it("exponential: mean, and cv 1", () => {
    const t = sampleTally(exponential(rs.stream("exp"), 250), n);
    expectMeanInCI(t, 250);
    expect(Math.sqrt(t.variance) / t.mean).toBeCloseTo(1, 1);
    expect(t.min).toBeGreaterThan(0);
  });
  it("uniform: mean (low+high)/2, variance (high-low)^2/12, support", () => {
    const t = sampleTally(uniform(rs.stream("u"), 10, 30), n);
    expectMeanInCI(t, 20);
    expect(t.variance).toBeCloseTo(400 / 12, 0);
    expect(t.min).toBeGreaterThanOrEqual(10);
    expect(t.max).toBeLessThan(30);
  });
  it("normal: mean and standard deviation", () => {
    const t = sampleTally(normal(rs.stream("n"), 5, 2), n);
    expectMeanInCI(t, 5);
    expect(Math.sqrt(t.variance)).toBeCloseTo(2, 1);
  });
  it("lognormal: mean and cv of the variable itself", () => {
    for (const [mean, cv] of [
      [1000, 0.5],
      [50, 1.5],
    ]) {
      const d = lognormal(rs.stream(`ln${cv}`), mean, cv);
      const reps: number[] = [];
      const cvs: number[] = [];
      for (let r = 0; r < 20; r++) {
        const t = sampleTally(d, 20_000);
        reps.push(t.mean);
        cvs.push(Math.sqrt(t.variance) / t.mean);
      }
      const m = confidenceInterval(reps);
      expect(m.low).toBeLessThanOrEqual(mean);
      expect(m.high).toBeGreaterThanOrEqual(mean);
      const c = confidenceInterval(cvs);
      // the sample cv is biased low for heavy tails; allow 5%
      expect(Math.abs(c.mean - cv) / cv).toBeLessThan(0.05);
    }
  });
  it("empirical: the samples' mean, within their range, one value gives that value", () => {
    const samples = [3, 1, 4, 1, 5, 9, 2, 6];
    const d = empirical(rs.stream("emp"), samples);
    expect(d.mean).toBeCloseTo(31 / 8, 12);
    const t = sampleTally(d, n);
    // linear interpolation between order statistics: E = mean of the piecewise-linear inverse CDF
    const s = [...samples].sort((a, b) => a - b);
    let area = 0;
    for (let i = 0; i + 1 < s.length; i++) area += (s[i] + s[i + 1]) / 2;
    expectMeanInCI(t, area / (s.length - 1));
    expect(t.min).toBeGreaterThanOrEqual(1);
    expect(t.max).toBeLessThanOrEqual(9);
    expect(empirical(rs.stream("one"), [7]).sample()).toBe(7);
  });
  it("binned: each bin with its count's share, uniform inside it; empty bins never drawn", () => {
    const bins = [
      [0, 10, 3],
      [10, 20, 0],
      [20, 40, 1],
    ] as const;
    const d = binned(rs.stream("bins"), bins);
    expect(d.mean).toBeCloseTo((3 * 5 + 1 * 30) / 4, 12);
    const t = sampleTally(d, n);
    expectMeanInCI(t, d.mean);
    let inEmpty = 0;
    let inLast = 0;
    const s = binned(rs.stream("bins2"), bins);
    for (let i = 0; i < 20000; i++) {
      const x = s.sample();
      if (x >= 10 && x < 20) inEmpty++;
      if (x >= 20) inLast++;
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(40);
    }
    expect(inEmpty).toBe(0);
    expect(Math.abs(inLast / 20000 - 0.25)).toBeLessThan(0.015);
    expect(binned(rs.stream("one"), [[7, 7, 2]]).sample()).toBe(7);
  });
  it("burstyOnOff: long-run rate rateOn * on / (on + off)", () => {
    const rateOn = 0.01;
    const on = 5000;
    const off = 15000;
    const rates: number[] = [];
    for (let r = 0; r < 20; r++) {
      const d = burstyOnOff(rs.stream(`burst${r}`), rateOn, on, off);
      let t = 0;
      const k = 20_000;
      for (let i = 0; i < k; i++) t += d.sample();
      rates.push(k / t);
    }
    const est = confidenceInterval(rates);
    const want = (rateOn * on) / (on + off);
    expect(est.low).toBeLessThanOrEqual(want);
    expect(est.high).toBeGreaterThanOrEqual(want);
    expect(1 / burstyOnOff(rs.stream("m"), rateOn, on, off).mean).toBeCloseTo(want, 12);
  });
  it("deterministic returns its value", () => {
    expect(deterministic(3).sample()).toBe(3);
  });
});

describe("seeded streams", () => {
  it("the same seed and name give the same numbers; another seed or name gives others", () => {
    const a = new RandomStreams(1).stream("x");
    const b = new RandomStreams(1).stream("x");
    const c = new RandomStreams(2).stream("x");
    const d = new RandomStreams(1).stream("y");
    const seq = (s: { next(): number }) => Array.from({ length: 10 }, () => s.next());
    const sa = seq(a);
    expect(seq(b)).toEqual(sa);
    expect(seq(c)).not.toEqual(sa);
    expect(seq(d)).not.toEqual(sa);
  });
  it("a stream's numbers are seedrandom's Alea for the stream's seed, bit for bit", () => {
    for (const [seed, name] of [
      [1, "x"],
      [42, "cpu3/arrivals"],
      ["run-7", "consumer"],
    ] as const) {
      const ours = new RandomStreams(seed).stream(name);
      const theirs = seedrandom.alea(`${String(seed)}\u0000${name}`);
      for (let i = 0; i < 20_000; i++) expect(ours.next()).toBe(theirs());
    }
  });
  it("draws from one stream do not change another's", () => {
    const one = new RandomStreams(5);
    const two = new RandomStreams(5);
    for (let i = 0; i < 1000; i++) one.stream("noisy").next();
    one.stream("another-new-one").next();
    const x = Array.from({ length: 50 }, () => one.stream("quiet").next());
    const y = Array.from({ length: 50 }, () => two.stream("quiet").next());
    expect(x).toEqual(y);
  });
});

describe("bad parameters throw RangeError naming the field and value", () => {
  const s = new RandomStreams(1).stream("e");
  it.each([
    [() => exponential(s, -1), /exponential: mean.*-1/],
    [() => exponential(s, NaN), /mean.*NaN/],
    [() => uniform(s, 5, 1), /uniform.*1/],
    [() => normal(s, 0, -2), /sigma.*-2/],
    [() => lognormal(s, 10, -0.5), /cv.*-0.5/],
    [() => empirical(s, []), /empirical/],
    [() => empirical(s, [1, NaN]), /samples\[1\].*NaN/],
    [() => binned(s, []), /binned: bins/],
    [() => binned(s, [[5, 1, 1]]), /bins\[0\]\.high.*1/],
    [() => binned(s, [[0, 1, -1]]), /bins\[0\]\.count.*-1/],
    [() => binned(s, [[0, 1, 0]]), /counts must not all be zero/],
    [() => burstyOnOff(s, 0, 1, 1), /rateOn.*0/],
    [() => deterministic(Infinity), /value.*Infinity/],
    [() => new RandomStreams(NaN), /seed.*NaN/],
  ])("%#", (f, re) => {
    expect(f).toThrow(RangeError);
    expect(f).toThrow(re);
  });
});
