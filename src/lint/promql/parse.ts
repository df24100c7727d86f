/**
 * PromQL parsing and type checking for rule expressions.
 *
 * The grammar is `@prometheus-io/lezer-promql`; the type checker is `@prometheus-io/codemirror-promql`'s
 * `Parser` (a port of Prometheus' checker). That class is not exported from the package index and
 * its ESM build has extension-less imports Deno cannot resolve, so its CommonJS build is loaded
 * with `createRequire`, together with the exact lezer-promql it was built against (the checker
 * compares node type ids). In `--prometheus 2` mode, `@prometheus-io/lezer-promql@0.42.0`
 * (Prometheus 2.42's grammar) decides the syntax. Recent results are cached by expression text
 * (a small cache: trees of thousands of rules are not kept).
 *
 * @module
 */
import { createRequire } from "node:module";
import { parser as lezer242 } from "lezer-promql-v2";
import type { SyntaxNode, Tree } from "./tree.ts";
import type { PromVersion } from "../model.ts";
import { checkRegex } from "./regex.ts";
import { unquote } from "./strings.ts";

const require = createRequire(import.meta.url);
const checkerPath = require.resolve(
  "@prometheus-io/codemirror-promql/dist/cjs/parser/parser.js",
);
const checkerRequire = createRequire(checkerPath);
// The checker needs only `syntaxTree(state)` from @codemirror/language, which would load the
// whole editor (@codemirror/view, state, …: ~25 MB of RSS and 100 ms). A stub serves it.
const languagePath = checkerRequire.resolve("@codemirror/language");
checkerRequire.cache[languagePath] = {
  id: languagePath,
  filename: languagePath,
  loaded: true,
  exports: { syntaxTree: (state: { field(): { tree: Tree } }) => state.field().tree },
} as unknown as NodeJS.Module;
// deno-lint-ignore no-explicit-any
const { Parser: Checker } = require(checkerPath) as { Parser: any };
const lezer = checkerRequire("@prometheus-io/lezer-promql") as {
  parser: { parse(input: string): Tree };
};

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
  shared: Record<string, unknown>;
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
 * Valid expressions by {@link numberShape}: expressions that differ only in the digits of number
 * literals of the same length (thresholds, quantiles: most of a large rule file) have the same
 * tree, node positions included, and the same verdict, so they are parsed once. Checks read names,
 * labels and values from each expression's own text at those positions.
 */
const shapes = new Map<string, ParsedExpr>();

/** Parse and type-check `expr` as Prometheus `version` would; cached by shape. */
export function parsePromql(expr: string, version: PromVersion): ParsedExpr {
  const key = version + numberShape(expr);
  const hit = shapes.get(key);
  if (hit) return hit.expr === expr ? hit : { ...hit, expr };
  const parsed = analyze(expr, version);
  if (parsed.errors.length === 0) {
    if (shapes.size >= 512) shapes.delete(shapes.keys().next().value!);
    shapes.set(key, parsed);
  }
  return parsed;
}

/**
 * `expr` with every digit of its decimal number literals replaced by 1 (same length, same
 * tokens); strings, identifiers and durations are left alone.
 */
export function numberShape(expr: string): string {
  let out = "";
  let last = 0;
  const n = expr.length;
  for (let i = 0; i < n; i++) {
    const c = expr.charCodeAt(i);
    if (c === 34 || c === 39 || c === 96) { // a string: skip it
      let j = i + 1;
      while (j < n && expr.charCodeAt(j) !== c) j += expr.charCodeAt(j) === 92 && c !== 96 ? 2 : 1;
      i = j;
      continue;
    }
    if (c === 35) { // a comment: to the end of the line
      while (i < n && expr.charCodeAt(i) !== 10) i++;
      continue;
    }
    const digit = c >= 48 && c <= 57;
    if (!digit && c !== 46) continue;
    const prev = i > 0 ? expr[i - 1] : " ";
    if (/[\w.:]/.test(prev)) {
      // Inside an identifier or a longer token: skip the rest of the word.
      while (i + 1 < n && /[\w.:]/.test(expr[i + 1])) i++;
      continue;
    }
    const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(expr.slice(i, i + 64));
    if (!m || m[0] === ".") continue;
    const end = i + m[0].length;
    if (end < n && /[\w.:]/.test(expr[end])) {
      // A duration (5m), a hex number or an identifier: not a plain decimal literal.
      while (i + 1 < n && /[\w.:]/.test(expr[i + 1])) i++;
      continue;
    }
    out += expr.slice(last, i) + m[0].replace(/\d/g, "1");
    last = end;
    i = end - 1;
  }
  return last === 0 ? expr : out + expr.slice(last);
}

function analyze(expr: string, version: PromVersion): ParsedExpr {
  const tree = lezer.parser.parse(expr);
  const { error, nodes } = collect(tree);
  const result: ParsedExpr = { expr, tree, errors: [], nodes, shared: {} };
  if (expr.trim() === "") {
    result.errors.push({ from: 0, to: expr.length, message: "no expression found in input" });
    return result;
  }
  let syntaxError: PromqlError | undefined;
  if (version === 3) {
    if (error) syntaxError = describeError(expr, error, version);
  } else if (error || !compatible242(expr, tree)) {
    // 2.42's grammar decides, unless the current tree holds only what 2.42 parses the same way
    // (checked node by node): that saves a second parse of nearly every expression.
    syntaxError = firstSyntaxError(expr, parse242(expr), version);
    // 2.42's grammar accepts what the current one does not (holt_winters): trust the old one,
    // without type checks.
    if (!syntaxError && error) return result;
  }
  if (syntaxError) {
    result.errors.push(syntaxError);
    return result;
  }
  const shape = version + typeShape(expr);
  if (!cleanShapes.has(shape)) {
    try {
      const state = {
        sliceDoc: (from = 0, to = expr.length) => expr.slice(from, to),
        field: () => ({ tree }),
      };
      const checker = new Checker(state);
      checker.analyze();
      const seen = new Set<string>();
      for (const d of checker.getDiagnostics() as (PromqlError & { severity: string })[]) {
        if (d.severity !== "error") continue;
        const message = promtoolWords(d.message);
        const k = `${d.from}:${message}`;
        if (seen.has(k)) continue;
        seen.add(k);
        result.errors.push({ from: d.from, to: d.to, message });
      }
    } catch (e) {
      result.errors.push({ from: 0, to: expr.length, message: `could not check expression: ${e}` });
    }
    if (result.errors.length === 0 && cleanShapes.size < 10_000) cleanShapes.add(shape);
  }
  checkMatchers(expr, nodes.get("VectorSelector") ?? [], version, result.errors);
  return result;
}

/**
 * Expression shapes the type checker found clean. The checker's verdict depends on types, not on
 * literal values, except whether a string is empty (matchers) — so expressions that differ only
 * in numbers and non-empty strings (thresholds, label values: most of a large rule file) are type
 * checked once. Regexes and empty matchers are still checked on every expression.
 */
const cleanShapes = new Set<string>();

/** The expression with number literals and non-empty strings replaced by placeholders. */
export function typeShape(expr: string): string {
  return expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, (s) => (s.length > 2 ? '"s"' : '""'))
    .replace(/(?<![\w.:])(?:0[xX][0-9a-fA-F]+|\d*\.?\d+(?:[eE][-+]?\d+)?)(?![\w.:])/g, "1");
}

function parse242(expr: string): Tree {
  return (lezer242 as unknown as { parse(s: string): Tree }).parse(expr);
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
const LEAVES_242 = new Set(["MatchOp", "AtModifierPreprocessors"]);
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
const functions242 = new Map<string, boolean>();

/** Whether Prometheus 2.42 has the function (asks its grammar once per name). */
function knownIn242(name: string): boolean {
  let known = functions242.get(name);
  if (known === undefined) {
    const cursor = parse242(`${name}()`).cursor();
    known = true;
    do {
      if (cursor.type.isError) known = false;
    } while (cursor.next());
    functions242.set(name, known);
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
export function compatible242(expr: string, tree: Tree = lezer.parser.parse(expr)): boolean {
  const c = tree.cursor();
  const visit = (): boolean => {
    const name = c.name;
    const text = () => expr.slice(c.from, c.to);
    if (name === "FunctionIdentifier") return knownIn242(text());
    if (name === "AggregateOp") {
      return c.firstChild() && AGGREGATIONS_242.has(c.name) && c.parent();
    }
    if (name === "NumberDurationLiteral") return NUMBER_242.test(text());
    if (name === "NumberDurationLiteralInDurationContext") {
      const t = text();
      return /[a-z]/.test(t) && DURATION_242.test(t);
    }
    if (name === "DurationExpr") {
      if (!c.firstChild()) return false;
      const ok = c.name === "NumberDurationLiteralInDurationContext" && visit() && !c.nextSibling();
      c.parent();
      return ok;
    }
    if (LEAVES_242.has(name)) return true;
    if (!SAME_IN_242.has(name)) return false;
    if (c.firstChild()) {
      do {
        if (!visit()) return false;
      } while (c.nextSibling());
      c.parent();
    }
    return true;
  };
  return visit();
}

/** Use Prometheus' words for value types. */
function promtoolWords(message: string): string {
  return message.replace(
    /\b(type|got) (matrix|vector)\b/g,
    (_, w, t) => `${w} ${t === "matrix" ? "range vector" : "instant vector"}`,
  );
}

/** Check regex matchers (RE2 syntax) and that every selector has a non-empty matcher. */
function checkMatchers(
  expr: string,
  selectorNodes: SyntaxNode[],
  version: PromVersion,
  errors: PromqlError[],
): void {
  for (const node of selectorNodes) {
    let hasName = node.getChild("Identifier") !== null;
    let allEmpty = true;
    const matchers = node.getChild("LabelMatchers");
    if (!matchers) continue;
    for (let m = matchers.firstChild; m; m = m.nextSibling) {
      if (m.name === "QuotedLabelName") {
        hasName = true;
        continue;
      }
      const op = m.getChild("MatchOp")?.firstChild?.name;
      const lit = m.getChild("StringLiteral");
      if (!op || !lit) continue;
      const value = unquote(expr.slice(lit.from, lit.to));
      if (value === undefined) continue;
      let matchesEmpty = false;
      if (op === "EqlRegex" || op === "NeqRegex") {
        const re = checkRegex(value, version);
        if ("error" in re) {
          errors.push({
            from: lit.from,
            to: lit.to,
            message: `invalid regular expression ${JSON.stringify(value)}: ${re.error}`,
          });
          allEmpty = false;
          continue;
        }
        matchesEmpty = op === "EqlRegex" ? re.matches("") : !re.matches("");
      } else {
        matchesEmpty = op === "EqlSingle" ? value === "" : value !== "";
      }
      if (!matchesEmpty) allEmpty = false;
    }
    if (!hasName && allEmpty && !errors.some((e) => e.from === node.from)) {
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
