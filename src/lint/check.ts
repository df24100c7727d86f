/**
 * The shape of a check: one concept, one file under `checks/`, like pint's `internal/checks`.
 *
 * @module
 */
import type { FileContext } from "./context.ts";
import type { ExprAnalysis } from "./analysis.ts";
import type { Group, Problem, Rule } from "./model.ts";
import type { Selector } from "./promql/ast.ts";

/** Where a check comes from: what promtool checks, or what only this linter sees. */
export type CheckKind = "promtool" | "beyond" | "catalog" | "upgrade" | "online";

/**
 * A check. It returns problems and never throws. The runner visits a file group by group, rule by
 * rule, and for rules whose expression is valid, that expression and each of its vector selectors
 * (each expression is analysed once and dropped before the next rule). A check implements the
 * hooks at the level it judges; checks that compare across the file (names, duplicates) keep
 * their state in the context.
 */
export interface Check {
  /** `group/name`, e.g. `promql/syntax`. */
  name: string;
  kind: CheckKind;
  /** One line for the README and `--help`. */
  description: string;
  /** Problems of one rule. */
  rule?(rule: Rule, ctx: FileContext): Problem[];
  /** Problems of one group (before its rules). */
  group?(group: Group, ctx: FileContext): Problem[];
  /**
   * Problems of one rule's valid expression: rules without one, with a syntax error or nested
   * too deep to analyse skip it.
   */
  expr?(a: ExprAnalysis, rule: Rule, ctx: FileContext): Problem[];
  /** Problems at one vector selector of a rule's valid expression, in source order. */
  selector?(sel: Selector, a: ExprAnalysis, rule: Rule, ctx: FileContext): Problem[];
}
