/**
 * The rule-file model the checks work on, and the shape of a problem.
 *
 * @module
 */
import type { YNode } from "./yaml.ts";

/** How bad a problem is: errors fail the run; warnings only with `--fatal-warnings`. */
export type Severity = "error" | "warning" | "info";

/** The Prometheus version whose rules the linter follows. */
export type PromVersion = 2 | 3;

/** One finding, positioned in its file. */
export interface Problem {
  severity: Severity;
  /** One line, sentence case, no trailing period. */
  message: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  /** The offending text (a key, a value, an expression or a part of it). */
  text: string;
  /** The check that found it, e.g. `promql/syntax`. */
  check: string;
}

/** A scalar read from the file, with the node it came from. */
export interface Scalar {
  value: string;
  node: YNode;
}

/** A `labels` or `annotations` entry. */
export interface LabelEntry {
  key: Scalar;
  value: Scalar;
}

/** One rule as written. Fields the file did not set are undefined. */
export interface Rule {
  /** 0-based index in its group. */
  index: number;
  group: Group;
  node: YNode;
  record?: Scalar;
  alert?: Scalar;
  /** The expression text; undefined when absent, empty, null or not a scalar. */
  expr?: Scalar;
  /** The `expr` node even when it is not a usable scalar. */
  exprNode?: YNode;
  for?: Scalar;
  keepFiringFor?: Scalar;
  labels?: LabelEntry[];
  labelsNode?: YNode;
  annotations?: LabelEntry[];
  annotationsNode?: YNode;
}

/** One rule group as written. */
export interface Group {
  index: number;
  node: YNode;
  name?: Scalar;
  interval?: Scalar;
  queryOffset?: Scalar;
  limit?: Scalar;
  labels?: LabelEntry[];
  rules: Rule[];
}

/** A decoded rule file. */
export interface RuleFile {
  groups: Group[];
}

/** A rule's display name: its record or alert name. */
export function ruleName(rule: Rule): string {
  return rule.alert?.value || rule.record?.value || "";
}
