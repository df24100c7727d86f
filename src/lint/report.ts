/**
 * Output formats: text (file:line:col, message, offending text), JSON, and GitHub Actions
 * workflow commands (annotations).
 *
 * @module
 */
import type { FileResult } from "./lint.ts";
import type { Problem } from "./model.ts";

/** The output formats of `--format`. */
export const FORMATS = ["text", "json", "github"] as const;
/** One output format. */
export type Format = typeof FORMATS[number];

/** Counts of problems by severity. */
export interface Summary {
  files: number;
  rules: number;
  errors: number;
  warnings: number;
  notices: number;
}

/** Count problems by severity. */
export function summarize(results: readonly FileResult[]): Summary {
  const s: Summary = { files: results.length, rules: 0, errors: 0, warnings: 0, notices: 0 };
  for (const r of results) {
    s.rules += r.rules;
    for (const p of r.problems) {
      if (p.severity === "error") s.errors++;
      else if (p.severity === "warning") s.warnings++;
      else s.notices++;
    }
  }
  return s;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Render results in a format. */
export function render(results: readonly FileResult[], format: Format): string {
  const summary = summarize(results);
  switch (format) {
    case "json":
      return JSON.stringify(
        {
          files: results.map((r) => ({
            path: r.path,
            rules: r.rules,
            problems: r.problems.map((p) => ({ file: r.path, ...p })),
          })),
          summary,
        },
        null,
        2,
      ) + "\n";
    case "github":
      return results.flatMap((r) => r.problems.map((p) => githubLine(r.path, p))).join("") +
        summaryLine(summary) + "\n";
    default:
      return results.map(textFile).join("") + summaryLine(summary) + "\n";
  }
}

function summaryLine(s: Summary): string {
  return `${plural(s.files, "file")}, ${plural(s.rules, "rule")}: ${plural(s.errors, "error")}, ${
    plural(s.warnings, "warning")
  }, ${plural(s.notices, "notice")}`;
}

const LABEL: Record<Problem["severity"], string> = {
  error: "error",
  warning: "warning",
  info: "notice",
};

function textFile(r: FileResult): string {
  if (r.problems.length === 0) return `${r.path}: ok, ${plural(r.rules, "rule")}\n`;
  return r.problems.map((p) =>
    `${r.path}:${p.line}:${p.col}: ${LABEL[p.severity]}: ${p.message} [${p.check}]\n` +
    (p.text ? `    ${p.text}\n` : "")
  ).join("");
}

/** Escape data of a GitHub workflow command. */
function ghData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escape a property of a GitHub workflow command. */
function ghProp(s: string): string {
  return ghData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function githubLine(path: string, p: Problem): string {
  const kind = p.severity === "info" ? "notice" : p.severity;
  const body = p.text ? `${p.message}\n${p.text}` : p.message;
  return `::${kind} file=${ghProp(path)},line=${p.line},col=${p.col},title=${ghProp(p.check)}::${
    ghData(body)
  }\n`;
}
