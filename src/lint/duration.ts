/**
 * Prometheus durations (`model.ParseDuration`): units y w d h m s ms, largest first, integers
 * only, `0` allowed.
 *
 * @module
 */

const RE =
  /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
const UNIT_MS = [31_536_000_000, 604_800_000, 86_400_000, 3_600_000, 60_000, 1_000, 1];
/** Go's time.Duration limit, in milliseconds. */
const MAX_MS = 9_223_372_036_854;

/** Parse a Prometheus duration into milliseconds, or return the error message. */
export function parseDuration(text: string): { ms: number } | { error: string } {
  if (text === "") return { error: "empty duration string" };
  if (text === "0") return { ms: 0 };
  const m = RE.exec(text);
  if (!m) return { error: `not a valid duration string: "${text}"` };
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[i];
  }
  if (ms > MAX_MS) return { error: `duration out of range: "${text}"` };
  return { ms };
}

/** Format milliseconds as a Prometheus duration (`1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const units: [string, number][] = [
    ["y", 31_536_000_000],
    ["w", 604_800_000],
    ["d", 86_400_000],
    [
      "h",
      3_600_000,
    ],
    ["m", 60_000],
    ["s", 1_000],
    ["ms", 1],
  ];
  let out = "";
  let rest = ms;
  for (const [u, n] of units) {
    if (rest >= n) {
      out += `${Math.floor(rest / n)}${u}`;
      rest %= n;
    }
  }
  return out;
}
