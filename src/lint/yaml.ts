/**
 * YAML with positions, fast enough for 5,000-rule files.
 *
 * The `yaml` package keeps positions but took 0.35 s just to tokenize the 2 MB bench file here,
 * so values come from js-yaml (~35 ms) and positions from js-yaml's `listener` hook, which reports
 * the start and end of every node it composes. Scalars stay strings (failsafe schema plus `null`
 * and merge keys), like Go's yaml.v3 decoding scalars into string fields from their source text.
 *
 * @module
 */
import jsyaml from "js-yaml";

/** A YAML node with its source range (UTF-16 offsets into the file text). */
export interface YNode {
  /** Offset of the node's first character (anchor, tag, quote or block indicator included). */
  start: number;
  /** Offset just past the node's last character. */
  end: number;
  /** The composed value (shared with the document value). */
  value: unknown;
  /** Nested nodes in source order: key, value, key, value… for mappings; items for sequences. */
  children: YNode[];
  /** The alias name when the node is `*name`. */
  alias?: string;
}

/** A mapping entry's key and value nodes. */
export interface YEntry {
  key: YNode;
  value: YNode;
}

/** A parsed YAML document, or the first error. */
export interface YamlResult {
  /** The first document's value (`undefined` for an empty file). */
  value: unknown;
  /** Node of the first document's root, if any. */
  root?: YNode;
  /** Node for every composed mapping or sequence value, by identity. */
  nodes: Map<object, YNode>;
  /** The syntax error, if the document could not be read. */
  error?: { message: string; offset: number };
}

const SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [jsyaml.types.null, jsyaml.types.merge],
});

interface Frame {
  start: number;
  children: YNode[];
}

interface ListenerState {
  position: number;
  result: unknown;
  input: string;
}

/** Skip spaces, line breaks and comments from `i`. */
function skipBlank(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) i++;
    else if (c === 35 /* # */) {
      while (i < end && text.charCodeAt(i) !== 10) i++;
    } else break;
  }
  return i;
}

/** Trim trailing spaces, line breaks and comments before `end`, not before `start`. */
function trimEnd(text: string, start: number, end: number): number {
  while (end > start) {
    const c = text.charCodeAt(end - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13) end--;
    else break;
  }
  return end;
}

/**
 * Parse the first YAML document of `text`, keeping the source range of every node.
 * Later documents are ignored, even when invalid (as promtool does).
 */
export function parseYaml(text: string): YamlResult {
  const nodes = new Map<object, YNode>();
  let stack: Frame[] = [];
  let roots: YNode[] = [];
  const listener = (event: string, state: ListenerState) => {
    if (event === "open") {
      stack.push({ start: state.position, children: [] });
      return;
    }
    const frame = stack.pop();
    if (!frame) return;
    const input = state.input;
    const start = skipBlank(input, frame.start, state.position);
    const node: YNode = {
      start,
      end: Math.max(start, trimEnd(input, start, state.position)),
      value: state.result,
      children: frame.children,
    };
    if (input.charCodeAt(start) === 42 /* * */) {
      node.alias = /^\*([^\s,\[\]{}]+)/.exec(input.slice(start, start + 256))?.[1];
    }
    const v = state.result;
    if (v !== null && typeof v === "object") {
      const known = nodes.get(v);
      if (known && node.alias !== undefined) {
        // An alias of a collection: reuse the anchored node's children for positions.
        node.children = known.children;
      } else if (!known) nodes.set(v, node);
    }
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else roots.push(node);
  };
  const load = (src: string) => {
    stack = [];
    roots = [];
    const docs: unknown[] = [];
    jsyaml.loadAll(src, (d: unknown) => docs.push(d), { schema: SCHEMA, listener });
    return docs;
  };
  try {
    const docs = load(text);
    return { value: docs[0], root: roots[0], nodes };
  } catch (e) {
    const err = e as { reason?: string; message?: string; mark?: { position?: number } };
    const offset = err.mark?.position ?? 0;
    // promtool reads only the first document: if it was complete before the error, keep it.
    const firstEnd = roots[0]?.end;
    if (firstEnd !== undefined && offset > firstEnd) {
      const sep = /^(---|\.\.\.)/m;
      sep.lastIndex = 0;
      const rest = text.slice(firstEnd);
      const m = sep.exec(rest);
      if (m) {
        nodes.clear();
        try {
          const docs = load(text.slice(0, firstEnd + m.index));
          return { value: docs[0], root: roots[0], nodes };
        } catch { /* fall through to the original error */ }
      }
    }
    return {
      value: undefined,
      nodes,
      error: { message: err.reason ?? String(err.message ?? e), offset },
    };
  }
}

/** The entries of a mapping node, pairing its children; `<<` merge entries included. */
export function entries(node: YNode | undefined): YEntry[] {
  if (!node) return [];
  const out: YEntry[] = [];
  const c = node.children;
  for (let i = 0; i + 1 < c.length; i += 2) out.push({ key: c[i], value: c[i + 1] });
  return out;
}

/**
 * Find the entry for `key` in a mapping node, looking into `<<` merges when the key is not
 * written in the mapping itself.
 */
export function entry(node: YNode | undefined, key: string, depth = 0): YEntry | undefined {
  if (!node || depth > 8) return undefined;
  const list = entries(node);
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].key.value === key) return list[i];
  }
  for (const e of list) {
    if (e.key.value !== "<<") continue;
    const srcs = Array.isArray(e.value.value) ? e.value.children : [e.value];
    for (const s of srcs) {
      const found = entry(s, key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
