/**
 * Converters of raw command-line (and environment) strings, with one wording of errors:
 * `Invalid --flag "raw": expected …` ({@link UsageError}).
 *
 * @module
 */
import { parseDuration } from "../duration.ts";
import { describeRange, inRange, type Range as NumberRange } from "../range.ts";

export { describeRange, inRange, type NumberRange };
import { quote } from "./flags.ts";
import { UsageError } from "./usage_error.ts";

/** The error for `raw` given to `flag`, which expected `expected`. */
export function invalid(flag: string, raw: string, expected: string): UsageError {
  return new UsageError(`Invalid ${flag} ${quote(raw)}: expected ${expected}`, flag);
}

/** A plain number (`12`, `0.5`, `5e5`); NaN when `raw` is not one. */
export function toNumber(raw: string): number {
  const t = raw.trim();
  return t === "" ? NaN : Number(t);
}

/** A number within `range`. @throws {UsageError} */
export function numberFlag(flag: string, raw: string, range: NumberRange = {}): number {
  const n = toNumber(raw);
  if (!inRange(n, range)) throw invalid(flag, raw, describeRange(range));
  return n;
}

/**
 * A duration in milliseconds: `250ms`, `5s`, `1m`, `1m30s`, `1h`, `250us`; a plain number is in
 * `bare` units (the flag's historical unit). NaN when `raw` is not a duration.
 */
export function toDurationMs(raw: string, bare: "ms" | "s"): number {
  return parseDuration(raw, bare) ?? NaN;
}

/** A duration in ms within `range` (in ms). @throws {UsageError} */
export function durationFlag(
  flag: string,
  raw: string,
  bare: "ms" | "s",
  range: NumberRange = {},
): number {
  const ms = toDurationMs(raw, bare);
  if (!inRange(ms, range)) {
    throw invalid(flag, raw, `a duration such as 250ms, 5s or 1m (${describeRange(range)} ms)`);
  }
  return ms;
}

/** `1/true/yes/on` or `0/false/no/off/""` (any case); undefined otherwise. */
export function toBool(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (v === "1" || v === "true" || v === "yes" || v === "on") return true;
  if (v === "0" || v === "false" || v === "no" || v === "off" || v === "") return false;
  return undefined;
}
