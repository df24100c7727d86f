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

/** Anchors, aliases, tags, directives or document markers: parse the whole file instead. */
const UNSAFE = /(?:^|[\s\[{,:])(?:[&*][^\s,\[\]{}]|![!A-Za-z<])|^(?:---|\.\.\.|%)/m;

/** The group items of a rule file in the common layout; undefined when it is not. */
export function splitGroups(text: string): Chunk[] | undefined {
  if (UNSAFE.test(text) || text.includes("\t") || text.includes("\r")) return undefined;
  const chunks: Chunk[] = [];
  let seenGroups = false;
  let indent = -1;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const end = nl === -1 ? text.length : nl + 1;
    const line = text.slice(pos, nl === -1 ? text.length : nl);
    const body = line.trimStart();
    if (body === "" || body.startsWith("#")) {
      pos = end;
      continue;
    }
    const ind = line.length - body.length;
    if (!seenGroups) {
      if (!/^groups:[ ]*(#.*)?$/.test(line)) return undefined;
      seenGroups = true;
    } else if (indent === -1) {
      if (!/^- |^-$/.test(body)) return undefined;
      indent = ind;
      chunks.push({ from: pos, to: text.length });
    } else if (ind < indent) {
      return undefined;
    } else if (ind === indent) {
      if (!/^- |^-$/.test(body)) return undefined;
      chunks[chunks.length - 1].to = pos;
      chunks.push({ from: pos, to: text.length });
    }
    pos = end;
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
