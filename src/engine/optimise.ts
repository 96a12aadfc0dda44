/**
 * Golden-section search: the minimum of a unimodal function on [lo, hi], for one bounded
 * parameter. In the engine because both the node model's fits and the calibration's use it.
 */

const PHI = (Math.sqrt(5) - 1) / 2;

export function goldenSection(f: (x: number) => number, lo: number, hi: number, tol = 1e-9): { x: number; fx: number } {
  if (!(hi >= lo)) throw new Error(`goldenSection: empty interval [${lo}, ${hi}]`);
  let a = lo;
  let b = hi;
  let c = b - PHI * (b - a);
  let d = a + PHI * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tol * Math.max(1, Math.abs(a) + Math.abs(b))) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - PHI * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + PHI * (b - a);
      fd = f(d);
    }
  }
  // The ends can beat the interior for a monotone function: check them.
  const cands = [
    { x: (a + b) / 2, fx: f((a + b) / 2) },
    { x: lo, fx: f(lo) },
    { x: hi, fx: f(hi) },
  ];
  return cands.reduce((best, c2) => (c2.fx < best.fx ? c2 : best));
}
