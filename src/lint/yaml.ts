/**
 * YAML with positions, fast and lean enough for 5,000-rule files.
 *
 * The `yaml` package keeps positions but took 0.35 s just to tokenize the 2 MB bench file here,
 * so values come from js-yaml (~35 ms) and positions from js-yaml's `listener` hook, which reports
 * the start and end of every node it composes. Scalars stay strings (failsafe schema plus `null`
 * and merge keys), like Go's yaml.v3 decoding scalars into string fields from their source text.
 * Positions live in typed arrays, not one object per node: 5,000 rules make ~150,000 nodes, and
 * objects for them cost ~15 MB of heap and grew V8's young generation to its maximum.
 *
 * @module
 */
import jsyaml from "js-yaml";

/** A YAML node: an index into its document's {@link YamlTable}. */
export type YNode = number;

/** A mapping entry's key and value nodes. */
export interface YEntry {
  key: YNode;
  value: YNode;
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Stand-ins for collection values, so that the table does not keep js-yaml's objects alive. */
const SEQ: readonly unknown[] = Object.freeze([]);
const MAP: Readonly<Record<string, never>> = Object.freeze({});

/** Source ranges and values of a document's nodes. */
export class YamlTable {
  /** Offset of each node's first character (anchor, tag, quote or block indicator included). */
  start: Int32Array = new Int32Array(1024);
  /** Offset just past each node's last character. */
  end: Int32Array = new Int32Array(1024);
  /** First child (mappings: key, value, key, value…; sequences: items), or -1. */
  first: Int32Array = new Int32Array(1024);
  /** Next sibling, or -1. */
  next: Int32Array = new Int32Array(1024);
  /** Each scalar's value; an empty stand-in array or object for sequences and mappings. */
  values: unknown[] = [];
  /** Alias names of `*name` nodes. */
  aliases: Map<YNode, string> = new Map();
  /** Number of nodes. */
  count = 0;

  /** Append a node; returns its index. */
  add(start: number, end: number, first: number, value: unknown): YNode {
    const i = this.count++;
    if (i === this.start.length) {
      this.start = grow(this.start);
      this.end = grow(this.end);
      this.first = grow(this.first);
      this.next = grow(this.next);
    }
    this.start[i] = start;
    this.end[i] = end;
    this.first[i] = first;
    this.next[i] = -1;
    this.values.push(
      value === null || typeof value !== "object" ? value : Array.isArray(value) ? SEQ : MAP,
    );
    return i;
  }

  /** The node's value (collections: an empty stand-in of the same kind). */
  value(n: YNode): unknown {
    return this.values[n];
  }

  /** The node's children in source order. */
  children(n: YNode): YNode[] {
    const out: YNode[] = [];
    for (let c = this.first[n]; c !== -1; c = this.next[c]) out.push(c);
    return out;
  }

  /** A mapping node's entries (key and value pairs), `<<` merge entries included. */
  entries(n: YNode): YEntry[] {
    const out: YEntry[] = [];
    for (let k = this.first[n]; k !== -1;) {
      const v = this.next[k];
      if (v === -1) break;
      out.push({ key: k, value: v });
      k = this.next[v];
    }
    return out;
  }
}

/** A parsed YAML document, or the first error. */
export interface YamlResult {
  /** Node of the first document's root, if any. */
  root?: YNode;
  /** Positions and values of every node. */
  table: YamlTable;
  /** The syntax error, if the document could not be read. */
  error?: { message: string; offset: number };
}

const SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [jsyaml.types.null, jsyaml.types.merge],
});

interface ListenerState {
  position: number;
  result: unknown;
  input: string;
}

/** Whether a stored value (collections: stand-ins) is the composed value `v`. */
function sameValue(stored: unknown, v: unknown): boolean {
  if (v === null || typeof v !== "object") return stored === v;
  return stored === (Array.isArray(v) ? SEQ : MAP);
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

/** Trim trailing spaces and line breaks before `end`, not before `start`. */
function trimEnd(text: string, start: number, end: number): number {
  while (end > start) {
    const c = text.charCodeAt(end - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13) end--;
    else break;
  }
  return end;
}

/**
 * Parse the first YAML document of `text` (or of its part `from`..`to`, offsets staying those of
 * the whole text), keeping the source range of every node. Later documents are ignored, even when
 * invalid (as promtool does).
 */
export function parseYaml(whole: string, from = 0, to = whole.length): YamlResult {
  const base = from;
  const text = from === 0 && to === whole.length ? whole : whole.slice(from, to);
  let table = new YamlTable();
  // Open frames: start offset, first and last child so far.
  let depth = 0;
  let fStart: Int32Array = new Int32Array(64);
  let fFirst: Int32Array = new Int32Array(64);
  let fLast: Int32Array = new Int32Array(64);
  let roots: YNode[] = [];
  // Collections by identity, so that aliases of collections get their anchor's children.
  const anchors = text.includes("&");
  let collections = new Map<object, YNode>();
  const listener = (event: string, state: ListenerState) => {
    if (event === "open") {
      if (depth === fStart.length) {
        fStart = grow(fStart);
        fFirst = grow(fFirst);
        fLast = grow(fLast);
      }
      fStart[depth] = state.position;
      fFirst[depth] = -1;
      fLast[depth] = -1;
      depth++;
      return;
    }
    if (depth === 0) return;
    depth--;
    const input = state.input;
    const start = skipBlank(input, fStart[depth], state.position);
    const end = Math.max(start, trimEnd(input, start, state.position));
    const v = state.result;
    let first = fFirst[depth];
    let alias: string | undefined;
    if (input.charCodeAt(start) === 42 /* * */) {
      alias = /^\*([^\s,\[\]{}]+)/.exec(input.slice(start, start + 256))?.[1];
    }
    if (anchors && v !== null && typeof v === "object") {
      const known = collections.get(v);
      if (known !== undefined && alias !== undefined) first = table.first[known];
      else if (known === undefined) collections.set(v, table.count);
    }
    let n: YNode;
    if (
      first !== -1 && table.next[first] === -1 && alias === undefined &&
      table.start[first] === start + base && table.end[first] === end + base &&
      sameValue(table.values[first], v)
    ) {
      // js-yaml composed the node inside a wrapper of the same range (a candidate mapping key
      // that turned out to be the node itself): keep one node.
      n = first;
    } else {
      n = table.add(start + base, end + base, first, v);
      if (alias !== undefined) table.aliases.set(n, alias);
    }
    if (depth > 0) {
      const p = depth - 1;
      if (fLast[p] === -1) fFirst[p] = n;
      else table.next[fLast[p]] = n;
      fLast[p] = n;
    } else roots.push(n);
  };
  const load = (src: string) => {
    table = new YamlTable();
    depth = 0;
    roots = [];
    collections = new Map();
    const docs: unknown[] = [];
    jsyaml.loadAll(src, (d: unknown) => docs.push(d), { schema: SCHEMA, listener });
    return docs;
  };
  try {
    const docs = load(text);
    return { root: docs.length ? roots[0] : undefined, table };
  } catch (e) {
    const err = e as { reason?: string; message?: string; mark?: { position?: number } };
    const offset = (err.mark?.position ?? 0) + base;
    // promtool reads only the first document: if it was complete before the error, keep it.
    const firstEnd = roots.length ? table.end[roots[0]] - base : undefined;
    if (firstEnd !== undefined && offset - base > firstEnd) {
      const m = /^(---|\.\.\.)/m.exec(text.slice(firstEnd));
      if (m) {
        try {
          const docs = load(text.slice(0, firstEnd + m.index));
          return { root: docs.length ? roots[0] : undefined, table };
        } catch { /* fall through to the original error */ }
      }
    }
    return {
      table,
      error: { message: err.reason ?? String(err.message ?? e), offset },
    };
  }
}
