/**
 * A jaxpr on scalars (a scatter's update function, JAX's `update_jaxpr`) as the same jaxpr on
 * tensors of one shape, so it lowers through the ordinary rules elementwise: every var of shape
 * [] gets `shape`, literals stay scalars (elementwise rules broadcast a scalar operand). That is
 * exact only for elementwise primitives, so each eqn's primitive must pass `isElementwise` and
 * every var must be a scalar; otherwise the reason is returned for the rule to report.
 * Calls (jit, custom_jvp_call: jnp.where, jax.nn.relu inside the function) are inlined first.
 */
import type { Atom, Aval, AvalDim, Eqn, Jaxpr, Var } from "../interchange/capture";

/** Call primitives and the param holding the called jaxpr. */
const CALLS: Readonly<Record<string, string>> = { jit: "jaxpr", pjit: "jaxpr", closed_call: "call_jaxpr", custom_jvp_call: "call_jaxpr" };

/** The eqns of `jaxpr` applied to `inputs` with calls inlined, appended to `out`; returns its outputs. Eqn outputs get fresh (negative) ids, so a jaxpr inlined twice stays apart. */
function inlineCalls(jaxpr: Jaxpr, inputs: readonly Atom[], out: Eqn[], fresh: () => number): Atom[] | string {
  if (jaxpr.constvars.length) return "it closes over arrays";
  const subst = new Map<number, Atom>();
  jaxpr.invars.forEach((v, i) => subst.set(v.id, inputs[i]));
  const atom = (a: Atom): Atom => (a.kind === "var" ? subst.get(a.var.id) ?? a : a);
  for (const e of jaxpr.eqns) {
    const ins = e.inputs.map(atom);
    const param = CALLS[e.prim];
    if (param) {
      const outs = inlineCalls(e.params.jaxpr(param), ins, out, fresh);
      if (typeof outs === "string") return outs;
      e.outputs.forEach((v, i) => subst.set(v.id, outs[i]));
      continue;
    }
    const outputs = e.outputs.map((v): Var => {
      const renamed = { ...v, id: fresh() };
      subst.set(v.id, { kind: "var", var: renamed });
      return renamed;
    });
    out.push({ ...e, inputs: ins, outputs });
  }
  return jaxpr.outvars.map(atom);
}

export function liftScalarJaxpr(jaxpr: Jaxpr, shape: readonly AvalDim[], isElementwise: (primitive: string) => boolean): Jaxpr | string {
  let next = -1;
  const flat: Eqn[] = [];
  const outvars = inlineCalls(jaxpr, jaxpr.invars.map((v) => ({ kind: "var", var: v })), flat, () => next--);
  if (typeof outvars === "string") return outvars;
  const vars = [...jaxpr.invars, ...flat.flatMap((e) => e.outputs)];
  const nonScalar = vars.find((v) => v.aval.shape.length > 0);
  if (nonScalar) return `it has a value of shape [${nonScalar.aval.shape.join(", ")}], not a scalar`;
  const other = flat.find((e) => !isElementwise(e.prim));
  if (other) return `it uses ${other.prim}, which is not elementwise`;
  const lifted = new Map<number, Var>();
  const lift = (v: Var): Var => {
    let out = lifted.get(v.id);
    if (!out) lifted.set(v.id, (out = { ...v, aval: { ...v.aval, shape: [...shape] } as Aval }));
    return out;
  };
  const atom = (a: Atom): Atom => (a.kind === "var" ? { kind: "var", var: lift(a.var) } : a);
  const eqns = flat.map((e): Eqn => ({ ...e, inputs: e.inputs.map(atom), outputs: e.outputs.map(lift) }));
  return { invars: jaxpr.invars.map(lift), constvars: [], outvars: outvars.map(atom), eqns };
}
