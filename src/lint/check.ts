/**
 * The shape of a check: one concept, one file under `checks/`, like pint's `internal/checks`.
 *
 * @module
 */
import type { FileContext } from "./context.ts";
import type { Group, Problem, Rule } from "./model.ts";

/** Where a check comes from: what promtool checks, or what only this linter sees. */
export type CheckKind = "promtool" | "beyond" | "catalog" | "upgrade" | "online";

/**
 * A check. It returns problems and never throws. The runner visits a file group by group and
 * rule by rule (each expression is analysed once and dropped before the next rule); checks that
 * compare across the file (names, duplicates) keep their state in the context.
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
}
