/**
 * Fits the Go scheduler-lock contention law on its own published table (golang/go#67585: the share
 * of on-CPU time in runtime.lock contention at GOMAXPROCS 22, 44, 88): share(P) = exp(a + b P),
 * least squares on ln(share). The table rises 4.3x from 22 to 44 and 14.6x from 44 to 88, which an
 * exponential in P follows (a power law would need its exponent to double between the two steps).
 */
export interface ContentionLaw {
  a: number;
  b: number;
  /** Largest |ln(model / measured)| over the points. */
  maxLogError: number;
}

export function fitSchedLockLaw(points: { gomaxprocs: number; share: number }[]): ContentionLaw {
  if (points.length < 2) throw new Error("fitSchedLockLaw needs at least two points");
  const xs = points.map((p) => p.gomaxprocs);
  const ys = points.map((p) => Math.log(p.share));
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const b = sxy / sxx;
  const a = my - b * mx;
  const maxLogError = Math.max(...xs.map((x, i) => Math.abs(a + b * x - ys[i])));
  return { a, b, maxLogError };
}
