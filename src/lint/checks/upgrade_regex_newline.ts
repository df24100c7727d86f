/**
 * In Prometheus 3 the `.` of a regex matcher matches newlines too (Prometheus 3.0 migration
 * guide, "Regular expressions match newlines"): `.*` now also matches `foo\nbar`. A notice with
 * the rewrite that keeps the 2.x meaning (`[^\n]` for each `.`), for label values that can hold
 * newlines.
 *
 * @module
 */
import type { Check } from "../check.ts";
import { matcherProblems } from "../matcher_problems.ts";

/**
 * `pattern` with every `.` that matches "any character" (not escaped, not in a class) replaced
 * by `[^\n]`; undefined when there is none or the pattern sets flags of its own (`(?s)`).
 */
export function withoutNewlineDots(pattern: string): string | undefined {
  if (/\(\?[a-zA-Z]*s/.test(pattern)) return undefined;
  let out = "";
  let changed = false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      out += c + (pattern[i + 1] ?? "");
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      // A leading ] (or ^]) is a literal in the class.
      if (pattern[i + 1] === "^") out += pattern[++i];
      if (pattern[i + 1] === "]") out += pattern[++i];
      continue;
    }
    if (c === ".") {
      out += "[^\\n]";
      changed = true;
      continue;
    }
    out += c;
  }
  return changed ? out : undefined;
}

/** Regex matchers whose `.` will match newlines. */
export const upgradeRegexNewline: Check = {
  name: "upgrade/regex-newline",
  kind: "upgrade",
  description: "regex matchers whose . matches newlines too in Prometheus 3",
  selector(sel, _a, rule, ctx) {
    return matcherProblems(this.name, "info", sel, rule, ctx, (m, text) => {
      if (m.op !== "=~" && m.op !== "!~") return undefined;
      const rewrite = withoutNewlineDots(m.value);
      if (!rewrite) return undefined;
      return `in Prometheus 3, "." in ${text} also matches newlines; to keep the 2.x meaning write ` +
        `${m.label}${m.op}\`${rewrite}\``;
    });
  },
};
