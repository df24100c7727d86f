/**
 * Lint one rule file's text: YAML → model → checks → problems, sorted by position.
 *
 * @module
 */
import { FileContext, type LintOptions } from "./context.ts";
import { decodeRuleFile } from "./decode.ts";
import type { Problem } from "./model.ts";
import { parseYaml } from "./yaml.ts";
import { CHECKS } from "./checks/mod.ts";
import type { Check } from "./check.ts";
import { recordedNames } from "./rules.ts";

/** The result of linting one file. */
export interface FileResult {
  path: string;
  problems: Problem[];
  /** Number of rules found (as promtool's "N rules found"). */
  rules: number;
}

/** A check that threw: reported, never a crash. */
function internal(check: Check, e: unknown): Problem {
  return {
    severity: "error",
    message: `internal error in check ${check.name}: ${e instanceof Error ? e.message : e}`,
    line: 1,
    col: 1,
    text: "",
    check: "internal",
  };
}

/** Lint the text of one rule file. Never throws: an internal failure becomes a problem. */
export function lintText(path: string, text: string, options: LintOptions): FileResult {
  const ctx = new FileContext(path, text, options);
  const problems: Problem[] = [];
  let rules = 0;
  try {
    const doc = parseYaml(text);
    if (doc.error) {
      const { line, col } = ctx.source.position(doc.error.offset);
      problems.push({
        severity: "error",
        message: `yaml: ${doc.error.message}`,
        line,
        col,
        text: ctx.source.lineText(doc.error.offset).trim(),
        check: "yaml/syntax",
      });
      return { path, problems, rules };
    }
    ctx.table = doc.table;
    const file = decodeRuleFile(doc, ctx, problems);
    for (const g of file.groups) rules += g.rules.length;
    ctx.recorded = recordedNames(file);
    const checks = CHECKS.filter((c) => c.kind !== "catalog" || options.catalog);
    const fileChecks = checks.filter((c) => c.file);
    const ruleChecks = checks.filter((c) => c.rule);
    for (const check of fileChecks) {
      try {
        for (const p of check.file!(file, ctx)) problems.push(p);
      } catch (e) {
        problems.push(internal(check, e));
      }
    }
    for (const g of file.groups) {
      for (const rule of g.rules) {
        for (const check of ruleChecks) {
          try {
            const found = check.rule!(rule, ctx);
            for (let i = 0; i < found.length; i++) problems.push(found[i]);
          } catch (e) {
            problems.push(internal(check, e));
          }
        }
      }
    }
  } catch (e) {
    problems.push({
      severity: "error",
      message: `internal error: ${e instanceof Error ? e.message : e}`,
      line: 1,
      col: 1,
      text: "",
      check: "internal",
    });
  }
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return { path, problems, rules };
}
