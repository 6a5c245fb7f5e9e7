/**
 * Jacobi rotations in parallel (round-robin) order, for the eigh and svd rules. A sweep of the
 * cyclic Jacobi method rotates every pair (p, q) of the n indices once; with the round-robin
 * ("circle") ordering a sweep is n - 1 rounds of n / 2 disjoint pairs (Brent & Luk), and the
 * pairs of one round rotate at once with a few vectorized ops: gather rows (or columns) p and q,
 * combine them with the rotations' c and s, and put them back with one Gather by the inverse
 * order. So a round costs O(n^2) like n / 2 scalar rotations, and its node count does not depend
 * on n: the rounds run in an ONNX Loop (the round number picks the pairs from a constant table),
 * the sweeps in an outer Loop until a convergence test passes or a sweep cap is reached.
 *
 * n must be even: callers pad an odd matrix with a zero row and column, whose pairs never rotate
 * (their off-diagonal entry is 0, so c = 1 and s = 0 exactly).
 */
import { Real, attr, type DType, type Dim, type LoweringContext, type TensorType, type Value } from "../../src/core";

/** Sweeps before a Jacobi loop gives up (random float64 matrices of size 64 need ~9). */
export const MAX_SWEEPS = 30;

/** The machine epsilon of the float dtypes the linear algebra rules take. */
export function machineEpsilon(ctx: LoweringContext, dtype: DType): number {
  if (dtype === "float32") return 2 ** -23;
  if (dtype === "float64") return 2 ** -52;
  return ctx.fail(`${dtype} matrices are not supported (JAX factorizes float32 and float64 on CPU; cast the input)`);
}

/** The pairs of each round for n (even) indices: round r pairs L[i] with L[n-1-i], L = [0, rotate(1..n-1, r)]. */
export function roundRobin(n: number): { p: number[][]; q: number[][] } {
  const others = Array.from({ length: n - 1 }, (_, i) => i + 1);
  const p: number[][] = [];
  const q: number[][] = [];
  for (let r = 0; r < n - 1; r++) {
    const order = [0, ...others.slice(r), ...others.slice(0, r)];
    const pairs = Array.from({ length: n / 2 }, (_, i) => [order[i], order[n - 1 - i]].sort((x, y) => x - y));
    p.push(pairs.map(([a]) => a));
    q.push(pairs.map(([, b]) => b));
  }
  return { p, q };
}

/** One round's pairs as int64 values: p, q [n/2], and `inverse` [n], the position of each index in concat(p, q). */
export interface RoundPairs {
  readonly p: Value;
  readonly q: Value;
  readonly inverse: Value;
}

/** The pairs of round `round` (an int64 scalar, the inner Loop's iteration number). */
export function roundPairs(ctx: LoweringContext, n: number, round: Value): RoundPairs {
  const { p, q } = roundRobin(n);
  const inverse = p.map((ps, r) => {
    const inv = new Array<number>(n);
    [...ps, ...q[r]].forEach((index, position) => (inv[index] = position));
    return inv;
  });
  const row = (table: number[][], width: number): Value => ctx.op("Gather", [ctx.constant(table.flat(), "int64", [n - 1, width]), round], { axis: 0 });
  return { p: row(p, n / 2), q: row(q, n / 2), inverse: row(inverse, n) };
}

/**
 * c and s of the rotation J (J_pp = J_qq = c, J_pq = s, J_qp = -s) for which J^T [[app, apq],
 * [apq, aqq]] J is diagonal (Golub & Van Loan, Algorithm 8.5.1, sym.schur2): tau = (aqq - app) /
 * (2 apq), t = sign(tau) / (|tau| + sqrt(1 + tau^2)) with sign(0) = 1, c = 1 / sqrt(1 + t^2),
 * s = t c. apq = 0 gives c = 1, s = 0 (no rotation); a tau so large that tau^2 overflows gives
 * t = 0 where the exact t (~1 / (2 tau)) is negligible anyway.
 */
export function rotationFor(ctx: LoweringContext, app: Value, aqq: Value, apq: Value): { c: Value; s: Value } {
  const re = new Real(ctx, apq.type.dtype);
  const zero = re.eq(apq, re.c(0));
  const tau = re.div(re.sub(aqq, app), re.mul(re.c(2), re.where(zero, re.c(1), apq)));
  const sign = re.where(ctx.op("GreaterOrEqual", [tau, re.c(0)]), re.c(1), re.c(-1));
  const t = re.where(zero, re.c(0), re.div(sign, re.add(re.un("Abs", tau), re.un("Sqrt", re.add(re.c(1), re.mul(tau, tau))))));
  const c = re.div(re.c(1), re.un("Sqrt", re.add(re.c(1), re.mul(t, t))));
  return { c, s: re.mul(t, c) };
}

/**
 * x with its pairs of rows (axis -2) or columns (axis -1) rotated: x_p <- c x_p - s x_q and
 * x_q <- s x_p + c x_q, that is J^T x (rows) or x J (columns). c and s are [..., n/2, 1] for rows,
 * [..., 1, n/2] for columns.
 */
export function rotatePairs(ctx: LoweringContext, x: Value, pairs: RoundPairs, c: Value, s: Value, axis: -2 | -1): Value {
  const xp = ctx.op("Gather", [x, pairs.p], { axis });
  const xq = ctx.op("Gather", [x, pairs.q], { axis });
  const newP = ctx.op("Sub", [ctx.op("Mul", [c, xp]), ctx.op("Mul", [s, xq])]);
  const newQ = ctx.op("Add", [ctx.op("Mul", [s, xp]), ctx.op("Mul", [c, xq])]);
  return ctx.op("Gather", [ctx.op("Concat", [newP, newQ], { axis }), pairs.inverse], { axis });
}

/** The n x n identity, broadcast to `batch` leading dims. */
export function batchedIdentity(ctx: LoweringContext, n: number, dtype: DType, batch: readonly Dim[]): Value {
  const eye = ctx.constant(Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0)), dtype, [n, n]);
  return batch.length ? ctx.op("Expand", [eye, ctx.shape([...batch, n, n])], {}, { types: [{ dtype, shape: [...batch, n, n] }] }) : eye;
}

export interface JacobiLoop {
  /** Loop-carried values (the matrix being diagonalized, the accumulated rotations). */
  readonly carries: readonly Value[];
  /** Even number of indices the pairs run over. */
  readonly n: number;
  /** One round: the carries after rotating `pairs`. */
  round(pairs: RoundPairs, carries: readonly Value[]): Value[];
  /** A bool scalar: whether another sweep is needed (false stops the loop). */
  unconverged(carries: readonly Value[]): Value;
}

/**
 * Runs sweeps of `loop.round` over all pairs until `unconverged` is false (tested before the
 * first sweep and after each) or MAX_SWEEPS sweeps ran: an outer ONNX Loop over sweeps with the
 * test as its condition, an inner Loop of n - 1 rounds (Loop spec: the body gets (iteration,
 * cond, carries...) and returns (cond, carries...)). Returns the final carries.
 */
export function jacobiSweeps(ctx: LoweringContext, loop: JacobiLoop): Value[] {
  const types: TensorType[] = loop.carries.map((v) => v.type);
  const formalTypes: TensorType[] = [{ dtype: "int64", shape: [] }, { dtype: "bool", shape: [] }, ...types];
  const always = ctx.scalar(true, "bool");
  const sweep = ctx.subgraph("jacobi_sweep", formalTypes, ([, , ...carries]) => {
    const rounds = ctx.subgraph("jacobi_round", formalTypes, ([round, , ...inner]) => [always, ...loop.round(roundPairs(ctx, loop.n, round), inner)]);
    const next = ctx.ops("Loop", [ctx.scalar(loop.n - 1, "int64"), always, ...carries], { body: attr.graph(rounds) }, { types });
    return [loop.unconverged(next), ...next];
  });
  return ctx.ops("Loop", [ctx.scalar(MAX_SWEEPS, "int64"), loop.unconverged(loop.carries), ...loop.carries], { body: attr.graph(sweep) }, { types });
}
