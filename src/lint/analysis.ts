/**
 * What checks need from one rule's expression, computed once per rule and then dropped (the
 * trees of 5,000 rules are not kept): the parse, selectors, nodes by type, result labels.
 *
 * @module
 */
import type { ParsedExpr } from "./promql/parse.ts";
import { readSelector, type Selector } from "./promql/ast.ts";
import { type LabelSet, outputLabels, topExpr } from "./promql/infer.ts";
import type { SyntaxNode } from "./promql/tree.ts";
import type { Severity } from "./model.ts";

/** A problem in an expression, at offsets of the expression (same for the whole shape). */
export interface ExprFinding {
  severity: Severity;
  from: number;
  to: number;
  message: string;
}

/** Lazily computed facts about one valid expression. */
export class ExprAnalysis {
  readonly parsed: ParsedExpr;

  constructor(parsed: ParsedExpr) {
    this.parsed = parsed;
  }

  /** The expression text. */
  get expr(): string {
    return this.parsed.expr;
  }

  /** The top expression node under the root (comments skipped). */
  get top(): SyntaxNode | null {
    return topExpr(this.parsed.tree.topNode);
  }

  /** Nodes of one type (VectorSelector, FunctionCall or BinaryExpr), in source order. */
  nodes(name: "VectorSelector" | "FunctionCall" | "BinaryExpr"): SyntaxNode[] {
    return this.parsed.nodes.get(name) ?? [];
  }

  /** Every vector selector. */
  get selectors(): Selector[] {
    // Selectors read names, labels, values and ranges, never numbers: shared within a shape.
    return this.parsed.shared.selectors ??= this.nodes("VectorSelector").map((n) =>
      readSelector(this.expr, n)
    );
  }

  /** The selector read from a VectorSelector node of this expression. */
  selectorAt(node: SyntaxNode): Selector {
    return this.selectors.find((s) => s.node.from === node.from) ?? readSelector(this.expr, node);
  }

  /**
   * A check's findings, computed once per expression shape and `context` (the catalog, or
   * anything else they depend on besides the expression): for checks that read the tree, names,
   * labels and values but never number literals, which are all that differ within a shape. Walking
   * the trees of 5,000 rules again in every check made lezer's node code hot (measured: JIT memory).
   */
  findings(check: string, context: unknown, compute: () => ExprFinding[]): ExprFinding[] {
    const findings = this.parsed.shared.findings;
    const memo = findings.get(check);
    if (memo && memo.context === context) return memo.found;
    const found = compute();
    findings.set(check, { context, found });
    return found;
  }

  /** The labels the result can carry. */
  get labels(): LabelSet {
    return this.parsed.shared.labels ??= outputLabels(this.expr, this.top);
  }
}
