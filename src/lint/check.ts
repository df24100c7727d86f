/**
 * The shape of a check: one concept, one file under `checks/`, like pint's `internal/checks`.
 *
 * @module
 */
import type { FileContext } from "./context.ts";
import type { Problem, Rule, RuleFile } from "./model.ts";

/** Where a check comes from: what promtool checks, or what only this linter sees. */
export type CheckKind = "promtool" | "beyond" | "catalog";

/**
 * A check. It returns problems and never throws. Rule checks run rule by rule (the runner
 * analyses each expression once and drops it before the next rule); file checks see the whole
 * file (names, duplicates).
 */
export interface Check {
  /** `group/name`, e.g. `promql/syntax`. */
  name: string;
  kind: CheckKind;
  /** One line for the README and `--help`. */
  description: string;
  /** Problems of one rule. */
  rule?(rule: Rule, ctx: FileContext): Problem[];
  /** Problems across the file. */
  file?(file: RuleFile, ctx: FileContext): Problem[];
}
