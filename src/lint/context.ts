/**
 * What every check sees: the file, its positions, the options, and a way to report problems.
 *
 * @module
 */
import type { Problem, PromVersion, Scalar, Severity } from "./model.ts";
import { SourceIndex } from "./source.ts";
import { YamlTable, type YNode } from "./yaml.ts";
import { type CatalogIndex, mayBeOurs } from "./catalog.ts";
import type { Matcher } from "./promql/infer.ts";
import { matcherAccepts } from "./promql/regex.ts";
import type { Rule } from "./model.ts";
import { type ParsedExpr, parsePromql } from "./promql/parse.ts";
import { ExprAnalysis, type ExprFinding } from "./analysis.ts";
import { parseTemplate, type TemplateInfo } from "./gotemplate.ts";
import { RunCache } from "./cache.ts";
import type { Check } from "./check.ts";
import type { Needs, OnlineFacts } from "./online.ts";

/** Options that change what the checks accept. */
export interface LintOptions {
  /** Prometheus major version whose rules to follow. */
  prometheus: PromVersion;
  /** Metric-name and label-name validation in 3 mode (Prometheus 3 defaults to UTF-8). */
  nameValidation: "utf8" | "legacy";
  /** The service's metric catalog; undefined with `--catalog none`. */
  catalog?: CatalogIndex;
  /** Scrape interval in milliseconds (from the Prometheus configuration). */
  scrapeIntervalMs: number;
  /** Where the scrape interval came from, for messages. */
  scrapeIntervalSource: string;
  /** `--upgrade-to 3`: flag rules whose meaning changes from Prometheus 2 to 3. */
  upgradeTo?: 3;
  /** `--prometheus-url`: run the online checks (judged once Prometheus answered, `online.ts`). */
  online?: boolean;
  /** The checks to choose from by kind (default: every check, `checks/mod.ts`). */
  checks?: readonly Check[];
}

/** Per-file state shared by the checks of one run; makes positioned problems. */
export class FileContext {
  readonly path: string;
  readonly source: SourceIndex;
  readonly options: LintOptions;
  /** The run's cache (parses, regexes, templates), shared by every file of the run. */
  readonly cache: RunCache;

  #rule?: Rule;
  #parsed?: ParsedExpr;
  #analysis?: ExprAnalysis | null;
  /** Names recorded by the file's recording rules (set by the runner). */
  recorded: ReadonlySet<string> = new Set();
  /** Per-file state of checks that compare across the file, by check name. */
  readonly state: Map<string, unknown> = new Map();
  /** Node positions of the file's YAML (set by the runner). */
  table: YamlTable = new YamlTable();

  constructor(path: string, text: string, options: LintOptions, cache = new RunCache()) {
    this.path = path;
    this.source = new SourceIndex(text);
    this.options = options;
    this.cache = cache;
  }

  #select(rule: Rule): void {
    if (this.#rule === rule) return;
    // Nothing of the previous rule survives a parse that throws (the check gets an internal error).
    this.#rule = undefined;
    this.#parsed = undefined;
    this.#analysis = null;
    const text = rule.expr?.value;
    this.#parsed = text ? parsePromql(text, this.options.prometheus, this.cache) : undefined;
    this.#analysis = this.#parsed && !this.#parsed.errors.length && !this.#parsed.deep
      ? new ExprAnalysis(this.#parsed)
      : null;
    this.#rule = rule;
  }

  /** A rule's parsed expression (errors included); memoized for the current rule only. */
  parsed(rule: Rule): ParsedExpr | undefined {
    this.#select(rule);
    return this.#parsed;
  }

  /** The analysis of a rule's valid expression; undefined when it is absent or invalid. */
  expr(rule: Rule): ExprAnalysis | undefined {
    this.#select(rule);
    return this.#analysis ?? undefined;
  }

  /**
   * Whether the catalog speaks for a selector's series: not when its `job` matchers match no job
   * of the Prometheus configuration (see {@link mayBeOurs}).
   */
  ours(matchers: readonly Matcher[]): boolean {
    const catalog = this.options.catalog;
    if (!catalog) return false;
    return mayBeOurs(catalog, matchers, (m, value) => this.accepts(m, value));
  }

  /** Whether a label matcher accepts a value (RE2, anchored; compiled once per run). */
  accepts(m: Matcher, value: string): boolean {
    return matcherAccepts(m, value, this.options.prometheus, this.cache);
  }

  /** Record an online judgement, made once Prometheus has answered what it `needs`. */
  defer(needs: Needs, judge: (facts: OnlineFacts) => Problem[]): void {
    this.cache.deferred.push({ path: this.path, needs, judge });
  }

  /** A check's per-file map (created on first use). */
  seen(check: string): Map<string, number> {
    let m = this.state.get(check) as Map<string, number> | undefined;
    if (!m) this.state.set(check, m = new Map());
    return m;
  }

  /** A label or annotation value's template, parsed once (memoized on the scalar). */
  template(scalar: Scalar): TemplateInfo {
    const memo = scalar as Scalar & { template?: TemplateInfo };
    return memo.template ??= parseTemplate(scalar.value, this.options.prometheus, this.cache);
  }

  /** Whether names follow the legacy (pre-UTF-8) character set. */
  get legacyNames(): boolean {
    return this.options.prometheus === 2 || this.options.nameValidation === "legacy";
  }

  /** A problem at an offset of the file. */
  at(check: string, severity: Severity, offset: number, message: string, text: string): Problem {
    const { line, col } = this.source.position(offset);
    return { severity, message, line, col, text, check };
  }

  /** A problem on a node; the offending text is the node's source unless given. */
  node(check: string, severity: Severity, node: YNode, message: string, text?: string): Problem {
    return this.at(check, severity, this.table.start[node], message, text ?? this.nodeText(node));
  }

  /** A problem inside a scalar, at offset `i` of its value. */
  inScalar(
    check: string,
    severity: Severity,
    scalar: Scalar,
    i: number,
    message: string,
    text: string,
  ): Problem {
    return this.at(
      check,
      severity,
      scalarOffset(this.source.text, this.table, scalar, i),
      message,
      text,
    );
  }

  /**
   * A problem at offsets `from`..`to` of a rule's (valid) expression: placed in the `expr` scalar,
   * the offending text is that part of the expression.
   */
  inExpr(
    check: string,
    severity: Severity,
    rule: Rule,
    from: number,
    to: number,
    message: string,
  ): Problem {
    const text = rule.expr!.value.slice(from, to);
    return this.inScalar(check, severity, rule.expr!, from, message, text);
  }

  /**
   * The problems of `check` in a rule's expression from findings computed once per expression
   * shape and `context` (see {@link ExprAnalysis.findings}), placed in this rule's expression.
   */
  shapeProblems(
    check: string,
    rule: Rule,
    a: ExprAnalysis,
    context: unknown,
    compute: () => ExprFinding[],
  ): Problem[] {
    return a.findings(check, context, compute).map((f) =>
      this.inExpr(check, f.severity, rule, f.from, f.to, f.message)
    );
  }

  /** The source text of a node, on one line and shortened. */
  nodeText(node: YNode): string {
    return oneLine(this.source.text.slice(this.table.start[node], this.table.end[node]));
  }

  /** The offset where a node starts. */
  start(node: YNode): number {
    return this.table.start[node];
  }
}

/** Shorten text to one line of at most 120 characters. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, " ").trim();
  return flat.length > 120 ? flat.slice(0, 117) + "…" : flat;
}

/**
 * Map offset `i` in a scalar's value to an offset in the source: exact for plain and quoted
 * one-line scalars without escapes and for literal block scalars, approximate otherwise.
 */
export function scalarOffset(text: string, table: YamlTable, scalar: Scalar, i: number): number {
  const { node, value } = scalar;
  const start = table.start[node];
  const nodeEnd = table.end[node];
  const c = text[start];
  if (c === "|" || c === ">") {
    // Block scalar: content starts on the next line, at the indentation of its first line.
    const header = text.indexOf("\n", start);
    if (header === -1) return start;
    const firstLine = /^([ ]*)\S/m.exec(text.slice(header + 1, nodeEnd));
    const indent = firstLine ? firstLine[1].length : 0;
    const lines = value.slice(0, i).split("\n");
    let pos = header + 1;
    for (let n = 0; n < lines.length - 1; n++) {
      const nl = text.indexOf("\n", pos);
      if (nl === -1) return start;
      pos = nl + 1;
    }
    return Math.min(pos + indent + lines[lines.length - 1].length, nodeEnd);
  }
  const q = c === '"' || c === "'" ? 1 : 0;
  if (q === 0 && table.aliases.has(node)) return start;
  const raw = text.slice(start + q, nodeEnd);
  if (raw.startsWith(value.slice(0, i))) return start + q + i;
  return Math.min(start + q + i, nodeEnd);
}
