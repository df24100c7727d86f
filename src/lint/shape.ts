/**
 * The linter's one normaliser: the "shape" of a text, under which texts that differ only in
 * digits that cannot change a verdict share one result (expressions by the digits of their number
 * literals, templates by the digits of their text outside actions). The results are cached per
 * run in `RunCache`.
 *
 * @module
 */

/**
 * `expr` with every digit of its decimal number literals replaced by 1 (same length, same
 * tokens); strings, identifiers and durations are left alone.
 */
export function numberShape(expr: string): string {
  let out = "";
  let last = 0;
  const n = expr.length;
  for (let i = 0; i < n; i++) {
    const c = expr.charCodeAt(i);
    if (c === 34 || c === 39 || c === 96) { // a string: skip it
      let j = i + 1;
      while (j < n && expr.charCodeAt(j) !== c) j += expr.charCodeAt(j) === 92 && c !== 96 ? 2 : 1;
      i = j;
      continue;
    }
    if (c === 35) { // a comment: to the end of the line
      while (i < n && expr.charCodeAt(i) !== 10) i++;
      continue;
    }
    const digit = c >= 48 && c <= 57;
    if (!digit && c !== 46) continue;
    const prev = i > 0 ? expr[i - 1] : " ";
    if (/[\w.:]/.test(prev)) {
      // Inside an identifier or a longer token: skip the rest of the word.
      while (i + 1 < n && /[\w.:]/.test(expr[i + 1])) i++;
      continue;
    }
    const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(expr.slice(i, i + 64));
    if (!m || m[0] === ".") continue;
    const end = i + m[0].length;
    if (end < n && /[\w.:]/.test(expr[end])) {
      // A duration (5m), a hex number or an identifier: not a plain decimal literal.
      while (i + 1 < n && /[\w.:]/.test(expr[i + 1])) i++;
      continue;
    }
    out += expr.slice(last, i) + m[0].replace(/\d/g, "1");
    last = end;
    i = end - 1;
  }
  return last === 0 ? expr : out + expr.slice(last);
}

/**
 * `src` with the digits of its text (outside actions) replaced by 1: the lexer and parser skip
 * text, so templates of the same shape have the same result, offsets included. Undefined (no
 * sharing) when an action is unclosed or holds quotes or comments, where a naive scan for `}}`
 * could differ from the lexer.
 */
export function templateShape(src: string): string | undefined {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    const text = src.slice(i, open === -1 ? src.length : open);
    out += /[0-9]/.test(text) ? text.replace(/[0-9]/g, "1") : text;
    if (open === -1) break;
    const close = src.indexOf("}}", open + 2);
    if (close === -1) return undefined;
    const action = src.slice(open, close + 2);
    if (/["'`]|\/\*/.test(action)) return undefined;
    out += action;
    i = close + 2;
  }
  return out;
}
