/**
 * Strict decoding of a rule file into the model, as Prometheus' `rulefmt` does with yaml.v3's
 * `KnownFields`: unknown keys and wrong types are errors, and every one is reported.
 *
 * @module
 */
import type { FileContext } from "./context.ts";
import type { Group, LabelEntry, Problem, Rule, Scalar } from "./model.ts";
import { type YamlResult, YamlTable, type YEntry, type YNode } from "./yaml.ts";
import { suggest } from "./suggest.ts";

const CHECK = "yaml/strict";

// The problem list and node table of the decode in progress (decoding is synchronous and not
// re-entrant; the entry points set both).
let sink: Problem[] = [];
let t: YamlTable = new YamlTable();

function bad(ctx: FileContext, node: YNode, message: string): void {
  sink.push(ctx.node(CHECK, "error", node, message));
}

const ROOT_FIELDS = ["groups"];
const GROUP_FIELDS_2 = ["name", "interval", "limit", "rules"];
const GROUP_FIELDS_3 = ["name", "interval", "query_offset", "limit", "labels", "rules"];
const RULE_FIELDS = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"];

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "sequence";
  if (typeof v === "object") return "mapping";
  return "scalar";
}

/**
 * Decode the root of a rule file (`groups:`); returns the group nodes to decode with
 * {@link decodeGroup}. Type and unknown-field problems go to `problems`.
 */
export function decodeRoot(doc: YamlResult, ctx: FileContext, problems: Problem[]): YNode[] {
  sink = problems;
  t = doc.table;
  const root = doc.root;
  if (root === undefined || t.value(root) === null || t.value(root) === undefined) return [];
  if (kindOf(t.value(root)) !== "mapping") {
    bad(ctx, root, `a rule file must be a mapping with "groups", got a ${kindOf(t.value(root))}`);
    return [];
  }
  let groupsNode: YNode | undefined;
  for (const e of t.entries(root)) {
    const key = String(t.value(e.key));
    if (key === "groups") groupsNode = e.value;
    else if (key !== "<<") unknownField(ctx, e.key, key, "file", ROOT_FIELDS);
  }
  if (groupsNode === undefined || t.value(groupsNode) === null) return [];
  if (!Array.isArray(t.value(groupsNode))) {
    bad(ctx, groupsNode, `"groups" must be a list of groups, got a ${kindOf(t.value(groupsNode))}`);
    return [];
  }
  return t.children(groupsNode);
}

/** Decode one group node of `table`; undefined when it is not a mapping (reported). */
export function decodeGroupNode(
  table: YamlTable,
  node: YNode,
  index: number,
  ctx: FileContext,
  problems: Problem[],
): Group | undefined {
  sink = problems;
  t = table;
  return decodeGroup(node, index, ctx);
}

function unknownField(
  ctx: FileContext,
  key: YNode,
  name: string,
  where: string,
  allowed: readonly string[],
): void {
  const hint = suggest(name, allowed);
  bad(
    ctx,
    key,
    `unknown field "${name}" in ${where}` +
      (hint ? `, did you mean "${hint}"?` : ` (allowed: ${allowed.join(", ")})`),
  );
}

/** A scalar field; reports and returns undefined for collections. */
function scalar(
  ctx: FileContext,
  node: YNode,
  what: string | (() => string),
): Scalar | undefined {
  const v = t.value(node);
  if (v === null || v === undefined) return undefined;
  if (typeof v === "object") {
    bad(
      ctx,
      node,
      `${typeof what === "string" ? what : what()} must be a string, got a ${kindOf(v)}`,
    );
    return undefined;
  }
  return { value: String(v), node };
}

/** In 2 mode, yaml.Node fields read an alias as its anchor name (a 2.42 quirk). */
function nodeField(ctx: FileContext, node: YNode, what: string): Scalar | undefined {
  if (ctx.options.prometheus === 2) {
    const alias = t.aliases.get(node);
    if (alias !== undefined) return { value: alias, node };
    const v = t.value(node);
    if (v === null || v === undefined || typeof v === "object") return undefined;
    return { value: String(v), node };
  }
  return scalar(ctx, node, what);
}

function labelMap(ctx: FileContext, node: YNode, what: string): LabelEntry[] | undefined {
  const v = t.value(node);
  if (v === null || v === undefined) return undefined;
  if (kindOf(v) !== "mapping") {
    bad(
      ctx,
      node,
      `${what} must be a mapping of names to strings, got a ${kindOf(v)}`,
    );
    return undefined;
  }
  const out: LabelEntry[] = [];
  for (const e of t.entries(node)) {
    if (t.value(e.key) === "<<") continue;
    const key = scalar(ctx, e.key, `a name in ${what}`);
    const value = t.value(e.value) === null
      ? { value: "", node: e.value }
      // The message is built only for a problem (20,000 entries in the bench file, ~1 ever).
      : scalar(ctx, e.value, () => `the value of ${what} "${String(t.value(e.key))}"`);
    if (key && value) out.push({ key, value });
  }
  return out;
}

function decodeGroup(node: YNode, index: number, ctx: FileContext): Group | undefined {
  const group: Group = { index, node, rules: [] };
  if (t.value(node) === null) return group;
  if (kindOf(t.value(node)) !== "mapping") {
    bad(ctx, node, `a group must be a mapping, got a ${kindOf(t.value(node))}`);
    return undefined;
  }
  const allowed = ctx.options.prometheus === 2 ? GROUP_FIELDS_2 : GROUP_FIELDS_3;
  let rulesNode: YNode | undefined;
  for (const e of mergedEntries(node)) {
    const key = String(t.value(e.key));
    switch (allowed.includes(key) ? key : "") {
      case "name":
        group.name = scalar(ctx, e.value, "a group name");
        break;
      case "interval":
        group.interval = scalar(ctx, e.value, "interval");
        break;
      case "query_offset":
        group.queryOffset = scalar(ctx, e.value, "query_offset");
        break;
      case "limit":
        group.limit = scalar(ctx, e.value, "limit");
        if (group.limit && /^["']/.test(ctx.source.text[t.start[e.value]])) {
          // Go decodes a quoted scalar as a string, which an int field refuses.
          bad(ctx, e.value, `limit must be an integer, got the string "${group.limit.value}"`);
          break;
        }
        if (
          group.limit &&
          !/^[-+]?(0|[1-9][0-9]*|0[xX][0-9a-fA-F]+|0o?[0-7]+)$/.test(group.limit.value)
        ) {
          bad(ctx, e.value, `limit must be an integer, got "${group.limit.value}"`);
        }
        break;
      case "labels":
        group.labels = labelMap(ctx, e.value, "group labels");
        break;
      case "rules":
        rulesNode = e.value;
        break;
      default:
        unknownField(ctx, e.key, key, "group", allowed);
    }
  }
  if (rulesNode !== undefined && t.value(rulesNode) !== null) {
    if (!Array.isArray(t.value(rulesNode))) {
      bad(
        ctx,
        rulesNode,
        `"rules" must be a list of rules, got a ${kindOf(t.value(rulesNode))}`,
      );
    } else {
      t.children(rulesNode).forEach((rNode, i) => {
        const rule = decodeRule(rNode, i, group, ctx);
        if (rule) group.rules.push(rule);
      });
    }
  }
  return group;
}

/** Entries of a mapping with `<<` merges applied (written keys win over merged ones). */
function mergedEntries(node: YNode, depth = 0): YEntry[] {
  const own = t.entries(node);
  if (depth > 8 || !own.some((e) => t.value(e.key) === "<<")) return own;
  const byKey = new Map<string, YEntry>();
  for (const e of own) {
    if (t.value(e.key) !== "<<") continue;
    const srcs = Array.isArray(t.value(e.value)) ? t.children(e.value) : [e.value];
    for (const src of srcs) {
      for (const m of mergedEntries(src, depth + 1)) {
        const k = String(t.value(m.key));
        if (!byKey.has(k)) byKey.set(k, m);
      }
    }
  }
  for (const e of own) if (t.value(e.key) !== "<<") byKey.set(String(t.value(e.key)), e);
  return [...byKey.values()];
}

function decodeRule(node: YNode, index: number, group: Group, ctx: FileContext): Rule | undefined {
  const rule: Rule = { index, group, node };
  if (t.value(node) === null) return rule;
  if (kindOf(t.value(node)) !== "mapping") {
    bad(ctx, node, `a rule must be a mapping, got a ${kindOf(t.value(node))}`);
    return undefined;
  }
  for (const e of mergedEntries(node)) {
    const key = String(t.value(e.key));
    switch (RULE_FIELDS.includes(key) ? key : "") {
      case "record":
        rule.record = nodeField(ctx, e.value, "record");
        break;
      case "alert":
        rule.alert = nodeField(ctx, e.value, "alert");
        break;
      case "expr":
        rule.exprNode = e.value;
        rule.expr = nodeField(ctx, e.value, "expr");
        break;
      case "for":
        rule.for = scalar(ctx, e.value, "for");
        break;
      case "keep_firing_for":
        rule.keepFiringFor = scalar(ctx, e.value, "keep_firing_for");
        break;
      case "labels":
        rule.labelsNode = e.value;
        rule.labels = labelMap(ctx, e.value, "labels");
        break;
      case "annotations":
        rule.annotationsNode = e.value;
        rule.annotations = labelMap(ctx, e.value, "annotations");
        break;
      default:
        unknownField(ctx, e.key, key, "rule", RULE_FIELDS);
    }
  }
  return rule;
}
