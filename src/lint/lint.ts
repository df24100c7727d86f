/**
 * Lint one rule file's text: YAML → model → checks → problems, sorted by position.
 *
 * @module
 */
import { FileContext, type LintOptions } from "./context.ts";
import { decodeGroupNode, decodeRoot } from "./decode.ts";
import type { Group, Problem } from "./model.ts";
import { parseYaml, type YNode } from "./yaml.ts";
import { CHECKS } from "./checks/mod.ts";
import type { Check } from "./check.ts";
import { type Chunk, recordedInText, splitGroups } from "./chunks.ts";
import { RunCache } from "./cache.ts";

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

/**
 * Lint the text of one rule file. Never throws: an internal failure becomes a problem.
 * `whole` forces parsing the file at once (tests compare it with the group-by-group fast path).
 */
export function lintText(
  path: string,
  text: string,
  options: LintOptions,
  whole = false,
  cache: RunCache = new RunCache(),
): FileResult {
  // Fast path: group by group (memory of one group); any doubt: the whole file at once.
  const chunks = whole ? undefined : splitGroups(text);
  if (chunks) {
    const result = lintChunks(path, text, options, chunks, cache);
    if (result) return result;
  }
  return lintWhole(path, text, options, cache);
}

/**
 * Decode the group nodes of the current YAML table (numbered from `first`) and run the checks
 * of each group and its rules; the number of rules.
 */
function checkGroups(
  nodes: readonly YNode[],
  first: number,
  ctx: FileContext,
  checks: readonly Check[],
  problems: Problem[],
): number {
  let rules = 0;
  nodes.forEach((node, i) => {
    const group = decodeGroupNode(ctx.table, node, first + i, ctx, problems);
    if (!group) return;
    rules += group.rules.length;
    checkGroup(group, ctx, checks, problems);
  });
  return rules;
}

/** Run the checks of one decoded group and its rules. */
function checkGroup(group: Group, ctx: FileContext, checks: readonly Check[], problems: Problem[]) {
  for (const check of checks) {
    if (!check.group) continue;
    try {
      for (const p of check.group(group, ctx)) problems.push(p);
    } catch (e) {
      problems.push(internal(check, e));
    }
  }
  for (const rule of group.rules) {
    for (const check of checks) {
      try {
        if (check.rule) push(problems, check.rule(rule, ctx));
        if (!check.expr && !check.selector) continue;
        const a = ctx.expr(rule);
        if (!a) continue;
        if (check.expr) push(problems, check.expr(a, rule, ctx));
        if (check.selector) {
          for (const sel of a.selectors) push(problems, check.selector(sel, a, rule, ctx));
        }
      } catch (e) {
        problems.push(internal(check, e));
      }
    }
  }
}

function push(problems: Problem[], found: Problem[]): void {
  for (let i = 0; i < found.length; i++) problems.push(found[i]);
}

function activeChecks(options: LintOptions): Check[] {
  return (options.checks ?? CHECKS).filter((c) =>
    c.kind === "catalog"
      ? options.catalog !== undefined
      : c.kind === "upgrade"
      ? options.upgradeTo === 3
      : c.kind === "online"
      ? options.online === true
      : true
  );
}

function sorted(path: string, problems: Problem[], rules: number): FileResult {
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return { path, problems, rules };
}

/** Lint group by group; undefined when a part does not parse on its own (use the whole file). */
function lintChunks(
  path: string,
  text: string,
  options: LintOptions,
  chunks: Chunk[],
  cache: RunCache,
): FileResult | undefined {
  const ctx = new FileContext(path, text, options, cache);
  ctx.recorded = recordedInText(text);
  const checks = activeChecks(options);
  const problems: Problem[] = [];
  let rules = 0;
  let index = 0;
  try {
    for (const chunk of chunks) {
      const doc = parseYaml(text, chunk.from, chunk.to);
      if (doc.error || doc.root === undefined || !Array.isArray(doc.table.value(doc.root))) {
        return undefined;
      }
      ctx.table = doc.table;
      const nodes = doc.table.children(doc.root);
      rules += checkGroups(nodes, index, ctx, checks, problems);
      index += nodes.length;
    }
  } catch (e) {
    problems.push(internalError(e));
  }
  return sorted(path, problems, rules);
}

/** Lint the whole file at once. */
function lintWhole(
  path: string,
  text: string,
  options: LintOptions,
  cache: RunCache,
): FileResult {
  const ctx = new FileContext(path, text, options, cache);
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
    ctx.recorded = recordedInText(text);
    rules = checkGroups(decodeRoot(doc, ctx, problems), 0, ctx, activeChecks(options), problems);
  } catch (e) {
    problems.push(internalError(e));
  }
  return sorted(path, problems, rules);
}

function internalError(e: unknown): Problem {
  return {
    severity: "error",
    message: `internal error: ${e instanceof Error ? e.message : e}`,
    line: 1,
    col: 1,
    text: "",
    check: "internal",
  };
}
