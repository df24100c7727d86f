/**
 * The command-line duration parser of every mode: `30s`, `500ms`, `2m`, `1h`, `1m30s`, `250us`;
 * a bare number is in the flag's own unit (seconds by default; the serve mode's flags that took
 * milliseconds keep taking them). `src/cli/` re-exports it. (Prometheus durations in rule files
 * are another grammar: `src/lint/duration.ts`.)
 *
 * @module
 */

const UNIT_MS: Record<string, number> = {
  us: 0.001,
  "µs": 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /(\d+(?:\.\d+)?|\.\d+)(us|µs|ms|s|m|h)/y;

/**
 * Parse a duration into milliseconds; a bare number is in `bare` units. Returns null when `text`
 * is not a duration.
 */
export function parseDuration(text: string, bare: "s" | "ms" = "s"): number | null {
  const s = text.trim();
  if (s === "") return null;
  if (/^(\d+(\.\d+)?|\.\d+)$/.test(s)) return Number(s) * (bare === "s" ? 1000 : 1);
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) return null;
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = PART.lastIndex;
  }
  return total;
}

const SHOWN_UNITS: readonly [string, number][] = [
  ["h", 3_600_000_000],
  ["m", 60_000_000],
  ["s", 1_000_000],
  ["ms", 1_000],
  ["us", 1],
];

/**
 * A duration as a user would type it (`--help` defaults): the largest units first and no zero
 * parts, `1s`, `250ms`, `1m`, `1m30s`, `1h`, `250us`, `0s`; whole microseconds. What it returns
 * for a duration (never negative), {@link parseDuration} reads back to the same value.
 */
export function durationText(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let rest = Math.round(Math.abs(ms) * 1000);
  if (rest === 0) return "0s";
  let out = "";
  for (const [unit, us] of SHOWN_UNITS) {
    if (rest < us) continue;
    out += `${Math.floor(rest / us)}${unit}`;
    rest %= us;
  }
  return ms < 0 ? `-${out}` : out;
}

/** Format milliseconds for people: `850us`, `12.3ms`, `1.52s`, `2m05s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${Math.round(ms * 1000)}us`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, "0")}s`;
}
