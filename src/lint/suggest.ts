/**
 * "Did you mean" suggestions by edit distance.
 *
 * @module
 */

/** Levenshtein distance between two strings, giving up (returning `max + 1`) beyond `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidate closest to `word` (case-insensitive match first), if close enough to be a
 * likely typo: at most a third of the word's length, at least 2 edits allowed.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const max = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    if (c === word) continue;
    if (c.toLowerCase() === lower) return c;
    const d = editDistance(lower, c.toLowerCase(), bestD);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

const SERIES_SUFFIXES = ["_total", "_bucket", "_sum", "_count"];

/**
 * The known metric `name` most likely is a misspelling of, if any: a small edit distance (at most
 * 2, and at most a quarter of the name), a truncation (`order_count_tot`), or a suffix confusion
 * (`order_count` for `order_count_total`, a histogram's base name for its `_bucket` series, one
 * suffix for another). Names with no near match are other jobs' metrics, not typos.
 */
export function metricTypo(name: string, known: readonly string[]): string | undefined {
  if (name.length < 6) return undefined;
  const base = (n: string) => {
    for (const s of SERIES_SUFFIXES) if (n.endsWith(s)) return n.slice(0, -s.length);
    return n;
  };
  const b = base(name);
  // A suffix confusion: the same base name with another (or no) series suffix.
  const suffixed = known.find((k) => k !== name && base(k) === b && b.length >= 6);
  if (suffixed) return suffixed;
  const max = Math.min(2, Math.floor(name.length / 4));
  let best: string | undefined;
  let bestD = max + 1;
  for (const k of known) {
    if (k === name) continue;
    const d = editDistance(name, k, bestD - 1);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  if (best) return best;
  // A truncation of a known name, missing at most its last 6 characters.
  return known.find((k) => k.startsWith(name) && k.length - name.length <= 6);
}
