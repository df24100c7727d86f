/**
 * The shape of a check: one concept, one file under `checks/`, like pint's `internal/checks`.
 *
 * @module
 */
import type { FileContext } from "./context.ts";
import type { Problem, RuleFile } from "./model.ts";

/** Where a check comes from: what promtool checks, or what only this linter sees. */
export type CheckKind = "promtool" | "beyond" | "catalog";

/** A check over one decoded rule file. It returns problems and never throws. */
export interface Check {
  /** `group/name`, e.g. `promql/syntax`. */
  name: string;
  kind: CheckKind;
  /** One line for the README and `--help`. */
  description: string;
  run(file: RuleFile, ctx: FileContext): Problem[];
}
