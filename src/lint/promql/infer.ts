/**
 * Types and result labels of PromQL expressions, and Prometheus' type checks (`checkAST` and the
 * grammar actions of `promql/parser`), over lezer-promql trees.
 *
 * One post-order walk with an explicit stack: expressions of thousands of terms or thousands of
 * nesting levels (which Prometheus accepts) neither overflow the JavaScript stack nor take
 * quadratic time. (codemirror-promql's recursive checker, used before, took 4.7 s on 800 nested
 * parentheses and could not go deeper.)
 *
 * The label model follows Prometheus' engine: which labels a result can carry after binary
 * operators (scalar–vector, set operators, one-to-one matching with `on`/`ignoring`, `group_left`
 * / `group_right` with included labels), aggregations (`by`, `without`, `topk`, `count_values`)
 * and functions (`absent`, `label_replace`, `histogram_quantile`, `vector`, `scalar`, …).
 *
 * @module
 */
import type { SyntaxNode } from "./tree.ts";
import { FUNCTIONS } from "./functions.ts";
import { unquote } from "./strings.ts";
import { parseDuration } from "../duration.ts";

/** A PromQL value type. */
export type ValueType = "vector" | "scalar" | "matrix" | "string" | "none";

/**
 * Labels an expression's result can carry: `all` (any label, except those in `removed`) or
 * exactly the labels in `only`.
 */
export type LabelSet = { all: true; removed: Set<string> } | { all: false; only: Set<string> };

/** A type error, at offsets of the expression. */
export interface TypeError {
  from: number;
  to: number;
  message: string;
}

/** What the walk computes for one expression node. */
export interface Inferred {
  type: ValueType;
  /** Undefined unless labels were asked for. */
  labels?: LabelSet;
}

const DOCUMENTED: Record<ValueType, string> = {
  vector: "instant vector",
  matrix: "range vector",
  scalar: "scalar",
  string: "string",
  none: "none",
};
const SIG_TYPES: Record<string, ValueType> = { v: "vector", m: "matrix", s: "scalar", S: "string" };

/** Node types that are expressions (operands, arguments). */
export const EXPR_NODES: ReadonlySet<string> = new Set([
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

const COMPARISON = new Set(["Eql", "Neq", "Gtr", "Lss", "Gte", "Lte"]);
const SET_OPS = new Set(["And", "Or", "Unless"]);
const OP_TEXT: Record<string, string> = { And: "and", Or: "or", Unless: "unless" };
const WITH_PARAM = new Set(["Topk", "Bottomk", "Quantile", "CountValues", "LimitK", "LimitRatio"]);
const KEEPS_SERIES = new Set(["Topk", "Bottomk", "LimitK", "LimitRatio"]);

/** All labels possible. */
export const ALL = (): LabelSet => ({ all: true, removed: new Set() });
/** No labels at all. */
export const NONE = (): LabelSet => ({ all: false, only: new Set() });

/** Whether a label can be in a label set. */
export function mayHave(set: LabelSet, label: string): boolean {
  return set.all ? !set.removed.has(label) : set.only.has(label);
}

/** The expression children of a node (operands, arguments), skipping tokens and modifiers. */
export function exprChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const body = node.name === "FunctionCall" || node.name === "AggregateExpr"
    ? child(node, "FunctionCallBody")
    : node;
  for (let c = body?.firstChild ?? null; c; c = c.nextSibling) {
    if (!c.type.isError && EXPR_NODES.has(c.name)) out.push(c);
  }
  return out;
}

/** The first child of `node` named `name`. */
export function child(node: SyntaxNode | null, name: string): SyntaxNode | null {
  for (let c = node?.firstChild ?? null; c; c = c.nextSibling) if (c.name === name) return c;
  return null;
}

/** The top expression of a tree's root (skipping comments). */
export function topExpr(root: SyntaxNode): SyntaxNode | null {
  for (let c = root.firstChild; c; c = c.nextSibling) if (EXPR_NODES.has(c.name)) return c;
  return null;
}

/** The operator node name of a binary expression (`Gtr`, `And`, `Add`…). */
export function binaryOp(node: SyntaxNode): string {
  let seenLhs = false;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (EXPR_NODES.has(c.name)) {
      if (seenLhs) break;
      seenLhs = true;
    } else if (
      seenLhs && c.name !== "BoolModifier" && c.name !== "MatchingModifierClause" &&
      c.name !== "LineComment" && !c.type.isError
    ) {
      return c.name;
    }
  }
  return "";
}

/** The label names of a GroupingLabels node. */
function labelList(expr: string, node: SyntaxNode | null): string[] {
  const out: string[] = [];
  for (let c = node?.firstChild ?? null; c; c = c.nextSibling) {
    if (c.name === "LabelName") out.push(expr.slice(c.from, c.to));
    else if (c.name === "QuotedLabelName" || c.name === "StringLiteral") {
      const v = unquote(expr.slice(c.from, c.to));
      if (v !== undefined) out.push(v);
    }
  }
  return out;
}

/** The name of a function call node (`rate`). */
export function functionName(expr: string, call: SyntaxNode): string {
  const id = child(call, "FunctionIdentifier");
  return id ? expr.slice(id.from, id.to) : "";
}

/** Options of a walk. */
export interface InferOptions {
  /** Compute label sets (the type check alone does not need them). */
  labels?: boolean;
  /** Collect type errors here. */
  errors?: TypeError[];
}

interface Frame {
  node: SyntaxNode;
  next: SyntaxNode | null;
  kids: Inferred[];
}

/**
 * Infer the type (and labels) of `root`, collecting Prometheus' type errors. Iterative: any depth.
 */
export function infer(expr: string, root: SyntaxNode, options: InferOptions = {}): Inferred {
  const walker = new Walker(expr, options);
  const stack: Frame[] = [{ node: root, next: walker.firstKid(root), kids: [] }];
  for (;;) {
    const top = stack[stack.length - 1];
    const next = top.next;
    if (next) {
      top.next = walker.nextKid(next);
      stack.push({ node: next, next: walker.firstKid(next), kids: [] });
      continue;
    }
    stack.pop();
    const result = walker.leave(top.node, top.kids);
    if (stack.length === 0) return result;
    stack[stack.length - 1].kids.push(result);
  }
}

/** The labels the result of `node` can carry. */
export function outputLabels(expr: string, node: SyntaxNode | null): LabelSet {
  if (!node) return ALL();
  if (node.name === "PromQL") node = topExpr(node);
  if (!node) return ALL();
  return infer(expr, node, { labels: true }).labels ?? ALL();
}

class Walker {
  readonly expr: string;
  readonly labels: boolean;
  readonly errors?: TypeError[];

  constructor(expr: string, options: InferOptions) {
    this.expr = expr;
    this.labels = options.labels === true;
    this.errors = options.errors;
  }

  /** The first expression child to visit under `node`. */
  firstKid(node: SyntaxNode): SyntaxNode | null {
    // Selectors' and literals' children are tokens and matchers, read directly.
    if (node.name === "VectorSelector" || !EXPR_NODES.has(node.name) && node.name !== "PromQL") {
      return null;
    }
    const body = node.name === "FunctionCall" || node.name === "AggregateExpr"
      ? child(node, "FunctionCallBody")
      : node;
    return this.exprFrom(body?.firstChild ?? null);
  }

  nextKid(node: SyntaxNode): SyntaxNode | null {
    return this.exprFrom(node.nextSibling);
  }

  exprFrom(c: SyntaxNode | null): SyntaxNode | null {
    while (c && (c.type.isError || !EXPR_NODES.has(c.name))) c = c.nextSibling;
    return c;
  }

  error(from: number, to: number, message: string): void {
    this.errors?.push({ from, to, message });
  }

  expect(node: SyntaxNode, got: Inferred | undefined, want: ValueType, context: string): void {
    if (got && got.type !== want) {
      this.error(
        node.from,
        node.to,
        `expected type ${DOCUMENTED[want]} in ${context}, got ${DOCUMENTED[got.type]}`,
      );
    }
  }

  /** Zero durations are refused by Prometheus' parseDuration (both 2.x and 3.x). */
  checkDuration(node: SyntaxNode | null): void {
    if (!node || !this.errors) return;
    let lit: SyntaxNode | null = node;
    while (lit && lit.name !== "NumberDurationLiteralInDurationContext") {
      // `-5m` in an offset: OffsetDurationExpr(UnaryOp, OffsetDurationExpr(literal)).
      let inner: SyntaxNode | null = null;
      let count = 0;
      for (let c: SyntaxNode | null = lit.firstChild; c; c = c.nextSibling) {
        if (c.name === "UnaryOp" || c.name === "LineComment") continue;
        inner = c;
        count++;
      }
      lit = count === 1 ? inner : null;
    }
    if (!lit) return;
    const text = this.expr.slice(lit.from, lit.to);
    if (!/[a-z]/.test(text)) return;
    const d = parseDuration(text);
    if ("ms" in d && d.ms === 0) this.error(lit.from, lit.to, "duration must be greater than 0");
  }

  leave(node: SyntaxNode, kids: Inferred[]): Inferred {
    switch (node.name) {
      case "PromQL":
        return kids[0] ?? { type: "none" };
      case "NumberLiteral":
      case "NumberDurationLiteral":
        return { type: "scalar", labels: this.labels ? NONE() : undefined };
      case "StringLiteral":
        return { type: "string", labels: this.labels ? NONE() : undefined };
      case "VectorSelector":
        return { type: "vector", labels: this.labels ? ALL() : undefined };
      case "ParenExpr":
      case "AnchoredExpr":
      case "SmoothedExpr":
        return kids[0] ?? { type: "none" };
      case "UnaryExpr":
        return this.unary(node, kids[0]);
      case "MatrixSelector":
        return this.matrix(node, kids[0]);
      case "SubqueryExpr":
        return this.subquery(node, kids[0]);
      case "OffsetExpr":
        return this.modifier(node, kids[0], "offset");
      case "StepInvariantExpr":
        return this.modifier(node, kids[0], "@");
      case "BinaryExpr":
        return this.binary(node, kids[0], kids[1]);
      case "AggregateExpr":
        return this.aggregate(node, kids);
      case "FunctionCall":
        return this.call(node, kids);
    }
    return { type: "none" };
  }

  unary(node: SyntaxNode, x: Inferred | undefined): Inferred {
    if (!x) return { type: "none" };
    if (x.type !== "scalar" && x.type !== "vector") {
      this.error(
        node.from,
        node.to,
        `unary expression only allowed on expressions of type scalar or instant vector, got "${
          DOCUMENTED[x.type]
        }"`,
      );
    }
    return x;
  }

  matrix(node: SyntaxNode, x: Inferred | undefined): Inferred {
    const inner = this.exprFrom(node.firstChild);
    const open = this.expr.indexOf("[", inner?.to ?? node.from);
    if (inner && inner.name !== "VectorSelector") {
      const message = inner.name === "OffsetExpr"
        ? "no offset modifiers allowed before range"
        : inner.name === "StepInvariantExpr"
        ? "no @ modifiers allowed before range"
        : "ranges only allowed for vector selectors";
      this.error(open === -1 ? node.from : open, node.to, message);
    }
    this.checkDuration(child(node, "DurationExpr"));
    return { type: "matrix", labels: x?.labels };
  }

  subquery(node: SyntaxNode, x: Inferred | undefined): Inferred {
    if (x && x.type !== "vector") {
      this.error(
        node.from,
        node.to,
        `subquery is only allowed on instant vector, got ${x.type} instead`,
      );
    }
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === "DurationExpr") this.checkDuration(c);
    }
    return { type: "matrix", labels: x?.labels };
  }

  /** `offset` and `@`: only on selectors and subqueries, once each. */
  modifier(node: SyntaxNode, x: Inferred | undefined, which: "offset" | "@"): Inferred {
    let inner = this.exprFrom(node.firstChild);
    const other = which === "offset" ? "StepInvariantExpr" : "OffsetExpr";
    const self = which === "offset" ? "OffsetExpr" : "StepInvariantExpr";
    let twice = false;
    while (inner && (inner.name === other || inner.name === self)) {
      if (inner.name === self) twice = true;
      inner = this.exprFrom(inner.firstChild);
    }
    if (twice) {
      this.error(
        node.from,
        node.to,
        which === "offset"
          ? "offset may not be set multiple times"
          : "@ <timestamp> may not be set multiple times",
      );
    } else if (
      inner && inner.name !== "VectorSelector" && inner.name !== "MatrixSelector" &&
      inner.name !== "SubqueryExpr"
    ) {
      this.error(
        node.from,
        node.to,
        `${
          which === "offset" ? "offset modifier" : "@ modifier"
        } must be preceded by an instant vector selector or range vector selector or a subquery`,
      );
    }
    if (which === "offset") this.checkDuration(child(node, "OffsetDurationExpr"));
    return x ?? { type: "none" };
  }

  binary(node: SyntaxNode, l: Inferred | undefined, r: Inferred | undefined): Inferred {
    if (!l || !r) return l ?? r ?? { type: "none" };
    const op = binaryOp(node);
    const lhs = this.exprFrom(node.firstChild)!;
    const rhs = this.exprFrom(lhs.nextSibling)!;
    let opFrom = lhs.to, opTo = rhs.from;
    for (let c = lhs.nextSibling; c && c !== rhs && c.from < rhs.from; c = c.nextSibling) {
      if (c.name === op) {
        opFrom = c.from;
        opTo = c.to;
      }
    }
    const returnBool = child(node, "BoolModifier") !== null;
    const comparison = COMPARISON.has(op);
    const setOp = SET_OPS.has(op);
    const match = child(node, "MatchingModifierClause");
    const on = match ? child(match, "On") !== null : false;
    const groupLeft = match ? child(match, "GroupLeft") !== null : false;
    const groupRight = match ? child(match, "GroupRight") !== null : false;
    const lists = match ? match.getChildren("GroupingLabels") : [];
    const matching = match && (on || child(match, "Ignoring"))
      ? labelList(this.expr, lists[0])
      : [];
    const include = groupLeft || groupRight
      ? labelList(this.expr, (on || (match && child(match, "Ignoring"))) ? lists[1] : lists[0])
      : [];
    if (this.errors) {
      if (returnBool && !comparison) {
        this.error(opFrom, opTo, "bool modifier can only be used on comparison operators");
      }
      if (comparison && !returnBool && l.type === "scalar" && r.type === "scalar") {
        this.error(opFrom, opTo, "comparisons between scalars must use BOOL modifier");
      }
      if (on) {
        for (const l1 of matching) {
          if (include.includes(l1)) {
            this.error(opFrom, opTo, `label "${l1}" must not occur in ON and GROUP clause at once`);
          }
        }
      }
      if (l.type !== "scalar" && l.type !== "vector") {
        this.error(
          lhs.from,
          lhs.to,
          "binary expression must contain only scalar and instant vector types",
        );
      }
      if (r.type !== "scalar" && r.type !== "vector") {
        this.error(
          rhs.from,
          rhs.to,
          "binary expression must contain only scalar and instant vector types",
        );
      }
      if (l.type !== "vector" || r.type !== "vector") {
        if (matching.length > 0) {
          this.error(node.from, node.to, "vector matching only allowed between instant vectors");
        }
      } else if (setOp && (groupLeft || groupRight)) {
        this.error(node.from, node.to, `no grouping allowed for "${OP_TEXT[op]}" operation`);
        this.error(node.from, node.to, "set operations must always be many-to-many");
      }
      if ((l.type === "scalar" || r.type === "scalar") && setOp) {
        this.error(
          node.from,
          node.to,
          `set operator "${OP_TEXT[op]}" not allowed in binary scalar expression`,
        );
      }
    }
    const type: ValueType = l.type === "scalar" && r.type === "scalar" ? "scalar" : "vector";
    if (!this.labels) return { type };
    const ll = l.labels ?? ALL(), rl = r.labels ?? ALL();
    let labels: LabelSet;
    if (type === "scalar") labels = NONE();
    else if (l.type === "scalar") labels = rl;
    else if (r.type === "scalar") labels = ll;
    else if (op === "Or") labels = union(ll, rl);
    else if (setOp) labels = ll;
    else if (groupLeft || groupRight) {
      // The "many" side keeps its labels; included labels come from the "one" side.
      const one = groupLeft ? rl : ll;
      labels = groupLeft ? ll : rl;
      for (const name of include) {
        labels = mayHave(one, name) ? withLabel(labels, name) : withoutLabel(labels, name);
      }
    } else if (on) {
      labels = { all: false, only: new Set(matching.filter((x) => mayHave(ll, x))) };
    } else {
      labels = ll;
      for (const name of matching) labels = withoutLabel(labels, name);
    }
    return { type, labels };
  }

  aggregate(node: SyntaxNode, args: Inferred[]): Inferred {
    const op = child(node, "AggregateOp")?.firstChild?.name ?? "";
    const argNodes = exprChildren(node);
    if (this.errors) {
      if (args.length === 0) {
        this.error(node.from, node.to, "no arguments for aggregate expression provided");
      } else {
        const want = WITH_PARAM.has(op) ? 2 : 1;
        if (args.length !== want) {
          this.error(
            node.from,
            node.to,
            `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`,
          );
        } else {
          this.expect(argNodes[want - 1], args[want - 1], "vector", "aggregation expression");
          if (op === "CountValues") {
            this.expect(argNodes[0], args[0], "string", "aggregation parameter");
          } else if (want === 2) {
            this.expect(argNodes[0], args[0], "scalar", "aggregation parameter");
          }
        }
      }
    }
    if (!this.labels) return { type: "vector" };
    const inner = args[args.length - 1]?.labels ?? ALL();
    if (KEEPS_SERIES.has(op)) return { type: "vector", labels: inner };
    const mod = child(node, "AggregateModifier");
    let labels: LabelSet;
    if (!mod) labels = NONE();
    else if (child(mod, "By")) {
      const by = labelList(this.expr, child(mod, "GroupingLabels"));
      labels = { all: false, only: new Set(by.filter((x) => mayHave(inner, x))) };
    } else {
      labels = inner;
      for (const name of labelList(this.expr, child(mod, "GroupingLabels"))) {
        labels = withoutLabel(labels, name);
      }
    }
    if (op === "CountValues" && argNodes[0]?.name === "StringLiteral") {
      const label = unquote(this.expr.slice(argNodes[0].from, argNodes[0].to));
      if (label !== undefined) labels = withLabel(labels, label);
    }
    return { type: "vector", labels };
  }

  call(node: SyntaxNode, args: Inferred[]): Inferred {
    const name = functionName(this.expr, node);
    const sig = FUNCTIONS.get(name);
    if (!sig) return { type: "none", labels: this.labels ? ALL() : undefined };
    const [argTypes, variadic, returns] = sig;
    const argNodes = exprChildren(node);
    if (this.errors) {
      const nargs = argTypes.length;
      if (variadic === 0) {
        if (nargs !== args.length) {
          this.error(
            node.from,
            node.to,
            `expected ${nargs} argument(s) in call to "${name}", got ${args.length}`,
          );
        }
      } else {
        const na = nargs - 1;
        if (na > args.length) {
          this.error(
            node.from,
            node.to,
            `expected at least ${na} argument(s) in call to "${name}", got ${args.length}`,
          );
        } else if (variadic > 0 && na + variadic < args.length) {
          this.error(
            node.from,
            node.to,
            `expected at most ${
              na + variadic
            } argument(s) in call to "${name}", got ${args.length}`,
          );
        }
      }
      for (let i = 0; i < args.length; i++) {
        let j = i;
        if (j >= nargs) {
          if (variadic === 0) break;
          j = nargs - 1;
        }
        this.expect(argNodes[i], args[i], SIG_TYPES[argTypes[j]], `call to function "${name}"`);
      }
    }
    const type = SIG_TYPES[returns] ?? "none";
    if (!this.labels) return { type };
    return { type, labels: this.callLabels(name, argNodes, args, type) };
  }

  callLabels(name: string, argNodes: SyntaxNode[], args: Inferred[], type: ValueType): LabelSet {
    if (type === "scalar" || name === "vector" || args.length === 0) return NONE();
    if (name === "absent" || name === "absent_over_time") {
      // Only the labels of the argument's equality matchers, when it is a selector.
      const only = new Set<string>();
      let sel: SyntaxNode | null = argNodes[0];
      if (sel?.name === "MatrixSelector") sel = this.exprFrom(sel.firstChild);
      if (sel?.name === "VectorSelector") {
        for (const m of selectorMatchers(this.expr, sel)) {
          if (m.op === "=" && m.label !== "__name__" && m.value !== "") only.add(m.label);
        }
      }
      return { all: false, only };
    }
    if (name === "info") return ALL();
    // The first vector or range-vector argument carries the labels.
    const i = args.findIndex((a) => a.type === "vector" || a.type === "matrix");
    let set = i === -1 ? NONE() : args[i].labels ?? ALL();
    if ((name === "label_replace" || name === "label_join") && argNodes[1]) {
      const dst = unquote(this.expr.slice(argNodes[1].from, argNodes[1].to));
      if (dst !== undefined) set = withLabel(set, dst);
    }
    if (name === "histogram_quantile" || name === "histogram_fraction") {
      set = withoutLabel(set, "le");
    }
    return set;
  }
}

/** A label matcher of a selector. */
export interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
  from: number;
  to: number;
  /** Where the value's string literal starts. */
  valueFrom: number;
  /** A bare quoted metric name (`{"foo"}`, Prometheus 3). */
  bare?: true;
}

const OPS: Record<string, Matcher["op"]> = {
  EqlSingle: "=",
  Neq: "!=",
  EqlRegex: "=~",
  NeqRegex: "!~",
};

/** The label matchers of a VectorSelector node (quoted metric names as `__name__="…"`). */
export function selectorMatchers(expr: string, node: SyntaxNode): Matcher[] {
  const out: Matcher[] = [];
  const list = child(node, "LabelMatchers");
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name === "QuotedLabelName") {
      const s = child(m, "StringLiteral");
      const v = s ? unquote(expr.slice(s.from, s.to)) : undefined;
      if (v !== undefined) {
        out.push({
          label: "__name__",
          op: "=",
          value: v,
          from: m.from,
          to: m.to,
          valueFrom: m.from,
          bare: true,
        });
      }
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
    if (!nameNode || !op || !lit || !Object.hasOwn(OPS, op)) continue;
    let label = expr.slice(nameNode.from, nameNode.to);
    if (nameNode.name === "QuotedLabelName") label = unquote(label) ?? label;
    const value = unquote(expr.slice(lit.from, lit.to));
    if (value === undefined) continue;
    out.push({ label, op: OPS[op], value, from: m.from, to: m.to, valueFrom: lit.from });
  }
  return out;
}

/** `set` with `label` possible. */
export function withLabel(set: LabelSet, label: string): LabelSet {
  if (set.all) {
    if (!set.removed.has(label)) return set;
    const removed = new Set(set.removed);
    removed.delete(label);
    return { all: true, removed };
  }
  if (set.only.has(label)) return set;
  return { all: false, only: new Set([...set.only, label]) };
}

/** `set` without `label`. */
export function withoutLabel(set: LabelSet, label: string): LabelSet {
  if (set.all) {
    if (set.removed.has(label)) return set;
    return { all: true, removed: new Set([...set.removed, label]) };
  }
  if (!set.only.has(label)) return set;
  const only = new Set(set.only);
  only.delete(label);
  return { all: false, only };
}

/** Labels either side can carry. */
export function union(a: LabelSet, b: LabelSet): LabelSet {
  if (a.all && b.all) {
    return { all: true, removed: new Set([...a.removed].filter((l) => b.removed.has(l))) };
  }
  if (a.all) {
    return { all: true, removed: new Set([...a.removed].filter((l) => !mayHave(b, l))) };
  }
  if (b.all) return union(b, a);
  return { all: false, only: new Set([...a.only, ...b.only]) };
}
