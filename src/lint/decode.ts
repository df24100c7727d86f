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
  const d = new Decoder(ctx, doc.table, problems);
  const t = doc.table;
  const root = doc.root;
  if (root === undefined || t.value(root) === null || t.value(root) === undefined) return [];
  if (kindOf(t.value(root)) !== "mapping") {
    d.bad(root, `a rule file must be a mapping with "groups", got a ${kindOf(t.value(root))}`);
    return [];
  }
  let groupsNode: YNode | undefined;
  for (const e of t.entries(root)) {
    const key = String(t.value(e.key));
    if (key === "groups") groupsNode = e.value;
    else if (key !== "<<") d.unknownField(e.key, key, "file", ROOT_FIELDS);
  }
  if (groupsNode === undefined || t.value(groupsNode) === null) return [];
  if (!Array.isArray(t.value(groupsNode))) {
    d.bad(groupsNode, `"groups" must be a list of groups, got a ${kindOf(t.value(groupsNode))}`);
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
  return new Decoder(ctx, table, problems).decodeGroup(node, index);
}

/** One decode: the file's context, its node table and where problems go. */
class Decoder {
  constructor(
    readonly ctx: FileContext,
    readonly t: YamlTable,
    readonly sink: Problem[],
  ) {}

  bad(node: YNode, message: string): void {
    this.sink.push(this.ctx.node(CHECK, "error", node, message));
  }

  unknownField(
    key: YNode,
    name: string,
    where: string,
    allowed: readonly string[],
  ): void {
    const hint = suggest(name, allowed);
    this.bad(
      key,
      `unknown field "${name}" in ${where}` +
        (hint ? `, did you mean "${hint}"?` : ` (allowed: ${allowed.join(", ")})`),
    );
  }

  /** A scalar field; reports and returns undefined for collections. */
  scalar(
    node: YNode,
    what: string | (() => string),
  ): Scalar | undefined {
    const v = this.t.value(node);
    if (v === null || v === undefined) return undefined;
    if (typeof v === "object") {
      this.bad(
        node,
        `${typeof what === "string" ? what : what()} must be a string, got a ${kindOf(v)}`,
      );
      return undefined;
    }
    return { value: String(v), node };
  }

  /** In 2 mode, yaml.Node fields read an alias as its anchor name (a 2.42 quirk). */
  nodeField(node: YNode, what: string): Scalar | undefined {
    if (this.ctx.options.prometheus === 2) {
      const alias = this.t.aliases.get(node);
      if (alias !== undefined) return { value: alias, node };
      const v = this.t.value(node);
      if (v === null || v === undefined || typeof v === "object") return undefined;
      return { value: String(v), node };
    }
    return this.scalar(node, what);
  }

  labelMap(node: YNode, what: string): LabelEntry[] | undefined {
    const v = this.t.value(node);
    if (v === null || v === undefined) return undefined;
    if (!this.isMapping(node, `${what} must be a mapping of names to strings`)) return undefined;
    const out: LabelEntry[] = [];
    for (const e of this.t.entries(node)) {
      if (this.t.value(e.key) === "<<") continue;
      const key = this.scalar(e.key, `a name in ${what}`);
      const value = this.t.value(e.value) === null
        ? { value: "", node: e.value }
        // The message is built only for a problem (20,000 entries in the bench file, ~1 ever).
        : this.scalar(e.value, () => `the value of ${what} "${String(this.t.value(e.key))}"`);
      if (key && value) out.push({ key, value });
    }
    return out;
  }

  /** Whether `node` is a mapping; else the problem "`must`, got a <kind>". */
  isMapping(node: YNode, must: string): boolean {
    const kind = kindOf(this.t.value(node));
    if (kind === "mapping") return true;
    this.bad(node, `${must}, got a ${kind}`);
    return false;
  }

  decodeGroup(node: YNode, index: number): Group | undefined {
    const group: Group = { index, node, rules: [] };
    if (this.t.value(node) === null) return group;
    if (!this.isMapping(node, "a group must be a mapping")) return undefined;
    const allowed = this.ctx.options.prometheus === 2 ? GROUP_FIELDS_2 : GROUP_FIELDS_3;
    let rulesNode: YNode | undefined;
    for (const e of this.mergedEntries(node)) {
      const key = String(this.t.value(e.key));
      switch (allowed.includes(key) ? key : "") {
        case "name":
          group.name = this.scalar(e.value, "a group name");
          break;
        case "interval":
          group.interval = this.scalar(e.value, "interval");
          break;
        case "query_offset":
          group.queryOffset = this.scalar(e.value, "query_offset");
          break;
        case "limit":
          group.limit = this.scalar(e.value, "limit");
          if (group.limit && /^["']/.test(this.ctx.source.text[this.t.start[e.value]])) {
            // Go decodes a quoted scalar as a string, which an int field refuses.
            this.bad(e.value, `limit must be an integer, got the string "${group.limit.value}"`);
            break;
          }
          if (
            group.limit &&
            !/^[-+]?(0|[1-9][0-9]*|0[xX][0-9a-fA-F]+|0o?[0-7]+)$/.test(group.limit.value)
          ) {
            this.bad(e.value, `limit must be an integer, got "${group.limit.value}"`);
          }
          break;
        case "labels":
          group.labels = this.labelMap(e.value, "group labels");
          break;
        case "rules":
          rulesNode = e.value;
          break;
        default:
          this.unknownField(e.key, key, "group", allowed);
      }
    }
    if (rulesNode !== undefined && this.t.value(rulesNode) !== null) {
      if (!Array.isArray(this.t.value(rulesNode))) {
        this.bad(
          rulesNode,
          `"rules" must be a list of rules, got a ${kindOf(this.t.value(rulesNode))}`,
        );
      } else {
        this.t.children(rulesNode).forEach((rNode, i) => {
          const rule = this.decodeRule(rNode, i, group);
          if (rule) group.rules.push(rule);
        });
      }
    }
    return group;
  }

  /** Entries of a mapping with `<<` merges applied (written keys win over merged ones). */
  mergedEntries(node: YNode, depth = 0): YEntry[] {
    const own = this.t.entries(node);
    if (depth > 8 || !own.some((e) => this.t.value(e.key) === "<<")) return own;
    const byKey = new Map<string, YEntry>();
    for (const e of own) {
      if (this.t.value(e.key) !== "<<") continue;
      const srcs = Array.isArray(this.t.value(e.value)) ? this.t.children(e.value) : [e.value];
      for (const src of srcs) {
        for (const m of this.mergedEntries(src, depth + 1)) {
          const k = String(this.t.value(m.key));
          if (!byKey.has(k)) byKey.set(k, m);
        }
      }
    }
    for (const e of own) {
      if (this.t.value(e.key) !== "<<") byKey.set(String(this.t.value(e.key)), e);
    }
    return [...byKey.values()];
  }

  decodeRule(node: YNode, index: number, group: Group): Rule | undefined {
    const rule: Rule = { index, group, node };
    if (this.t.value(node) === null) return rule;
    if (!this.isMapping(node, "a rule must be a mapping")) return undefined;
    for (const e of this.mergedEntries(node)) {
      const key = String(this.t.value(e.key));
      switch (RULE_FIELDS.includes(key) ? key : "") {
        case "record":
          rule.record = this.nodeField(e.value, "record");
          break;
        case "alert":
          rule.alert = this.nodeField(e.value, "alert");
          break;
        case "expr":
          rule.exprNode = e.value;
          rule.expr = this.nodeField(e.value, "expr");
          break;
        case "for":
          rule.for = this.scalar(e.value, "for");
          break;
        case "keep_firing_for":
          rule.keepFiringFor = this.scalar(e.value, "keep_firing_for");
          break;
        case "labels":
          rule.labelsNode = e.value;
          rule.labels = this.labelMap(e.value, "labels");
          break;
        case "annotations":
          rule.annotationsNode = e.value;
          rule.annotations = this.labelMap(e.value, "annotations");
          break;
        default:
          this.unknownField(e.key, key, "rule", RULE_FIELDS);
      }
    }
    return rule;
  }
}
