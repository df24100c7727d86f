/**
 * Numeric ranges, checked and described in one wording (the configuration schema and the
 * command-line converters share it).
 *
 * @module
 */

/** Bounds (inclusive, or `gt` exclusive) and integrality of a number. */
export interface Range {
  min?: number;
  /** Exclusive lower bound. */
  gt?: number;
  max?: number;
  int?: boolean;
}

/** "an integer from 1 to 64", "a number > 0", "a number >= 0". */
export function describeRange(r: Range): string {
  const kind = r.int ? "an integer" : "a number";
  if (r.min !== undefined && r.max !== undefined) return `${kind} from ${r.min} to ${r.max}`;
  const parts = [kind];
  if (r.gt !== undefined) parts.push(`> ${r.gt}`);
  if (r.min !== undefined) parts.push(`>= ${r.min}`);
  if (r.max !== undefined) parts.push(`<= ${r.max}`);
  return parts.join(" ");
}

/** Whether `n` is a finite number within `r`. */
export function inRange(n: unknown, r: Range): boolean {
  return typeof n === "number" && Number.isFinite(n) &&
    (!r.int || Number.isInteger(n)) &&
    (r.min === undefined || n >= r.min) &&
    (r.gt === undefined || n > r.gt) &&
    (r.max === undefined || n <= r.max);
}
