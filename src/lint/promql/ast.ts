/**
 * Reading lezer-promql trees for the checks: selectors (name, matchers, range, enclosing
 * function), call arguments, ancestors. Types and result labels are in `infer.ts`.
 *
 * @module
 */
import type { SyntaxNode } from "./tree.ts";
import { parseDuration } from "../duration.ts";
import { child, functionName, type Matcher, selectorMatchers } from "./infer.ts";

export {
  binaryOp,
  exprChildren,
  functionName,
  type LabelSet,
  type Matcher,
  mayHave,
  outputLabels,
} from "./infer.ts";

/** A vector selector, with the range and function around it when there are. */
export interface Selector {
  node: SyntaxNode;
  /** The metric name, from the identifier or a `__name__="…"` matcher. */
  name?: string;
  matchers: Matcher[];
  /** The range in milliseconds of `x[5m]` (not of subqueries). */
  rangeMs?: number;
  /** The range as written. */
  rangeText?: string;
  /** The nearest enclosing function call's name, if any. */
  fn?: string;
}

/** Comparison operators' node names. */
export const COMPARISONS: ReadonlySet<string> = new Set(["Gtr", "Lss", "Gte", "Lte", "Eql", "Neq"]);

/** The argument nodes of a function call or aggregation. */
export function callArgs(call: SyntaxNode): SyntaxNode[] {
  const body = call.getChild("FunctionCallBody");
  const out: SyntaxNode[] = [];
  for (let c = body?.firstChild ?? null; c; c = c.nextSibling) {
    if (!c.type.isError && c.name !== "LineComment") out.push(c);
  }
  return out;
}

/** Read one VectorSelector node. */
export function readSelector(expr: string, node: SyntaxNode): Selector {
  const sel: Selector = { node, matchers: [] };
  const id = child(node, "Identifier");
  if (id) sel.name = expr.slice(id.from, id.to);
  for (const m of selectorMatchers(expr, node)) {
    if (m.label === "__name__" && m.op === "=" && sel.name === undefined) sel.name = m.value;
    if (!m.bare) sel.matchers.push(m);
  }
  const parent = node.parent;
  if (parent?.name === "MatrixSelector") {
    const d = child(parent, "DurationExpr") ?? child(parent, "Duration");
    if (d) {
      sel.rangeText = expr.slice(d.from, d.to);
      const ms = parseDuration(sel.rangeText);
      if ("ms" in ms) sel.rangeMs = ms.ms;
    }
  }
  for (let p = parent; p; p = p.parent) {
    if (p.name === "FunctionCall") {
      sel.fn = functionName(expr, p);
      break;
    }
    if (p.name === "AggregateExpr" || p.name === "BinaryExpr") break;
  }
  return sel;
}

/** The nearest ancestor named `name`. */
export function ancestor(node: SyntaxNode, name: string): SyntaxNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.name === name) return p;
  return undefined;
}
