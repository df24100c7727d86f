/**
 * PromQL parsing and type checking for rule expressions.
 *
 * The grammar is `@prometheus-io/lezer-promql`; the type checks are Prometheus' own, ported in
 * `infer.ts` (an iterative walk: any length or depth). In `--prometheus 2` mode,
 * `@prometheus-io/lezer-promql@0.42.0` (Prometheus 2.42's grammar) decides the syntax. Valid
 * results are cached per run by expression shape (a bounded cache: trees of thousands of rules
 * are not kept).
 *
 * @module
 */
import { parser as lezer } from "@prometheus-io/lezer-promql";
import { parser as lezer242 } from "lezer-promql-v2";
import type { SyntaxNode, Tree } from "./tree.ts";
import type { PromVersion } from "../model.ts";
import { checkRegex } from "./regex.ts";
import { infer, type LabelSet, selectorMatchers, topExpr, type ValueType } from "./infer.ts";
import type { Selector } from "./ast.ts";
import type { ExprFinding } from "../analysis.ts";
import { RunCache } from "../cache.ts";
import { numberShape } from "../shape.ts";

export { numberShape };

interface LezerParser {
  startParse(input: string): { advance(): Tree | null };
}

/**
 * Parse without lezer's cut-off for long left-associative chains: after 300 reductions of 2,000+
 * characters from one start (`a or b or …` beyond ~400 terms) lezer forces the production closed
 * and reports a syntax error where Prometheus parses fine. That guard protects editors from trees
 * too deep to recurse through; the linter walks trees iteratively ({@link infer}). It is switched
 * off on the parse object, without touching the library: the counter only starts when a big
 * reduction is larger than `lastBigReductionSize`, which is set to Infinity (a plain field write;
 * an accessor property on lezer's parse object was slower: 5,000 real-world expressions took
 * 1.48 s against 0.81 s in the first pass, 0.87 s against 0.75 s in the second, loaded machine).
 */
export function parseTree(parser: unknown, input: string): Tree {
  const parse = (parser as LezerParser).startParse(input) as {
    advance(): Tree | null;
    lastBigReductionSize: number;
  };
  if (input.length >= 2000) parse.lastBigReductionSize = Infinity;
  for (;;) {
    const tree = parse.advance();
    if (tree) return tree;
  }
}

/** A PromQL problem, at offsets relative to the expression. */
export interface PromqlError {
  from: number;
  to: number;
  message: string;
}

/** A parsed expression: the (current grammar's) tree, and its errors. */
export interface ParsedExpr {
  expr: string;
  /** The tree from the current grammar (node names are shared by both grammar versions). */
  tree: Tree;
  /** Errors; empty when the expression is valid for the version. */
  errors: PromqlError[];
  /** Selector, function-call and binary-expression nodes of the tree, in source order. */
  nodes: Map<string, SyntaxNode[]>;
  /**
   * Facts derived from the tree and the expression's names and strings, shared by every
   * expression of the same number shape (see {@link numberShape}).
   */
  shared: ShapeFacts;
  /**
   * The tree is deeper than lezer builds in full (2,500 levels; deeper parts are flattened):
   * only syntax and matchers are checked, and checks beyond promtool skip the expression.
   */
  deep?: true;
  /** The expression's type, when it is valid. */
  type?: ValueType;
}

/** What checks derive once per expression shape (names, labels, strings; never numbers). */
export interface ShapeFacts {
  selectors?: Selector[];
  labels?: LabelSet;
  /** Findings by check name, with what else they depend on. */
  findings: Map<string, { context: unknown; found: ExprFinding[] }>;
}

const COLLECTED = new Set(["VectorSelector", "FunctionCall", "BinaryExpr"]);

/** One walk over the tree: the first error node and the nodes the checks look at. */
function collect(tree: Tree): { error?: SyntaxNode; nodes: Map<string, SyntaxNode[]> } {
  const nodes = new Map<string, SyntaxNode[]>();
  let error: SyntaxNode | undefined;
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) {
      error ??= cursor.node;
      continue;
    }
    const name = cursor.name;
    if (COLLECTED.has(name)) {
      let list = nodes.get(name);
      if (!list) nodes.set(name, list = []);
      list.push(cursor.node);
    }
  } while (cursor.next());
  return { error, nodes };
}

/**
 * Parse and type-check `expr` as Prometheus `version` would. Valid results are cached in the
 * run's cache by {@link numberShape}: checks read names, labels and values from each
 * expression's own text at the shared tree's positions.
 */
export function parsePromql(
  expr: string,
  version: PromVersion,
  cache: RunCache = new RunCache(),
): ParsedExpr {
  const key = version + numberShape(expr);
  const hit = cache.expressions.get(key);
  if (hit) return hit.expr === expr ? hit : { ...hit, expr };
  const parsed = analyze(expr, version, cache);
  if (parsed.errors.length === 0) cache.expressions.set(key, parsed);
  return parsed;
}

/** Tree depth from which lezer flattens what is below (`CutOff.Depth` in @lezer/common). */
const LEZER_MAX_DEPTH = 2400;

/** The depth of a tree, iteratively; only computed for long expressions (depth needs length). */
function deepTree(expr: string, tree: Tree): boolean {
  if (expr.length < LEZER_MAX_DEPTH * 2) return false;
  let depth = 0, max = 0;
  (tree as Tree & { iterate(s: { enter(): void; leave(): void }): void }).iterate({
    enter: () => {
      if (++depth > max) max = depth;
    },
    leave: () => {
      depth--;
    },
  });
  return max >= LEZER_MAX_DEPTH;
}

function analyze(expr: string, version: PromVersion, cache: RunCache): ParsedExpr {
  let tree = parseTree(lezer, expr);
  let { error, nodes } = collect(tree);
  let text = expr; // what was parsed: the expression, or it with redundant nesting blanked
  if (error) {
    // lezer cuts its parse stack at ~2,800 levels of nesting, which Prometheus accepts:
    // redundant parentheses and pairs of unary signs are blanked (offsets kept) and parsed again;
    // still too deep, the expression is checked in parts ({@link divide}).
    const flat = collapseNesting(expr);
    if (flat !== expr) {
      const again = parseTree(lezer, flat);
      const found = collect(again);
      if (!found.error) ({ tree, error, nodes, text } = { tree: again, ...found, text: flat });
    }
    if (error && maxParenDepth(text) > SPLIT_DEPTH) {
      const parts = divide(expr, text, version, cache);
      if (parts) return parts;
    }
  }
  const result: ParsedExpr = { expr, tree, errors: [], nodes, shared: { findings: new Map() } };
  if (expr.trim() === "" || (!error && !topExpr(tree.topNode))) {
    result.errors.push({ from: 0, to: expr.length, message: "no expression found in input" });
    return result;
  }
  let syntaxError: PromqlError | undefined;
  if (version === 3) {
    if (error) syntaxError = describeError(expr, error, version);
  } else if (error || expr.length > 20_000 || !compatible242(expr, tree, cache)) {
    // 2.42's grammar decides, unless the current tree holds only what 2.42 parses the same way
    // (checked node by node): that saves a second parse of nearly every expression.
    syntaxError = firstSyntaxError(expr, parse242(text), version);
    // 2.42's grammar accepts what the current one does not (holt_winters): trust the old one,
    // without type checks.
    if (!syntaxError && error) return result;
  }
  if (syntaxError) {
    result.errors.push(syntaxError);
    return result;
  }
  const errors: PromqlError[] = [];
  if (deepTree(expr, tree)) {
    // lezer flattened what is below 2,500 tree levels: check nested parts on their own.
    // Too deeply nested, a too long chain, or a long chain inside brackets.
    const parts = maxParenDepth(text) > SPLIT_DEPTH
      ? divide(expr, text, version, cache)
      : divideChain(expr, text, version, cache) ?? divide(expr, text, version, cache, 1);
    if (parts) return parts;
    result.deep = true;
  } else result.type = infer(expr, tree.topNode, { errors }).type;
  checkMatchers(expr, nodes.get("VectorSelector") ?? [], version, errors, cache);
  errors.sort((a, b) => a.from - b.from);
  const seen = new Set<string>();
  for (const e of errors) {
    const k = `${e.from}:${e.message}`;
    if (!seen.has(k)) result.errors.push(e);
    seen.add(k);
  }
  return result;
}

function parse242(expr: string): Tree {
  return parseTree(lezer242, expr);
}

/** Node types that Prometheus 2.42's grammar parses the same way (their children are checked). */
const SAME_IN_242 = new Set([
  "PromQL",
  "BinaryExpr",
  "Add",
  "Sub",
  "Mul",
  "Div",
  "Mod",
  "Pow",
  "Atan2",
  "Eql",
  "Neq",
  "Gtr",
  "Lss",
  "Gte",
  "Lte",
  "And",
  "Or",
  "Unless",
  "BoolModifier",
  "Bool",
  "MatchingModifierClause",
  "On",
  "Ignoring",
  "GroupLeft",
  "GroupRight",
  "GroupingLabels",
  "LabelName",
  "AggregateExpr",
  "AggregateModifier",
  "By",
  "Without",
  "FunctionCall",
  "FunctionCallBody",
  "VectorSelector",
  "Identifier",
  "LabelMatchers",
  "UnquotedLabelMatcher",
  "StringLiteral",
  "MatrixSelector",
  "ParenExpr",
  "UnaryExpr",
  "UnaryOp",
  "SubqueryExpr",
  "OffsetExpr",
  "Offset",
  "OffsetDurationExpr",
  "StepInvariantExpr",
  "At",
]);
/** Leaf-holding nodes accepted with any children. */
const LEAVES_242 = new Set(["MatchOp", "AtModifierPreprocessors", "LineComment"]);
const AGGREGATIONS_242 = new Set([
  "Avg",
  "Bottomk",
  "Count",
  "CountValues",
  "Group",
  "Max",
  "Min",
  "Quantile",
  "Stddev",
  "Stdvar",
  "Sum",
  "Topk",
]);
const NUMBER_242 =
  /^[-+]?(0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?|[0-9]+\.([eE][-+]?[0-9]+)?|[iI][nN][fF]|[nN][aA][nN])$/;
const DURATION_242 = /^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$/;
/** Whether Prometheus 2.42 has the function (asks its grammar once per name and run). */
function knownIn242(name: string, cache: RunCache): boolean {
  let known = cache.functions242.get(name);
  if (known === undefined) {
    const cursor = parse242(`${name}()`).cursor();
    known = true;
    do {
      if (cursor.type.isError) known = false;
    } while (cursor.next());
    cache.functions242.set(name, known);
  }
  return known;
}

/** Whether 2.42's grammar has no error for `expr` (tests compare it with {@link compatible242}). */
export function parsesIn242(expr: string): boolean {
  const cursor = parse242(expr).cursor();
  do {
    if (cursor.type.isError) return false;
  } while (cursor.next());
  return true;
}

/**
 * Whether every node of the current grammar's tree is one that 2.42's grammar parses the same
 * way (then 2.42's parse can be skipped).
 */
export function compatible242(
  expr: string,
  tree: Tree = parseTree(lezer, expr),
  cache: RunCache = new RunCache(),
): boolean {
  // One iterative pass (deep trees): every node must be one 2.42 parses the same way.
  const c = tree.cursor();
  for (let more = true; more;) {
    const name = c.name;
    let enter = true;
    if (name === "FunctionIdentifier") {
      if (!knownIn242(expr.slice(c.from, c.to), cache)) return false;
      enter = false;
    } else if (name === "AggregateOp") {
      if (!c.firstChild()) return false;
      const ok = AGGREGATIONS_242.has(c.name);
      c.parent();
      if (!ok) return false;
      enter = false;
    } else if (name === "NumberDurationLiteral") {
      if (!NUMBER_242.test(expr.slice(c.from, c.to))) return false;
    } else if (name === "NumberDurationLiteralInDurationContext") {
      const text = expr.slice(c.from, c.to);
      if (!/[a-z]/.test(text) || !DURATION_242.test(text)) return false;
    } else if (name === "DurationExpr") {
      if (!c.firstChild()) return false;
      const ok = c.name === "NumberDurationLiteralInDurationContext" && !c.nextSibling();
      c.parent();
      if (!ok) return false;
    } else if (LEAVES_242.has(name)) {
      enter = false;
    } else if (!SAME_IN_242.has(name)) {
      return false;
    }
    more = c.next(enter);
  }
  return true;
}

/**
 * Check matchers as Prometheus does: regexes compile (RE2), every selector has a non-empty
 * matcher, and a metric name outside the braces is not set again inside them. Several
 * `__name__` matchers without a name outside (`{__name__=~"a_.*",__name__!="a_b"}`) are valid.
 */
function checkMatchers(
  expr: string,
  selectorNodes: SyntaxNode[],
  version: PromVersion,
  errors: PromqlError[],
  cache: RunCache,
): void {
  for (const node of selectorNodes) {
    const id = node.getChild("Identifier");
    if (!node.getChild("LabelMatchers")) continue;
    const matchers = selectorMatchers(expr, node);
    let allEmpty = id === null;
    let quotedNames = 0;
    for (const m of matchers) {
      if (m.bare) quotedNames++;
      let matchesEmpty: boolean;
      if (m.op === "=~" || m.op === "!~") {
        const re = checkRegex(m.value, version, cache);
        if ("error" in re) {
          errors.push({
            from: m.valueFrom,
            to: m.to,
            message: `invalid regular expression ${JSON.stringify(m.value)}: ${re.error}`,
          });
          allEmpty = false;
          continue;
        }
        matchesEmpty = m.op === "=~" ? re.matches("") : !re.matches("");
      } else {
        matchesEmpty = m.op === "=" ? m.value === "" : m.value !== "";
      }
      if (!matchesEmpty) allEmpty = false;
    }
    const names = matchers.filter((m) => m.label === "__name__");
    if (id && names.length > 0) {
      errors.push({
        from: node.from,
        to: node.to,
        message: `metric name must not be set twice: ${
          JSON.stringify(expr.slice(id.from, id.to))
        } or ${JSON.stringify(names[0].value)}`,
      });
    } else if (quotedNames > 1) {
      errors.push({
        from: node.from,
        to: node.to,
        message: `metric name must not be set twice: ${JSON.stringify(names[0].value)} or ${
          JSON.stringify(names[1].value)
        }`,
      });
    }
    if (allEmpty && !errors.some((e) => e.from === node.from)) {
      errors.push({
        from: node.from,
        to: node.to,
        message: "vector selector must contain at least one non-empty matcher",
      });
    }
  }
}

/** The first error node of a tree, described like Prometheus' parser would. */
function firstSyntaxError(expr: string, tree: Tree, version: PromVersion): PromqlError | undefined {
  let err: SyntaxNode | undefined;
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) {
      err = cursor.node;
      break;
    }
  } while (cursor.next());
  if (!err) return undefined;
  return describeError(expr, err, version);
}

function describeError(expr: string, err: SyntaxNode, version: PromVersion): PromqlError {
  const from = err.from;
  // At the end of the input: say what is left open.
  const rest = expr.slice(from).trim();
  if (rest === "") {
    const open = openBrackets(expr);
    if (open.quote) {
      return { from: open.quote.at, to: expr.length, message: "unterminated quoted string" };
    }
    const last = open.stack[open.stack.length - 1];
    if (last) {
      const what = last.c === "("
        ? "unclosed left parenthesis"
        : last.c === "{"
        ? "unexpected end of input inside braces"
        : "unclosed left bracket";
      return { from: last.at, to: expr.length, message: what };
    }
    return { from: expr.length, to: expr.length, message: "unexpected end of input" };
  }
  // An identifier followed by "(" that the grammar does not know is an unknown function.
  const id = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(expr.slice(wordStart(expr, from)));
  if (id) {
    const start = wordStart(expr, from);
    const after = expr.slice(start + id[0].length).trimStart();
    if (after.startsWith("(") && !KEYWORDS.has(id[0].toLowerCase())) {
      return {
        from: start,
        to: start + id[0].length,
        message: `unknown function with name ${JSON.stringify(id[0])}` +
          (version === 2 ? " (in Prometheus 2.42)" : ""),
      };
    }
  }
  const token =
    /^("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?|[a-zA-Z_:][a-zA-Z0-9_:]*|[0-9.]+[a-zA-Z]*|=~|!~|!=|==|>=|<=|\S)/
      .exec(rest)?.[0] ?? rest[0];
  const at = expr.indexOf(token, from);
  const hint = version === 2 && /^["'`]/.test(token) ? " (quoted names need Prometheus 3)" : "";
  return {
    from: at === -1 ? from : at,
    to: (at === -1 ? from : at) + token.length,
    message: `unexpected ${JSON.stringify(token)}${hint}`,
  };
}

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
]);

function wordStart(expr: string, i: number): number {
  while (i > 0 && /[a-zA-Z0-9_]/.test(expr[i - 1])) i--;
  while (i < expr.length && /\s/.test(expr[i])) i++;
  return i;
}

/** Brackets left open at the end of `expr`, and an unterminated quote. */
function openBrackets(
  expr: string,
): { stack: { c: string; at: number }[]; quote?: { at: number } } {
  const stack: { c: string; at: number }[] = [];
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === "`") {
      const at = i;
      i++;
      while (i < expr.length && expr[i] !== c) {
        if (expr[i] === "\\" && c !== "`") i++;
        i++;
      }
      if (i >= expr.length) return { stack, quote: { at } };
    } else if (c === "#") {
      while (i < expr.length && expr[i] !== "\n") i++;
    } else if (c === "(" || c === "{" || c === "[") stack.push({ c, at: i });
    else if (c === ")" || c === "}" || c === "]") stack.pop();
  }
  return { stack };
}

/**
 * `expr` with redundant nesting blanked out, offsets kept: the inner pair of `((x))` (not in a
 * grouping list, not around a comma list) and pairs of unary signs (`- - x`: the last one or two
 * kept, so the parity and the unary operator stay). Strings and comments are left alone.
 */
export function collapseNesting(expr: string): string {
  const n = expr.length;
  const match = new Int32Array(n).fill(-1);
  const comma = new Uint8Array(n); // an open paren whose group has a top-level comma
  const grouping = new Uint8Array(n); // an open paren of by/without/on/ignoring/group_x
  const significant: number[] = []; // offsets of significant characters, in order
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === "`") {
      significant.push(i);
      i++;
      while (i < n && expr[i] !== c) i += expr[i] === "\\" && c !== "`" ? 2 : 1;
      continue;
    }
    if (c === "#") {
      while (i < n && expr[i] !== "\n") i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\n" || c === "\r") continue;
    significant.push(i);
    if (c === "(") {
      const before = /(by|without|on|ignoring|group_left|group_right)\s*$/.exec(
        expr.slice(Math.max(0, i - 24), i),
      );
      if (before) grouping[i] = 1;
      stack.push(i);
    } else if (c === ")") {
      const open = stack.pop();
      if (open !== undefined) {
        match[open] = i;
        match[i] = open;
      }
    } else if (c === "," && stack.length) comma[stack[stack.length - 1]] = 1;
  }
  const out = expr.split("");
  const next = new Map<number, number>();
  for (let k = 0; k + 1 < significant.length; k++) next.set(significant[k], significant[k + 1]);
  const prev = new Map<number, number>();
  for (let k = 1; k < significant.length; k++) prev.set(significant[k], significant[k - 1]);
  for (const i of significant) {
    if (expr[i] !== "(" || match[i] === -1 || grouping[i]) continue;
    const inner = next.get(i);
    if (inner === undefined || expr[inner] !== "(" || match[inner] === -1 || comma[inner]) continue;
    if (grouping[inner] || prev.get(match[i]) !== match[inner]) continue;
    out[inner] = " ";
    out[match[inner]] = " ";
  }
  // Unary sign runs: a sign is unary when what precedes it cannot end an operand.
  let run: number[] = [];
  const flush = () => {
    const keep = run.length % 2 === 1 ? 1 : 2;
    for (let k = 0; k < run.length - keep; k++) out[run[k]] = " ";
    run = [];
  };
  let last = "";
  for (const i of significant) {
    const c = expr[i];
    if ((c === "-" || c === "+") && (run.length > 0 || !/[\w)\]}"'`]/.test(last))) {
      run.push(i);
    } else if (run.length) flush();
    last = c;
  }
  if (run.length) flush();
  return out.join("");
}

/** Parenthesis depth at which {@link divide} cuts a too-deep expression. */
const SPLIT_DEPTH = 400;

/** The deepest nesting of parentheses outside strings and comments. */
function maxParenDepth(expr: string): number {
  let depth = 0, max = 0;
  scanCode(expr, (c) => {
    if (c === "(") max = Math.max(max, ++depth);
    else if (c === ")") depth--;
  });
  return max;
}

/** Call `visit` for each character outside strings and comments. */
function scanCode(expr: string, visit: (c: string, i: number) => void): void {
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < expr.length && expr[i] !== c) i += expr[i] === "\\" && c !== "`" ? 2 : 1;
      continue;
    }
    if (c === "#") {
      while (i < expr.length && expr[i] !== "\n") i++;
      continue;
    }
    visit(c, i);
  }
}

const PLACEHOLDER: Record<ValueType, string> = {
  vector: "v",
  scalar: "1",
  matrix: "v[1m]",
  string: '""',
  none: "v",
};

/** A binary operator outside any brackets. */
interface TopOp {
  from: number;
  to: number;
  /** Prometheus' precedence: or 1, and/unless 2, comparisons 3, +- 4, * / % atan2 5, ^ 6. */
  prec: number;
}

const WORD_OPS: Record<string, number> = { or: 1, and: 2, unless: 2, atan2: 5 };
const SYMBOL_OPS: [string, number][] = [
  ["==", 3],
  ["!=", 3],
  [">=", 3],
  ["<=", 3],
  [">", 3],
  ["<", 3],
  ["+", 4],
  ["-", 4],
  ["*", 5],
  ["/", 5],
  ["%", 5],
  ["^", 6],
];
const MODIFIERS = new Set(["bool", "on", "ignoring", "group_left", "group_right", "offset"]);

/** The binary operators of `text` outside brackets, strings and comments, in order. */
function topLevelOps(text: string): TopOp[] {
  const ops: TopOp[] = [];
  let depth = 0;
  let operand = false; // whether what precedes can end an operand (then + - are binary)
  let groupKind = ""; // what opened the current top-level bracket group
  let lastWord = "";
  let lastChar = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === "\\" && c !== "`" ? 2 : 1;
      if (depth === 0) [operand, lastChar] = [true, c];
      continue;
    }
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") {
      if (depth++ === 0) {
        groupKind = c === "(" && (lastWord === "by" || lastWord === "without")
          ? (lastChar === ")" ? "trailing" : "leading")
          : c === "(" && MODIFIERS.has(lastWord)
          ? "modifier"
          : "operand";
      }
      continue;
    }
    if (c === ")" || c === "]" || c === "}") {
      if (--depth === 0) {
        operand = groupKind === "operand" || groupKind === "trailing";
        lastWord = "";
        lastChar = ")";
      }
      continue;
    }
    if (depth > 0 || c === " " || c === "\t" || c === "\n" || c === "\r") continue;
    const word = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text.slice(i, i + 64))?.[0];
    if (word) {
      const lower = word.toLowerCase();
      if (operand && Object.hasOwn(WORD_OPS, lower)) {
        ops.push({ from: i, to: i + word.length, prec: WORD_OPS[lower] });
        operand = false;
      } else if (MODIFIERS.has(lower) || lower === "by" || lower === "without") {
        operand = false;
      } else operand = true;
      lastWord = lower;
      lastChar = "w";
      i += word.length - 1;
      continue;
    }
    const num = /^(?:0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?[a-zA-Z0-9]*)/
      .exec(text.slice(i, i + 64))?.[0];
    if (num) {
      operand = true;
      lastWord = "";
      lastChar = "0";
      i += num.length - 1;
      continue;
    }
    const sym = SYMBOL_OPS.find(([t]) => text.startsWith(t, i));
    if (sym && operand) {
      ops.push({ from: i, to: i + sym[0].length, prec: sym[1] });
      operand = false;
      i += sym[0].length - 1;
    } else if (c === "@") operand = false;
    lastWord = "";
    lastChar = c;
  }
  return ops;
}

/** Most operators of one precedence level checked at once when a chain is cut. */
const CHAIN_PART = 1000;

/**
 * Check a chain of more operators than lezer builds a full tree for (`a or b or …` with thousands
 * of terms) in parts: the first {@link CHAIN_PART} terms of the lowest-precedence operator (the
 * last ones for right-associative `^`), a complete operand of the tree, are checked on their own
 * and replaced by a placeholder of their type; or, when that level is short, each operand between
 * its operators is. Undefined when the text has no such chain.
 */
function divideChain(
  expr: string,
  text: string,
  version: PromVersion,
  cache: RunCache,
): ParsedExpr | undefined {
  const ops = topLevelOps(text);
  if (ops.length < CHAIN_PART) return undefined;
  const lowest = Math.min(...ops.map((o) => o.prec));
  const level = ops.filter((o) => o.prec === lowest);
  const parts: [number, number][] = [];
  if (level.length > CHAIN_PART) {
    parts.push(
      lowest === 6
        ? [level[level.length - CHAIN_PART].to, text.length]
        : [0, level[CHAIN_PART - 1].from],
    );
  } else {
    const bounds = [-1, ...level.map((o) => o.from), text.length];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const from = k === 0 ? 0 : level[k - 1].to;
      parts.push([from, bounds[k + 1]]);
    }
  }
  return checkParts(expr, text, parts, version, cache);
}

/**
 * Check each part of `text` on its own and then the outer text with each part replaced by a
 * placeholder of its type; the first errors found are the result, at offsets of `text`. (The
 * parts are cut out rather than blanked: lezer misparses a long chain after thousands of spaces.)
 */
function checkParts(
  expr: string,
  text: string,
  parts: readonly [number, number][],
  version: PromVersion,
  cache: RunCache,
): ParsedExpr {
  const shift = (errors: PromqlError[], map: (o: number) => number) =>
    errors.map((e) => ({ ...e, from: map(e.from), to: map(e.to) }));
  // Outer text segments: [offset in the outer text, offset in `text`].
  const segments: [number, number][] = [];
  let outer = "";
  let cursor = 0;
  for (const [from, to] of [...parts].sort((x, y) => x[0] - y[0])) {
    const part = text.slice(from, to);
    const lead = part.length - part.trimStart().length;
    // Modifiers written after an operator (on (…), bool) stay with it in the outer text.
    const mod = /^(\s*(bool|on|ignoring|group_left|group_right)\b\s*(\([^()]*\))?)+/i.exec(
      part.slice(lead),
    );
    const start = from + lead + (mod ? mod[0].length : 0);
    const body = text.slice(start, to).trimEnd();
    if (body.trim() === "") continue;
    const sub = analyze(body, version, cache);
    if (sub.errors.length) {
      return { ...sub, errors: shift(sub.errors, (o) => o + start), expr, deep: true };
    }
    segments.push([outer.length, cursor]);
    outer += text.slice(cursor, start);
    outer += " ";
    segments.push([outer.length, start]);
    outer += `${PLACEHOLDER[sub.type ?? "vector"]} `;
    cursor = start + body.length;
  }
  segments.push([outer.length, cursor]);
  outer += text.slice(cursor);
  const back = (o: number) => {
    let k = segments.length - 1;
    while (k > 0 && segments[k][0] > o) k--;
    return segments[k][1] + Math.max(0, o - segments[k][0]);
  };
  const rest = analyze(outer, version, cache);
  return {
    ...rest,
    errors: shift(rest.errors, back),
    expr,
    deep: true,
    shared: { findings: new Map() },
  };
}

/**
 * Check an expression nested deeper than lezer parses (more than ~1,400 nested calls, which
 * Prometheus accepts) in parts: every parenthesised group at depth {@link SPLIT_DEPTH} is split
 * at its commas, each argument is checked on its own (the rest of the text blanked, so offsets
 * stay), and replaced in the outer text by a placeholder of its type (`v`, `1`, `v[1m]`, `""`)
 * padded to its length; the outer text, now shallower, is checked the same way. The verdict and
 * the errors are Prometheus'; the checks beyond promtool skip such an expression (`deep`).
 * Undefined when there is nothing to cut.
 */
function divide(
  expr: string,
  text: string,
  version: PromVersion,
  cache: RunCache,
  at = SPLIT_DEPTH,
): ParsedExpr | undefined {
  // Groups at the split depth, and the top-level commas inside each.
  const groups: { open: number; close: number; commas: number[] }[] = [];
  const stack: { open: number; commas: number[] }[] = [];
  scanCode(text, (c, i) => {
    if (c === "(") stack.push({ open: i, commas: [] });
    else if (c === ")") {
      const g = stack.pop();
      if (g && stack.length === at - 1) groups.push({ ...g, close: i });
    } else if (c === "," && stack.length === at) stack[stack.length - 1].commas.push(i);
  });
  if (groups.length === 0) return undefined;
  const parts: [number, number][] = [];
  for (const g of groups) {
    const bounds = [g.open, ...g.commas, g.close];
    for (let k = 0; k + 1 < bounds.length; k++) {
      // Parts without brackets are shallow, unless they are the long chain (depth 1).
      const part = text.slice(bounds[k] + 1, bounds[k + 1]);
      if (part.includes("(") || (at === 1 && part.length > CHAIN_PART)) {
        parts.push([bounds[k] + 1, bounds[k + 1]]);
      }
    }
  }
  return checkParts(expr, text, parts, version, cache);
}
