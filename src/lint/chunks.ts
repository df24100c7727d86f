/**
 * Splitting a rule file into its groups, so that each group is parsed, decoded and checked on
 * its own and then dropped: the linter's memory stays that of one group, not of 5,000 rules.
 *
 * This is only a fast path. It applies to the common layout (`groups:` first, then a block
 * sequence of groups, no anchors, aliases, directives or further documents) and every part is
 * still parsed by js-yaml; anything else, or any part that fails to parse, falls back to parsing
 * the whole file at once, so verdicts and messages do not depend on it.
 *
 * @module
 */

/** A part of the text holding whole groups (offsets into the text). */
export interface Chunk {
  from: number;
  to: number;
}

/** Whether the text may hold anchors, aliases, tags, directives or further documents. */
function unsafe(text: string): boolean {
  if (/^(?:---|\.\.\.|%)/m.test(text)) return true;
  for (const c of ["&", "*", "!"]) {
    for (let i = text.indexOf(c); i !== -1; i = text.indexOf(c, i + 1)) {
      const before = i === 0 ? " " : text[i - 1];
      const after = text[i + 1] ?? " ";
      if (!" \n[{,:".includes(before)) continue;
      if (c === "!" ? /[!A-Za-z<]/.test(after) : !" \n,[]{}".includes(after)) return true;
    }
  }
  return false;
}

/** The group items of a rule file in the common layout; undefined when it is not. */
export function splitGroups(text: string): Chunk[] | undefined {
  if (text.includes("\t") || text.includes("\r") || unsafe(text)) return undefined;
  const chunks: Chunk[] = [];
  let seenGroups = false;
  let indent = -1;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let nl = text.indexOf("\n", pos);
    if (nl === -1) nl = n;
    let i = pos;
    while (i < nl && text.charCodeAt(i) === 32) i++;
    const c = text.charCodeAt(i);
    if (i === nl || c === 35 /* # */) {
      pos = nl + 1;
      continue;
    }
    const ind = i - pos;
    const dash = c === 45 /* - */ && (i + 1 === nl || text.charCodeAt(i + 1) === 32);
    if (!seenGroups) {
      // A comment needs white space before its `#` (YAML 1.2, 6.6): `groups:# []` is one scalar.
      if (!/^groups:(?:[ ]*|[ ]+#.*)$/.test(text.slice(pos, nl))) return undefined;
      seenGroups = true;
    } else if (indent === -1) {
      if (!dash) return undefined;
      indent = ind;
      chunks.push({ from: pos, to: n });
    } else if (ind < indent) {
      return undefined;
    } else if (ind === indent) {
      if (!dash) return undefined;
      chunks[chunks.length - 1].to = pos;
      chunks.push({ from: pos, to: n });
    }
    pos = nl + 1;
  }
  return seenGroups ? chunks : undefined;
}

/** Names recorded in the text (`record: name` lines), for catalog checks that run group by group. */
export function recordedInText(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^[ ]*(?:-[ ]+)?record:[ ]*(["']?)([^"'#\s]+)\1[ ]*(?:#.*)?$/gm)) {
    out.add(m[2]);
  }
  return out;
}
