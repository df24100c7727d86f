/**
 * What checks need from one rule's expression, computed once per rule and then dropped (the
 * trees of 5,000 rules are not kept): the parse, selectors, nodes by type, result labels.
 *
 * @module
 */
import type { ParsedExpr } from "./promql/parse.ts";
import { type LabelSet, outputLabels, readSelector, type Selector } from "./promql/ast.ts";
import type { SyntaxNode } from "./promql/tree.ts";

/** Lazily computed facts about one valid expression. */
export class ExprAnalysis {
  readonly parsed: ParsedExpr;
  #selectors?: Selector[];
  #labels?: LabelSet;

  constructor(parsed: ParsedExpr) {
    this.parsed = parsed;
  }

  /** The expression text. */
  get expr(): string {
    return this.parsed.expr;
  }

  /** The first expression node under the root. */
  get top(): SyntaxNode | null {
    return this.parsed.tree.topNode.firstChild;
  }

  /** Nodes of one type (VectorSelector, FunctionCall or BinaryExpr), in source order. */
  nodes(name: "VectorSelector" | "FunctionCall" | "BinaryExpr"): SyntaxNode[] {
    return this.parsed.nodes.get(name) ?? [];
  }

  /** Every vector selector. */
  get selectors(): Selector[] {
    return this.#selectors ??= this.nodes("VectorSelector").map((n) => readSelector(this.expr, n));
  }

  /** The labels the result can carry. */
  get labels(): LabelSet {
    return this.#labels ??= outputLabels(this.expr, this.top);
  }
}
