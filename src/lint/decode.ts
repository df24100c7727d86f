/**
 * Strict decoding of a rule file into the model, as Prometheus' `rulefmt` does with yaml.v3's
 * `KnownFields`: unknown keys and wrong types are errors, and every one is reported.
 *
 * @module
 */
import type { FileContext } from "./context.ts";
import type { Group, LabelEntry, Problem, Rule, RuleFile, Scalar } from "./model.ts";
import { entries, type YamlResult, type YNode } from "./yaml.ts";
import { suggest } from "./suggest.ts";

const CHECK = "yaml/strict";

let sink: Problem[] = [];

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

/** Decode the first YAML document of a rule file; type and unknown-field problems go to `problems`. */
export function decodeRuleFile(doc: YamlResult, ctx: FileContext, problems: Problem[]): RuleFile {
  sink = problems;
  const file: RuleFile = { groups: [] };
  const root = doc.root;
  if (!root || doc.value === null || doc.value === undefined) return file;
  if (kindOf(doc.value) !== "mapping") {
    bad(
      ctx,
      root,
      `a rule file must be a mapping with "groups", got a ${kindOf(doc.value)}`,
    );
    return file;
  }
  let groupsNode: YNode | undefined;
  for (const e of entries(root)) {
    const key = String(e.key.value);
    if (key === "groups") groupsNode = e.value;
    else if (key !== "<<") unknownField(ctx, e.key, key, "file", ROOT_FIELDS);
  }
  if (!groupsNode || groupsNode.value === null) return file;
  if (!Array.isArray(groupsNode.value)) {
    bad(
      ctx,
      groupsNode,
      `"groups" must be a list of groups, got a ${kindOf(groupsNode.value)}`,
    );
    return file;
  }
  groupsNode.children.forEach((gNode, i) => {
    const group = decodeGroup(gNode, i, ctx);
    if (group) file.groups.push(group);
  });
  return file;
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
function scalar(ctx: FileContext, node: YNode, what: string): Scalar | undefined {
  const v = node.value;
  if (v === null || v === undefined) return undefined;
  if (typeof v === "object") {
    bad(ctx, node, `${what} must be a string, got a ${kindOf(v)}`);
    return undefined;
  }
  return { value: String(v), node };
}

/** In 2 mode, yaml.Node fields read an alias as its anchor name (a 2.42 quirk). */
function nodeField(ctx: FileContext, node: YNode, what: string): Scalar | undefined {
  if (ctx.options.prometheus === 2) {
    if (node.alias !== undefined) return { value: node.alias, node };
    const v = node.value;
    if (v === null || v === undefined || typeof v === "object") return undefined;
    return { value: String(v), node };
  }
  return scalar(ctx, node, what);
}

function labelMap(ctx: FileContext, node: YNode, what: string): LabelEntry[] | undefined {
  const v = node.value;
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
  for (const e of entries(node)) {
    if (e.key.value === "<<") continue;
    const key = scalar(ctx, e.key, `a name in ${what}`);
    const value = e.value.value === null
      ? { value: "", node: e.value }
      : scalar(ctx, e.value, `the value of ${what} "${String(e.key.value)}"`);
    if (key && value) out.push({ key, value });
  }
  return out;
}

function decodeGroup(node: YNode, index: number, ctx: FileContext): Group | undefined {
  const group: Group = { index, node, rules: [] };
  if (node.value === null) return group;
  if (kindOf(node.value) !== "mapping") {
    bad(ctx, node, `a group must be a mapping, got a ${kindOf(node.value)}`);
    return undefined;
  }
  const allowed = ctx.options.prometheus === 2 ? GROUP_FIELDS_2 : GROUP_FIELDS_3;
  let rulesNode: YNode | undefined;
  for (const e of mergedEntries(node)) {
    const key = String(e.key.value);
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
  if (rulesNode && rulesNode.value !== null) {
    if (!Array.isArray(rulesNode.value)) {
      bad(
        ctx,
        rulesNode,
        `"rules" must be a list of rules, got a ${kindOf(rulesNode.value)}`,
      );
    } else {
      rulesNode.children.forEach((rNode, i) => {
        const rule = decodeRule(rNode, i, group, ctx);
        if (rule) group.rules.push(rule);
      });
    }
  }
  return group;
}

/** Entries of a mapping with `<<` merges applied (written keys win over merged ones). */
function mergedEntries(node: YNode, depth = 0): { key: YNode; value: YNode }[] {
  const own = entries(node);
  if (depth > 8 || !own.some((e) => e.key.value === "<<")) return own;
  const byKey = new Map<string, { key: YNode; value: YNode }>();
  for (const e of own) {
    if (e.key.value !== "<<") continue;
    const srcs = Array.isArray(e.value.value) ? e.value.children : [e.value];
    for (const s of srcs) {
      for (const m of mergedEntries(s, depth + 1)) {
        const k = String(m.key.value);
        if (!byKey.has(k)) byKey.set(k, m);
      }
    }
  }
  for (const e of own) if (e.key.value !== "<<") byKey.set(String(e.key.value), e);
  return [...byKey.values()];
}

function decodeRule(node: YNode, index: number, group: Group, ctx: FileContext): Rule | undefined {
  const rule: Rule = { index, group, node };
  if (node.value === null) return rule;
  if (kindOf(node.value) !== "mapping") {
    bad(ctx, node, `a rule must be a mapping, got a ${kindOf(node.value)}`);
    return undefined;
  }
  for (const e of mergedEntries(node)) {
    const key = String(e.key.value);
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
