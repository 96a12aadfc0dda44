/**
 * The two optimisers the calibration needs, small enough to test exhaustively:
 *  - goldenSection: minimum of a unimodal function on [lo, hi] (for one bounded parameter);
 *  - scanThenGolden: a grid scan, then golden section in the bracket around the grid's best point
 *    (for an objective that need not be unimodal over the whole range);
 *  - linearLeastSquares: ordinary least squares y ≈ X·b by the normal equations (few columns),
 *    with an optional non-negativity constraint solved by trying every active set (2^k, k small).
 */

import { goldenSection } from "../engine/optimise.ts";

export { goldenSection };

/**
 * Minimum of `f` over an increasing grid, refined by golden section between the best grid point's
 * neighbours to within `tol`. Every point evaluated is a candidate: the best of them is returned
 * (so the refinement can never do worse than the grid).
 */
export function scanThenGolden(f: (x: number) => number, grid: readonly number[], tol: number): { x: number; f: number } {
  if (grid.length === 0) throw new RangeError("scanThenGolden: empty grid");
  if (!(tol > 0)) throw new RangeError(`scanThenGolden: tol = ${tol}: must be > 0`);
  let best = { x: grid[0]!, f: Infinity };
  const at = (x: number) => {
    const v = f(x);
    if (v < best.f) best = { x, f: v };
    return v;
  };
  const values = grid.map(at);
  let i = 0;
  for (let k = 1; k < grid.length; k++) if (values[k]! < values[i]!) i = k;
  const a = grid[Math.max(0, i - 1)]!;
  const b = grid[Math.min(grid.length - 1, i + 1)]!;
  // goldenSection's tolerance is relative to |a| + |b|: this one stops within `tol` of the minimum
  if (b > a) goldenSection(at, a, b, tol / Math.max(1, Math.abs(a) + Math.abs(b)));
  return best;
}

/** Solves the square system A x = b by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r]![col]!) > Math.abs(M[piv]![col]!)) piv = r;
    if (Math.abs(M[piv]![col]!) < 1e-300) return undefined;
    [M[col], M[piv]] = [M[piv]!, M[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const k = M[r]![col]! / M[col]![col]!;
      for (let c = col; c <= n; c++) M[r]![c]! -= k * M[col]![c]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

export interface LeastSquaresFit {
  coef: number[];
  /** sqrt(mean(((y - ŷ)/y)^2)) over rows with y != 0. */
  relRms: number;
  residuals: number[];
}

function evaluate(X: number[][], y: number[], coef: number[]): LeastSquaresFit {
  const residuals = X.map((row, i) => y[i]! - row.reduce((s, x, j) => s + x * coef[j]!, 0));
  const rel = residuals.map((r, i) => (y[i] ? r / y[i]! : 0));
  return { coef, residuals, relRms: Math.sqrt(rel.reduce((s, r) => s + r * r, 0) / Math.max(1, rel.length)) };
}

export function linearLeastSquares(X: number[][], y: number[], opts: { nonNegative?: boolean } = {}): LeastSquaresFit {
  if (X.length !== y.length || X.length === 0) throw new Error("linearLeastSquares: X and y must be non-empty and the same length");
  const k = X[0]!.length;
  if (k > 8) throw new Error("linearLeastSquares: at most 8 columns");
  const fitWith = (active: boolean[]): number[] | undefined => {
    const cols = [...Array(k).keys()].filter((j) => active[j]);
    if (cols.length === 0) return Array(k).fill(0);
    const XtX = cols.map((a) => cols.map((b) => X.reduce((s, row) => s + row[a]! * row[b]!, 0)));
    const Xty = cols.map((a) => X.reduce((s, row, i) => s + row[a]! * y[i]!, 0));
    const sol = solve(XtX, Xty);
    if (!sol) return undefined;
    const coef = Array(k).fill(0);
    cols.forEach((c, i) => (coef[c] = sol[i]));
    return coef;
  };
  if (!opts.nonNegative) {
    const coef = fitWith(Array(k).fill(true));
    if (!coef) throw new Error("linearLeastSquares: singular system (columns are collinear)");
    return evaluate(X, y, coef);
  }
  let best: LeastSquaresFit | undefined;
  let bestSse = Infinity;
  for (let mask = 0; mask < 1 << k; mask++) {
    const coef = fitWith([...Array(k).keys()].map((j) => ((mask >> j) & 1) === 1));
    if (!coef || coef.some((c) => c < 0)) continue;
    const fit = evaluate(X, y, coef);
    const sse = fit.residuals.reduce((s, r) => s + r * r, 0);
    if (sse < bestSse - 1e-12) {
      bestSse = sse;
      best = fit;
    }
  }
  return best!;
}
