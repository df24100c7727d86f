/**
 * Duplicate keys in a JSON text. `JSON.parse` keeps the last of two equal keys silently, so
 * `{"quantity": 1, "quantity": 1000}` would be an order for 1000. This scan runs on text that
 * `JSON.parse` already accepted (so it only tracks strings and nesting, no validation); keys
 * are compared decoded (`"a"` and `"\u0061"` are the same key). Hand-written because no
 * well-kept npm parser reports duplicates without replacing `JSON.parse`; it is one pass over
 * a body of at most `--body-limit` bytes.
 *
 * @module
 */

/** The first key that appears twice in one object of `text` (valid JSON), or null. */
export function findDuplicateKey(text: string): string | null {
  // One entry per open object or array: the keys seen (objects) or null (arrays).
  const stack: (Set<string> | null)[] = [];
  // In an object, the next string is a key until its ':' (after ',' or '{').
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) i++;
        else if (c === 0x22) break;
      }
      const top = stack.at(-1);
      if (expectKey && top) {
        const raw = text.slice(start, i + 1);
        const key = raw.includes("\\") ? JSON.parse(raw) as string : raw.slice(1, -1);
        if (top.has(key)) return key;
        top.add(key);
        expectKey = false;
      }
    } else if (ch === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (ch === 0x2c /* , */) {
      expectKey = stack.at(-1) instanceof Set;
    }
  }
  return null;
}
