/**
 * A small parser for Go's text/template action syntax, enough to reject what Prometheus rejects
 * when it parses (never runs) alert label and annotation templates: unclosed actions, unknown
 * functions, undefined variables, unbalanced control structures, bad literals.
 *
 * It follows Go's text/template/parse (lexer + parser) closely but keeps no tree: it reports the
 * first error, like Go, plus what the linter's template checks need (`$labels.x` references and
 * uses of `$value`). No npm package parses Go templates, hence this file.
 *
 * @module
 */
import type { PromVersion } from "./model.ts";
import { RunCache } from "./cache.ts";
import { templateShape } from "./shape.ts";

export { templateShape };

/** Go's text/template builtin functions. */
const GO_FUNCS = [
  "and",
  "call",
  "html",
  "index",
  "slice",
  "js",
  "len",
  "not",
  "or",
  "print",
  "printf",
  "println",
  "urlquery",
  "eq",
  "ge",
  "gt",
  "le",
  "lt",
  "ne",
];

/** Prometheus' template functions in 2.42 (checked against Debian's promtool 2.42). */
const PROM_FUNCS_2 = [
  "query",
  "first",
  "label",
  "value",
  "strvalue",
  "args",
  "reReplaceAll",
  "safeHtml",
  "match",
  "title",
  "toUpper",
  "toLower",
  "graphLink",
  "tableLink",
  "sortByLabel",
  "humanize",
  "humanize1024",
  "humanizeDuration",
  "humanizePercentage",
  "humanizeTimestamp",
  "toTime",
  "pathPrefix",
  "externalURL",
  "parseDuration",
  "stripPort",
  "stripDomain",
];

/** Functions added after 2.42. */
const PROM_FUNCS_3 = ["toDuration", "now", "urlQueryEscape"];

const FUNCS: Record<PromVersion, Set<string>> = {
  2: new Set([...GO_FUNCS, ...PROM_FUNCS_2]),
  3: new Set([...GO_FUNCS, ...PROM_FUNCS_2, ...PROM_FUNCS_3]),
};

/** Variables Prometheus defines before every alert template. */
export const TEMPLATE_VARS = ["$", "$labels", "$externalLabels", "$externalURL", "$value"];

/** What parsing a template found. */
export interface TemplateInfo {
  /** The first syntax error, at an offset in the template text. */
  error?: { message: string; offset: number };
  /** Every `$labels.NAME` reference. */
  labelRefs: { name: string; offset: number }[];
  /** Offsets where the alert value is used (`$value`, `.Value` at the top level, `$.Value`). */
  valueRefs: number[];
}

type T =
  | "text"
  | "left"
  | "right"
  | "space"
  | "ident"
  | "keyword"
  | "field"
  | "dot"
  | "var"
  | "string"
  | "raw"
  | "char"
  | "number"
  | "bool"
  | "nil"
  | "pipe"
  | "lparen"
  | "rparen"
  | "declare"
  | "assign"
  | "comma"
  | "other"
  | "eof";

interface Item {
  t: T;
  v: string;
  pos: number;
}

class TemplateError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

const KEYWORDS = new Set([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "range",
  "template",
  "with",
]);

const isAlnum = (c: string) => {
  const x = c.charCodeAt(0);
  if (x < 128) {
    return (x >= 97 && x <= 122) || (x >= 65 && x <= 90) || (x >= 48 && x <= 57) || x === 95;
  }
  return /^[\p{L}\p{Nd}]$/u.test(c);
};
const isSpace = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n";

/** Split a template into items, as Go's lexer does; throws TemplateError. */
function lex(src: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open === -1) {
      items.push({ t: "text", v: src.slice(i), pos: i });
      break;
    }
    if (open > i) items.push({ t: "text", v: src.slice(i, open), pos: i });
    i = open + 2;
    if (src[i] === "-" && isSpace(src[i + 1] ?? "")) i += 2;
    if (src.startsWith("/*", i)) {
      const close = src.indexOf("*/", i + 2);
      if (close === -1) throw new TemplateError("unclosed comment", open);
      let j = close + 2;
      if (src[j] === " " && src[j + 1] === "-" && src.startsWith("}}", j + 2)) j += 2;
      if (!src.startsWith("}}", j)) {
        throw new TemplateError("comment ends before closing delimiter", j);
      }
      i = j + 2;
      continue;
    }
    items.push({ t: "left", v: "{{", pos: open });
    i = lexAction(src, i, items);
  }
  items.push({ t: "eof", v: "", pos: src.length });
  return items;
}

/** Lex inside an action from `i`; returns the offset after the closing delimiter. */
function lexAction(src: string, i: number, items: Item[]): number {
  let depth = 0;
  for (;;) {
    const c = src[i];
    if (c === undefined) throw new TemplateError("unclosed action", src.length);
    if (isSpace(c)) {
      const start = i;
      while (i < src.length && isSpace(src[i])) i++;
      if (src[i] === "-" && src.startsWith("}}", i + 1)) {
        if (depth > 0) throw new TemplateError("unclosed left paren", i);
        items.push({ t: "right", v: "}}", pos: i });
        return i + 3;
      }
      items.push({ t: "space", v: " ", pos: start });
      continue;
    }
    if (src.startsWith("}}", i)) {
      if (depth > 0) throw new TemplateError("unclosed left paren", i);
      items.push({ t: "right", v: "}}", pos: i });
      return i + 2;
    }
    const start = i;
    if (c === "=") {
      items.push({ t: "assign", v: "=", pos: i++ });
    } else if (c === ":") {
      if (src[i + 1] !== "=") throw new TemplateError("expected :=", i);
      items.push({ t: "declare", v: ":=", pos: i });
      i += 2;
    } else if (c === "|") {
      items.push({ t: "pipe", v: "|", pos: i++ });
    } else if (c === ",") {
      items.push({ t: "comma", v: ",", pos: i++ });
    } else if (c === '"') {
      i = quotedEnd(src, start, "unterminated quoted string");
      items.push({ t: "string", v: src.slice(start, i), pos: start });
    } else if (c === "`") {
      const close = src.indexOf("`", i + 1);
      if (close === -1) throw new TemplateError("unterminated raw quoted string", start);
      i = close + 1;
      items.push({ t: "raw", v: src.slice(start, i), pos: start });
    } else if (c === "'") {
      i = quotedEnd(src, start, "unterminated character constant");
      items.push({ t: "char", v: src.slice(start, i), pos: start });
    } else if (c === "$") {
      i++;
      while (i < src.length && isAlnum(src[i])) i++;
      items.push({ t: "var", v: src.slice(start, i), pos: start });
      i = checkTerminator(src, i);
    } else if (c === "." && !/[0-9]/.test(src[i + 1] ?? "")) {
      i++;
      while (i < src.length && isAlnum(src[i])) i++;
      items.push(
        i === start + 1
          ? { t: "dot", v: ".", pos: start }
          : { t: "field", v: src.slice(start, i), pos: start },
      );
      i = checkTerminator(src, i);
    } else if (c === "+" || c === "-" || c === "." || /[0-9]/.test(c)) {
      i = lexNumber(src, i, items);
    } else if (isAlnum(c)) {
      while (i < src.length && isAlnum(src[i])) i++;
      const word = src.slice(start, i);
      const t: T = KEYWORDS.has(word)
        ? "keyword"
        : word === "true" || word === "false"
        ? "bool"
        : word === "nil"
        ? "nil"
        : "ident";
      items.push({ t, v: word, pos: start });
      i = checkTerminator(src, i);
    } else if (c === "(") {
      depth++;
      items.push({ t: "lparen", v: "(", pos: i++ });
    } else if (c === ")") {
      depth--;
      items.push({ t: "rparen", v: ")", pos: i++ });
    } else if (c >= "!" && c <= "~") {
      items.push({ t: "other", v: c, pos: i++ });
    } else {
      throw new TemplateError(`unrecognized character in action: ${charName(c)}`, i);
    }
  }
}

function charName(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, "0")} '${c}'`;
}

/**
 * The offset just past the closing quote of the quoted string or character constant opening at
 * `start` (backslash escapes skipped); `unterminated` when a newline or the end comes first.
 */
function quotedEnd(src: string, start: number, unterminated: string): number {
  const quote = src[start];
  let i = start + 1;
  while (src[i] !== quote) {
    if (src[i] === "\\") i++;
    if (i >= src.length || src[i] === "\n") throw new TemplateError(unterminated, start);
    i++;
  }
  return i + 1;
}

/** After a word, Go requires a terminator (space, punctuation or the right delimiter). */
function checkTerminator(src: string, i: number): number {
  const c = src[i];
  if (c === undefined || isSpace(c) || ".,|:()=".includes(c) || src.startsWith("}}", i)) return i;
  throw new TemplateError(`bad character ${charName(c)}`, i);
}

function lexNumber(src: string, i: number, items: Item[]): number {
  const start = i;
  if (src[i] === "+" || src[i] === "-") i++;
  while (i < src.length && /[0-9a-zA-Z_.+\-]/.test(src[i])) {
    if ((src[i] === "+" || src[i] === "-") && !/[eEpP]/.test(src[i - 1])) break;
    i++;
  }
  const text = src.slice(start, i);
  const body = text.replace(/^[+-]/, "");
  const ok = /^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]*|[1-9][0-9_]*|0)$/.test(body) ||
    /^([0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)([eE][+-]?[0-9]+)?i?$/.test(body) &&
      /[.eE]/.test(body) ||
    /^[0-9]+i$/.test(body);
  if (!ok) {
    if (/^0[0-9]+$/.test(body)) throw new TemplateError(`integer overflow: "${text}"`, start);
    throw new TemplateError(`illegal number syntax: "${text}"`, start);
  }
  items.push({ t: "number", v: text, pos: start });
  return i;
}

/**
 * Parse a Prometheus alert template (labels and annotations) as Go would. Results are cached in
 * the run's cache by {@link templateShape}, shared (read-only) by every template of the same
 * shape: the annotations of a large rule file differ mostly in numbers of their text (rule
 * numbers, thresholds), and lexing and parsing each one was about a sixth of the linter's
 * allocations.
 */
export function parseTemplate(
  src: string,
  version: PromVersion,
  cache: RunCache = new RunCache(),
): TemplateInfo {
  if (!src.includes("{{")) return { labelRefs: [], valueRefs: [] };
  const shape = templateShape(src);
  const key = shape === undefined ? undefined : version + shape;
  const hit = key === undefined ? undefined : cache.templates.get(key);
  if (hit) return hit;
  const info: TemplateInfo = { labelRefs: [], valueRefs: [] };
  try {
    new TemplateParser(lex(src), FUNCS[version], info, version === 3).parse();
  } catch (e) {
    if (e instanceof TemplateError) info.error = { message: e.message, offset: e.offset };
    else throw e;
  }
  if (key !== undefined) cache.templates.set(key, info);
  return info;
}

class TemplateParser {
  #pos = 0;
  #vars: string[] = [...TEMPLATE_VARS];
  #rangeDepth = 0;
  #dotDepth = 0;

  constructor(
    private items: Item[],
    private funcs: Set<string>,
    private info: TemplateInfo,
    private elseWith: boolean,
  ) {}

  #next(): Item {
    return this.items[Math.min(this.#pos++, this.items.length - 1)];
  }
  #peek(): Item {
    return this.items[Math.min(this.#pos, this.items.length - 1)];
  }
  #nextNonSpace(): Item {
    let it = this.#next();
    while (it.t === "space") it = this.#next();
    return it;
  }
  #peekNonSpace(): Item {
    const save = this.#pos;
    const it = this.#nextNonSpace();
    this.#pos = save;
    return it;
  }
  #fail(message: string, at: Item): never {
    throw new TemplateError(message, at.pos);
  }
  #unexpected(it: Item, context: string): never {
    if (it.t === "eof") this.#fail("unexpected EOF", it);
    this.#fail(`unexpected ${JSON.stringify(it.v)} in ${context}`, it);
  }

  parse(): void {
    for (;;) {
      const stop = this.#itemList(true);
      if (stop === "eof") return;
    }
  }

  /** Parse nodes until {{end}}, {{else}} or EOF; returns which one stopped it. */
  #itemList(top = false): "end" | "else" | "eof" {
    for (;;) {
      const it = this.#next();
      if (it.t === "eof") {
        if (top) return "eof";
        this.#fail("unexpected EOF", it);
      }
      if (it.t === "text") continue;
      // it.t === "left"
      const kw = this.#peekNonSpace();
      if (kw.t === "keyword" && (kw.v === "end" || kw.v === "else")) {
        this.#nextNonSpace();
        if (top) this.#fail(`unexpected {{${kw.v}}}`, kw);
        if (kw.v === "end") {
          this.#expectRight("end");
          return "end";
        }
        return "else";
      }
      this.#action();
    }
  }

  #expectRight(context: string): void {
    const it = this.#nextNonSpace();
    if (it.t !== "right") this.#unexpected(it, context);
  }

  #action(): void {
    const it = this.#peekNonSpace();
    if (it.t === "keyword") {
      this.#nextNonSpace();
      switch (it.v) {
        case "if":
          return this.#control("if", true);
        case "with":
          return this.#control("with", this.elseWith);
        case "range":
          return this.#control("range", false);
        case "block": {
          this.#templateName("block clause");
          const saved = this.#vars;
          this.#pipeline("block", "right");
          this.#vars = ["$"];
          if (this.#itemList() !== "end") this.#fail("unexpected {{else}}", it);
          this.#vars = saved;
          return;
        }
        case "template": {
          this.#templateName("template clause");
          const next = this.#nextNonSpace();
          if (next.t !== "right") {
            this.#pos--;
            this.#pipeline("template clause", "right");
          }
          return;
        }
        case "define": {
          this.#templateName("define clause");
          this.#expectRight("define clause");
          const saved = this.#vars;
          this.#vars = ["$"];
          if (this.#itemList() !== "end") this.#fail("unexpected {{else}}", it);
          this.#vars = saved;
          return;
        }
        case "break":
        case "continue": {
          const next = this.#nextNonSpace();
          if (next.t !== "right") this.#unexpected(next, `{{${it.v}}}`);
          if (this.#rangeDepth === 0) this.#fail(`{{${it.v}}} outside {{range}}`, it);
          return;
        }
      }
    }
    this.#pipeline("command", "right");
  }

  #templateName(context: string): void {
    const it = this.#nextNonSpace();
    if (it.t !== "string" && it.t !== "raw") this.#unexpected(it, context);
  }

  #control(context: "if" | "with" | "range", allowElseIf: boolean): void {
    const varsBefore = this.#vars.length;
    this.#pipeline(context, "right");
    if (context === "range") this.#rangeDepth++;
    if (context !== "if") this.#dotDepth++;
    let stop = this.#itemList();
    if (context === "range") this.#rangeDepth--;
    if (stop === "else") {
      const next = this.#peekNonSpace();
      // {{else if}}, and {{else with}} since Go 1.23 (Prometheus 3).
      if (allowElseIf && next.t === "keyword" && next.v === (context === "with" ? "with" : "if")) {
        this.#nextNonSpace();
        this.#control(context as "if" | "with", true);
      } else {
        this.#expectRight("else");
        stop = this.#itemList();
        if (stop !== "end") this.#fail("expected end; found {{else}}", this.items[this.#pos - 1]);
      }
    }
    if (context !== "if") this.#dotDepth--;
    this.#vars.length = varsBefore;
  }

  #pipeline(context: string, end: "right" | "rparen"): void {
    // Declarations: $x := …, $x = …, and range's $i, $e := …
    const save = this.#pos;
    const v = this.#nextNonSpace();
    if (v.t === "var") {
      const next = this.#nextNonSpace();
      if (next.t === "declare" || next.t === "assign") {
        // Go declares the variable for "=" too (checked only when the template runs).
        this.#vars.push(v.v);
      } else if (next.t === "comma" && context === "range") {
        const v2 = this.#nextNonSpace();
        if (v2.t !== "var") this.#fail(`range can only initialize variables`, v2);
        const op = this.#nextNonSpace();
        if (op.t === "comma") this.#fail("too many declarations in range", op);
        if (op.t !== "declare" && op.t !== "assign") {
          this.#fail(`range can only initialize variables`, op);
        }
        this.#vars.push(v.v, v2.v);
      } else {
        this.#pos = save;
      }
    } else {
      this.#pos = save;
    }
    let commands = 0;
    for (;;) {
      const it = this.#nextNonSpace();
      if (it.t === end) {
        if (commands === 0) this.#fail(`missing value for ${context}`, it);
        return;
      }
      switch (it.t) {
        case "bool":
        case "char":
        case "dot":
        case "field":
        case "ident":
        case "number":
        case "nil":
        case "raw":
        case "string":
        case "var":
        case "lparen":
          this.#pos--;
          this.#command();
          commands++;
          break;
        default:
          this.#unexpected(it, context);
      }
    }
  }

  #command(): void {
    let args = 0;
    for (;;) {
      this.#peekNonSpace();
      if (this.#operand()) args++;
      const it = this.#next();
      if (it.t === "space") continue;
      if (it.t === "right" || it.t === "rparen") this.#pos--;
      else if (it.t !== "pipe") this.#unexpected(it, "operand");
      break;
    }
    if (args === 0) this.#fail("empty command", this.#peek());
  }

  #operand(): boolean {
    const term = this.#term();
    if (!term) return false;
    // A field chain right after the term: $labels.x, (…).x
    while (this.#peek().t === "field") {
      const f = this.#next();
      if (term.t === "var" && term.v === "$labels" && f.pos === term.pos + term.v.length) {
        this.info.labelRefs.push({ name: f.v.slice(1), offset: term.pos });
      }
      if (term.t === "var" && term.v === "$" && f.v === ".Value") {
        this.info.valueRefs.push(term.pos);
      }
    }
    return true;
  }

  #useVar(it: Item): void {
    const name = it.v;
    if (!this.#vars.includes(name)) this.#fail(`undefined variable ${JSON.stringify(name)}`, it);
  }

  #term(): Item | undefined {
    const it = this.#nextNonSpace();
    switch (it.t) {
      case "ident":
        if (!this.funcs.has(it.v)) this.#fail(`function ${JSON.stringify(it.v)} not defined`, it);
        return it;
      case "var":
        this.#useVar(it);
        if (it.v === "$value") this.info.valueRefs.push(it.pos);
        return it;
      case "field":
        if (it.v === ".Value" && this.#dotDepth === 0) this.info.valueRefs.push(it.pos);
        return it;
      case "dot":
      case "nil":
      case "bool":
      case "number":
      case "string":
      case "raw":
      case "char":
        return it;
      case "lparen":
        this.#pipeline("parenthesized pipeline", "rparen");
        return it;
    }
    this.#pos--;
    return undefined;
  }
}
