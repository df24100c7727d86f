/**
 * Reading lezer-promql trees: selectors, function calls, and which labels an expression's
 * result can carry (for `$labels.x` and `le` checks).
 *
 * @module
 */
import type { SyntaxNode } from "./tree.ts";
import { unquote } from "./strings.ts";
import { parseDuration } from "../duration.ts";

/** A label matcher of a selector. */
export interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
  from: number;
  to: number;
}

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

const OPS: Record<string, Matcher["op"]> = {
  EqlSingle: "=",
  Neq: "!=",
  EqlRegex: "=~",
  NeqRegex: "!~",
};

/** Comparison operators' node names. */
export const COMPARISONS = new Set(["Gtr", "Lss", "Gte", "Lte", "Eql", "Neq"]);

/** The name of a function call node (`rate`). */
export function functionName(expr: string, call: SyntaxNode): string {
  const id = child(call, "FunctionIdentifier");
  return id ? expr.slice(id.from, id.to) : "";
}

/** The argument nodes of a function call or aggregation. */
export function callArgs(call: SyntaxNode): SyntaxNode[] {
  const body = call.getChild("FunctionCallBody");
  const out: SyntaxNode[] = [];
  for (let c = body?.firstChild ?? null; c; c = c.nextSibling) {
    if (!c.type.isError) out.push(c);
  }
  return out;
}

/** The first child of `node` named `name` (without lezer's getChild allocations). */
function child(node: SyntaxNode | null, name: string): SyntaxNode | null {
  for (let c = node?.firstChild ?? null; c; c = c.nextSibling) if (c.name === name) return c;
  return null;
}

/** Read one VectorSelector node. */
export function readSelector(expr: string, node: SyntaxNode): Selector {
  const sel: Selector = { node, matchers: [] };
  let list: SyntaxNode | null = null;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name === "Identifier") sel.name = expr.slice(c.from, c.to);
    else if (c.name === "LabelMatchers") list = c;
  }
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name === "QuotedLabelName") {
      const s = child(m, "StringLiteral");
      const v = s ? unquote(expr.slice(s.from, s.to)) : undefined;
      if (v !== undefined) sel.name = v;
      continue;
    }
    let nameNode: SyntaxNode | null = null, opNode: SyntaxNode | null = null;
    let lit: SyntaxNode | null = null;
    for (let c = m.firstChild; c; c = c.nextSibling) {
      const n = c.name;
      if (n === "LabelName" || n === "QuotedLabelName") nameNode = c;
      else if (n === "MatchOp") opNode = c;
      else if (n === "StringLiteral") lit = c;
    }
    const op = opNode?.firstChild?.name;
    if (!nameNode || !op || !lit || !(op in OPS)) continue;
    let label = expr.slice(nameNode.from, nameNode.to);
    if (nameNode.name === "QuotedLabelName") label = unquote(label) ?? label;
    const value = unquote(expr.slice(lit.from, lit.to));
    if (value === undefined) continue;
    const matcher: Matcher = { label, op: OPS[op], value, from: m.from, to: m.to };
    if (label === "__name__" && matcher.op === "=") sel.name = value;
    sel.matchers.push(matcher);
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

/**
 * Labels an expression's result can carry: `all` (any label, except those in `removed`) or
 * exactly the labels in `only`.
 */
export type LabelSet = { all: true; removed: Set<string> } | { all: false; only: Set<string> };

const ALL = (): LabelSet => ({ all: true, removed: new Set() });

/** Functions whose result has no labels. */
const NO_LABELS = new Set(["vector", "time", "scalar", "pi", "day_of_month", "day_of_week"]);

/** The labels the result of `node` can carry. */
export function outputLabels(expr: string, node: SyntaxNode | null): LabelSet {
  if (!node) return ALL();
  switch (node.name) {
    case "PromQL":
    case "ParenExpr":
    case "UnaryExpr":
    case "OffsetExpr":
    case "StepInvariantExpr":
    case "SubqueryExpr":
    case "MatrixSelector":
    case "AnchoredExpr":
    case "SmoothedExpr": {
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (isExpr(c)) return outputLabels(expr, c);
      }
      return ALL();
    }
    case "NumberLiteral":
    case "NumberDurationLiteral":
    case "StringLiteral":
      return { all: false, only: new Set() };
    case "VectorSelector":
      return ALL();
    case "AggregateExpr":
      return aggregateLabels(expr, node);
    case "FunctionCall":
      return functionLabels(expr, node);
    case "BinaryExpr":
      return binaryLabels(expr, node);
  }
  return ALL();
}

function isExpr(n: SyntaxNode): boolean {
  return !n.type.isError &&
    !/^(UnaryOp|Offset|At|Anchored|Smoothed|DurationExpr|OffsetDurationExpr|Duration)$/.test(
      n.name,
    ) &&
    !n.name.startsWith("NumberDurationLiteralIn");
}

function grouping(expr: string, node: SyntaxNode | null): Set<string> {
  const out = new Set<string>();
  const g = node?.getChild("GroupingLabels");
  for (let c = g?.firstChild ?? null; c; c = c.nextSibling) {
    if (c.name === "LabelName") out.add(expr.slice(c.from, c.to));
    if (c.name === "QuotedLabelName" || c.name === "StringLiteral") {
      const v = unquote(expr.slice(c.from, c.to));
      if (v !== undefined) out.add(v);
    }
  }
  return out;
}

function aggregateLabels(expr: string, node: SyntaxNode): LabelSet {
  const op = node.getChild("AggregateOp")?.firstChild?.name ?? "";
  const args = callArgs(node);
  const inner = outputLabels(expr, args[args.length - 1] ?? null);
  // topk, bottomk, limitk and limit_ratio keep the series they select, labels included.
  if (/^(Topk|Bottomk|Limitk|LimitRatio)$/.test(op)) return inner;
  const mod = node.getChild("AggregateModifier");
  let result: LabelSet;
  if (!mod) result = { all: false, only: new Set() };
  else if (mod.getChild("By")) {
    const by = grouping(expr, mod);
    result = {
      all: false,
      only: inner.all ? by : new Set([...by].filter((l) => inner.only.has(l))),
    };
  } else {
    const without = grouping(expr, mod);
    result = inner.all
      ? { all: true, removed: new Set([...inner.removed, ...without]) }
      : { all: false, only: new Set([...inner.only].filter((l) => !without.has(l))) };
  }
  if (op === "CountValues" && args[0]) {
    const label = unquote(expr.slice(args[0].from, args[0].to));
    if (label !== undefined) result = withLabel(result, label);
  }
  return result;
}

function withLabel(set: LabelSet, label: string): LabelSet {
  if (set.all) {
    const removed = new Set(set.removed);
    removed.delete(label);
    return { all: true, removed };
  }
  return { all: false, only: new Set([...set.only, label]) };
}

function withoutLabel(set: LabelSet, label: string): LabelSet {
  if (set.all) return { all: true, removed: new Set([...set.removed, label]) };
  const only = new Set(set.only);
  only.delete(label);
  return { all: false, only };
}

function functionLabels(expr: string, node: SyntaxNode): LabelSet {
  const name = functionName(expr, node);
  const args = callArgs(node);
  if (NO_LABELS.has(name) && !(name.startsWith("day_") && args.length)) {
    return { all: false, only: new Set() };
  }
  if (name === "absent" || name === "absent_over_time") {
    // Labels of the equality matchers only.
    const only = new Set<string>();
    const sel = args[0] && findFirst(args[0], "VectorSelector");
    if (sel) {
      for (const m of readSelector(expr, sel).matchers) {
        if (m.op === "=" && m.label !== "__name__") only.add(m.label);
      }
    }
    return { all: false, only };
  }
  // The instant- or range-vector argument carries the labels.
  const vecArg = args.find((a) =>
    a.name !== "NumberDurationLiteral" && a.name !== "StringLiteral" &&
    a.name !== "NumberLiteral"
  );
  let set = outputLabels(expr, vecArg ?? null);
  if ((name === "label_replace" || name === "label_join") && args[1]) {
    const dst = unquote(expr.slice(args[1].from, args[1].to));
    if (dst !== undefined) set = withLabel(set, dst);
  }
  if (name === "histogram_quantile" || name === "histogram_fraction") set = withoutLabel(set, "le");
  return set;
}

function binaryLabels(expr: string, node: SyntaxNode): LabelSet {
  const sides: SyntaxNode[] = [];
  let opName = "";
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name === "BoolModifier" || c.name === "MatchingModifierClause" || c.type.isError) {
      continue;
    }
    if (!opName && sides.length === 1 && !isExprNode(c)) {
      opName = c.name;
      continue;
    }
    if (isExprNode(c)) sides.push(c);
  }
  const [lhs, rhs] = sides.map((s) => outputLabels(expr, s));
  if (!lhs || !rhs) return lhs ?? ALL();
  const lhsScalar = !lhs.all && lhs.only.size === 0 && isScalarNode(sides[0]);
  const rhsScalar = !rhs.all && rhs.only.size === 0 && isScalarNode(sides[1]);
  if (lhsScalar) return rhs;
  if (rhsScalar) return lhs;
  if (opName === "Or") return union(lhs, rhs);
  if (opName === "And" || opName === "Unless") return lhs;
  const match = node.getChild("MatchingModifierClause");
  if (!match) return lhs;
  const labels = grouping(expr, match);
  const groupLeft = match.getChild("GroupLeft") !== null;
  const groupRight = match.getChild("GroupRight") !== null;
  if (groupLeft || groupRight) {
    // The "many" side keeps its labels; include() labels come from the "one" side.
    let base = groupLeft ? lhs : rhs;
    const includes = match.getChildren("GroupingLabels")[1];
    for (let c = includes?.firstChild ?? null; c; c = c.nextSibling) {
      if (c.name === "LabelName") base = withLabel(base, expr.slice(c.from, c.to));
    }
    return base;
  }
  if (match.getChild("On")) {
    return {
      all: false,
      only: lhs.all ? labels : new Set([...labels].filter((l) => lhs.only.has(l))),
    };
  }
  let out = lhs;
  for (const l of labels) out = withoutLabel(out, l);
  return out;
}

/** Node types that are expressions (operands, arguments). */
const EXPR_NODES = new Set([
  "BinaryExpr",
  "AggregateExpr",
  "FunctionCall",
  "ParenExpr",
  "UnaryExpr",
  "SubqueryExpr",
  "OffsetExpr",
  "StepInvariantExpr",
  "AnchoredExpr",
  "SmoothedExpr",
  "MatrixSelector",
  "VectorSelector",
  "NumberLiteral",
  "NumberDurationLiteral",
  "StringLiteral",
]);

function isExprNode(n: SyntaxNode): boolean {
  return EXPR_NODES.has(n.name);
}

function isScalarNode(n: SyntaxNode | undefined): boolean {
  if (!n) return false;
  if (/Literal$/.test(n.name)) return true;
  if (n.name === "ParenExpr" || n.name === "UnaryExpr") {
    for (let c = n.firstChild; c; c = c.nextSibling) if (isExprNode(c)) return isScalarNode(c);
  }
  return false;
}

function union(a: LabelSet, b: LabelSet): LabelSet {
  if (a.all && b.all) {
    return {
      all: true,
      removed: new Set([...a.removed].filter((l) => b.removed.has(l))),
    };
  }
  if (a.all) {
    return {
      all: true,
      removed: new Set([...a.removed].filter((l) => b.all || !b.only.has(l))),
    };
  }
  if (b.all) return union(b, a);
  return { all: false, only: new Set([...a.only, ...b.only]) };
}

/** The first descendant (or self) named `name`. */
export function findFirst(node: SyntaxNode, name: string): SyntaxNode | undefined {
  if (node.name === name) return node;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    const f = findFirst(c, name);
    if (f) return f;
  }
  return undefined;
}

/** Whether a label can be in a label set. */
export function mayHave(set: LabelSet, label: string): boolean {
  return set.all ? !set.removed.has(label) : set.only.has(label);
}

/** The nearest ancestor named `name`. */
export function ancestor(node: SyntaxNode, name: string): SyntaxNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.name === name) return p;
  return undefined;
}

/** The expression children of a node (operands, arguments), skipping tokens and modifiers. */
export function exprChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const body = node.name === "FunctionCall" || node.name === "AggregateExpr"
    ? node.getChild("FunctionCallBody")
    : node;
  for (let c = body?.firstChild ?? null; c; c = c.nextSibling) {
    if (!c.type.isError && isExprNode(c)) out.push(c);
  }
  return out;
}

/** The operator node name of a binary expression (`Gtr`, `And`, `Add`…). */
export function binaryOp(node: SyntaxNode): string {
  let seenLhs = false;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (isExprNode(c)) {
      if (seenLhs) break;
      seenLhs = true;
    } else if (seenLhs && c.name !== "BoolModifier" && c.name !== "MatchingModifierClause") {
      return c.name;
    }
  }
  return "";
}
