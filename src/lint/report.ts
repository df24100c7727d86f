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

/**
 * Control characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides,
 * which a rule file could use to move the cursor, recolour the terminal or forge output lines.
 */
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
/** Longest token kept whole in a message; longer ones are cut in the middle. */
const MAX_QUOTED = 80;
/** Longest offending-text line. */
const MAX_TEXT = 160;

/** Text from the input made safe for a terminal: control characters escaped, visibly. */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Cut a text to `max` characters, keeping its start and end. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const keep = max - 1;
  return s.slice(0, Math.ceil(keep * 2 / 3)) + "…" + s.slice(s.length - Math.floor(keep / 3));
}

/**
 * A message for the terminal: control characters escaped, and tokens quoted from the input (any
 * unbroken run) longer than {@link MAX_QUOTED} cut in the middle.
 */
export function safeMessage(message: string): string {
  return escapeControls(message).replace(/\S{81,}/g, (run) => cut(run, MAX_QUOTED));
}

function textFile(r: FileResult): string {
  const path = escapeControls(r.path);
  if (r.problems.length === 0) return `${path}: ok, ${plural(r.rules, "rule")}\n`;
  return r.problems.map((p) =>
    `${path}:${p.line}:${p.col}: ${LABEL[p.severity]}: ${safeMessage(p.message)} [${p.check}]\n` +
    (p.text ? `    ${cut(escapeControls(p.text), MAX_TEXT)}\n` : "")
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
  const message = safeMessage(p.message);
  const body = p.text ? `${message}\n${cut(escapeControls(p.text), MAX_TEXT)}` : message;
  path = escapeControls(path);
  return `::${kind} file=${ghProp(path)},line=${p.line},col=${p.col},title=${ghProp(p.check)}::${
    ghData(body)
  }\n`;
}
