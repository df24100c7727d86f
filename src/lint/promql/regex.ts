/**
 * RE2 regular expressions, as Prometheus compiles label matchers (anchored at both ends).
 *
 * @module
 */
import { RE2JS } from "re2js";
import type { PromVersion } from "../model.ts";
import { RunCache } from "../cache.ts";
import type { Matcher } from "./infer.ts";

/** A compiled matcher regex, or why it does not compile. */
export type RegexResult = { matches(s: string): boolean } | { error: string };

/**
 * Compile `pattern` with RE2 semantics. In 2 mode, `(?<name>…)` is refused as Go 1.19 (the
 * compiler of Prometheus 2.42) did; re2js accepts it like newer Go.
 */
export function checkRegex(
  pattern: string,
  version: PromVersion,
  cache: RunCache = new RunCache(),
): RegexResult {
  const key = version + pattern;
  let hit = cache.regexes.get(key);
  if (!hit) {
    hit = compile(pattern, version);
    cache.regexes.set(key, hit);
  }
  return hit;
}

function compile(pattern: string, version: PromVersion): RegexResult {
  if (version === 2) {
    const m = /\(\?<[a-zA-Z_]/.exec(pattern);
    if (m) {
      return { error: `error parsing regexp: invalid or unsupported Perl syntax: \`(?<\`` };
    }
  }
  try {
    RE2JS.compile(pattern);
    const anchored = RE2JS.compile(`^(?:${pattern})$`);
    // Rules test the same few values (closed label sets, "") over and over.
    const seen = new Map<string, boolean>();
    return {
      matches: (s: string) => {
        let r = seen.get(s);
        if (r === undefined) {
          r = anchored.matches(s);
          if (seen.size < 1000) seen.set(s, r);
        }
        return r;
      },
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Whether label matcher `m` accepts `value` (a regex that does not compile accepts it). */
export function matcherAccepts(
  m: Matcher,
  value: string,
  version: PromVersion,
  cache: RunCache,
): boolean {
  if (m.op === "=") return value === m.value;
  if (m.op === "!=") return value !== m.value;
  const re = checkRegex(m.value, version, cache);
  if ("error" in re) return true;
  return m.op === "=~" ? re.matches(value) : !re.matches(value);
}
